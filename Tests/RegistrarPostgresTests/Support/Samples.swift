import Registrar

/// Bindings whose every field differs from the next one's, so that a round trip that drops or swaps a
/// column shows.
enum Samples {
    static let acme201 = AddressOfRecord(customerID: "acme", extensionNumber: "201")
    static let acme202 = AddressOfRecord(customerID: "acme", extensionNumber: "202")
    static let globex100 = AddressOfRecord(customerID: "globex", extensionNumber: "100")

    static func binding(
        _ aor: AddressOfRecord, _ contact: String, cseq: UInt32 = 1, q: Double? = 0.5, userAgent: String? = "Yealink"
    ) -> Binding {
        Binding(
            aor: aor, contact: contact, target: "\(contact);target", callID: "call-\(contact)@phone", cseq: cseq,
            expiresAt: 1_767_225_600.125 + Double(cseq), q: q, source: "192.0.2.10:5062", transport: "UDP",
            userAgent: userAgent, updatedAt: 1_767_222_000.5 + Double(cseq))
    }

    /// A store's `load()` order: customer, extension, contact.
    static func sorted(_ bindings: [Binding]) -> [Binding] {
        bindings.sorted {
            ($0.aor.customerID, $0.aor.extensionNumber, $0.contact)
                < ($1.aor.customerID, $1.aor.extensionNumber, $1.contact)
        }
    }
}
