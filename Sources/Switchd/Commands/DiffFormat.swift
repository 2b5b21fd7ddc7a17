import Routing
import Server

/// `switchd diff`'s output: lines for an admin, or one JSON object for a script.
enum DiffFormat {
    /// `acme: 71200-71299: 302 sip:{ext}@pbx-a → 404 Not Found`, one line per block, after the customers
    /// and groups added and removed; `no change` when there is nothing.
    static func text(_ diff: PlanDiff) -> String {
        var lines: [String] = []
        lines += diff.customersAdded.map { "customer added: \($0)" }
        lines += diff.customersRemoved.map { "customer removed: \($0)" }
        lines += diff.groupsAdded.map { "group added: \($0)" }
        lines += diff.groupsRemoved.map { "group removed: \($0)" }
        for change in diff.changes {
            let who = change.callerExtension.map { "\(change.customerID) (from \($0))" } ?? change.customerID
            lines.append("\(who): \(strings(change.strings)): \(side(change.old)) → \(side(change.new))")
        }
        if lines.isEmpty { lines = ["no change"] }
        return lines.joined(separator: "\n") + "\n"
    }

    /// `{"changes": [...], "customers_added": [...], "customers_removed": [...], "groups_added": [...],
    /// "groups_removed": [...]}`.
    static func json(_ diff: PlanDiff) -> String {
        func list(_ items: [String]) -> String { "[" + items.map { JSONText.quoted($0) }.joined(separator: ",") + "]" }
        let changes = diff.changes.map { change -> String in
            var fields = ["\"customer\":\(JSONText.quoted(change.customerID))"]
            switch change.strings {
            case .range(let first, let last):
                fields.append("\"first\":\(JSONText.quoted(first)),\"last\":\(JSONText.quoted(last))")
            case .longer(let prefix):
                fields.append("\"prefix\":\(JSONText.quoted(prefix))")
            }
            fields.append("\"old\":\(decision(change.old)),\"new\":\(decision(change.new))")
            if let user = change.callerExtension { fields.append("\"caller_extension\":\(JSONText.quoted(user))") }
            return "{" + fields.joined(separator: ",") + "}"
        }
        return "{\"changes\":[\(changes.joined(separator: ","))],\"customers_added\":\(list(diff.customersAdded)),"
            + "\"customers_removed\":\(list(diff.customersRemoved)),\"groups_added\":\(list(diff.groupsAdded)),"
            + "\"groups_removed\":\(list(diff.groupsRemoved))}\n"
    }

    /// `71200-71299`, `201`, or `9…` for every string longer than 9 that starts with it.
    static func strings(_ strings: PlanDiff.Strings) -> String {
        switch strings {
        case .range(let first, let last): return first == last ? first : "\(first)-\(last)"
        case .longer(let prefix): return "\(prefix)…"
        }
    }

    /// `302 sip:{ext}@pbx-a`, `404 Not Found`, or what the caller's own access code means.
    static func side(_ side: PlanDiff.Side) -> String {
        guard let outcome = side.outcome else { return transparent(side) }
        let line = ResponseCatalog.statusLine(for: outcome)
        if case .redirect(let contact) = outcome { return "\(line.code) \(contact)" }
        return line.description
    }

    private static func decision(_ side: PlanDiff.Side) -> String {
        guard let outcome = side.outcome else {
            return "{\"status\":null,\"contact\":[],\"reason\":\(JSONText.quoted(transparent(side)))}"
        }
        let line = ResponseCatalog.statusLine(for: outcome)
        var contacts: [String] = []
        if case .redirect(let contact) = outcome { contacts = [JSONText.quoted(contact)] }
        return
            "{\"status\":\(line.code),\"contact\":[\(contacts.joined(separator: ","))],\"reason\":\(JSONText.quoted(line.phrase))}"
    }

    private static func transparent(_ side: PlanDiff.Side) -> String {
        "as dialled without the own access code \(side.transparentAccessCode ?? "")"
    }
}
