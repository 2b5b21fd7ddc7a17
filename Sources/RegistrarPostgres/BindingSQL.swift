import PostgresNIO
import Registrar

/// The statements that read and write `switchd_bindings`. Every value travels as a bound parameter,
/// never inside the SQL text.
enum BindingSQL {
    private static let columns =
        "customer, extension, contact, target, call_id, cseq, expires_at, q, source, transport, user_agent, updated_at"

    static func statement(for change: BindingChange) -> PostgresQuery {
        switch change {
        case .upsert(let b):
            """
            INSERT INTO switchd_bindings (\(unescaped: columns))
            VALUES (\(b.aor.customerID), \(b.aor.extensionNumber), \(b.contact), \(b.target), \(b.callID),
                    \(Int64(b.cseq)), \(b.expiresAt), \(b.q), \(b.source), \(b.transport), \(b.userAgent),
                    \(b.updatedAt))
            ON CONFLICT (customer, extension, contact) DO UPDATE SET
                target = EXCLUDED.target, call_id = EXCLUDED.call_id, cseq = EXCLUDED.cseq,
                expires_at = EXCLUDED.expires_at, q = EXCLUDED.q, source = EXCLUDED.source,
                transport = EXCLUDED.transport, user_agent = EXCLUDED.user_agent, updated_at = EXCLUDED.updated_at
            """
        case .remove(let aor, let contact):
            """
            DELETE FROM switchd_bindings
            WHERE customer = \(aor.customerID) AND extension = \(aor.extensionNumber) AND contact = \(contact)
            """
        case .removeAll(let aor):
            "DELETE FROM switchd_bindings WHERE customer = \(aor.customerID) AND extension = \(aor.extensionNumber)"
        case .removeExpired(let before):
            // A condition, not a list: a binding another node renewed meanwhile stays.
            "DELETE FROM switchd_bindings WHERE expires_at <= \(before)"
        }
    }

    /// `pg_notify` rather than `NOTIFY`: the same transactional delivery (sent at COMMIT, to sessions
    /// listening then), with the payload as a parameter instead of a quoted literal.
    static func notify(_ payload: String) -> PostgresQuery {
        "SELECT pg_notify(\(PostgresBindingStore.channel), \(payload))"
    }

    static var selectAll: PostgresQuery {
        "SELECT \(unescaped: columns) FROM switchd_bindings ORDER BY customer, extension, contact"
    }

    static func select(_ aors: [AddressOfRecord]) -> PostgresQuery {
        """
        SELECT \(unescaped: columns) FROM switchd_bindings
        WHERE (customer, extension) IN (SELECT * FROM unnest(\(aors.map(\.customerID))::text[], \
        \(aors.map(\.extensionNumber))::text[]))
        ORDER BY customer, extension, contact
        """
    }

    static func binding(from row: PostgresRow) throws -> Binding {
        let (customer, ext, contact, target, callID, cseq, expiresAt, q, source, transport, userAgent, updatedAt) =
            try row.decode(
                (String, String, String, String, String, Int64, Double, Double?, String, String, String?, Double).self)
        // The column's CHECK keeps cseq in range; a row edited around it is reported, not trapped on.
        guard let cseq = UInt32(exactly: cseq) else {
            throw PostgresStoreError.badRow("\(ext)@\(customer) \(contact): CSeq \(cseq) is not a 32-bit number")
        }
        return Binding(
            aor: AddressOfRecord(customerID: customer, extensionNumber: ext), contact: contact, target: target,
            callID: callID, cseq: cseq, expiresAt: expiresAt, q: q, source: source, transport: transport,
            userAgent: userAgent, updatedAt: updatedAt)
    }

    /// Rows of the AORs a notification named, as the changes that make a copy equal to them: for each
    /// AOR in the given order, `.removeAll` then an `.upsert` per stored binding.
    static func changes(for aors: [AddressOfRecord], from bindings: [Binding]) -> [BindingChange] {
        let byAOR = Dictionary(grouping: bindings, by: \.aor)
        return aors.flatMap { aor in
            [BindingChange.removeAll(aor)] + (byAOR[aor] ?? []).map { .upsert($0) }
        }
    }
}

extension BindingChange {
    /// The AOR a change is about (named apart from any `aor` the Registrar module may add); nil for a
    /// purge of expired bindings, which every node makes in its own memory and nobody needs to hear of.
    var changedAOR: AddressOfRecord? {
        switch self {
        case .upsert(let binding): binding.aor
        case .remove(let aor, _), .removeAll(let aor): aor
        case .removeExpired: nil
        }
    }
}
