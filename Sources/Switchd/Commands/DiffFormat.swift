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
        for (change, through) in mergedRuns(diff.changes) {
            let who = change.callerExtension.map { "\(change.customerID) (from \($0))" } ?? change.customerID
            // Where only the customer whose extension is reached differs, say whose it is.
            let owners = change.old.outcome == change.new.outcome && change.old.extensionOf != change.new.extensionOf
            let old = side(change.old, owner: owners)
            let new = side(change.new, owner: owners)
            // An extension's own block where it keeps its decision (the others' changes).
            let kept = change.old == change.new ? " (unchanged)" : ""
            let covered = through.map { "\(strings(change.strings))-\(strings($0))" } ?? strings(change.strings)
            lines.append("\(who): \(covered): \(old) → \(new)\(kept)")
        }
        if lines.isEmpty { lines = ["no change"] }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Runs of "longer than" blocks alike but for their last digit, counting up (`581…` to `589…`), as
    /// their first block and their last: one line (`581…-589…`) where JSON keeps one change each.
    private static func mergedRuns(_ changes: [PlanDiff.Change]) -> [(PlanDiff.Change, PlanDiff.Strings?)] {
        var runs: [(PlanDiff.Change, PlanDiff.Strings?)] = []
        var last: PlanDiff.Change?
        for change in changes {
            if let previous = last, let start = runs.last?.0, follows(previous, change), alike(start, change) {
                runs[runs.count - 1].1 = change.strings
            } else {
                runs.append((change, nil))
            }
            last = change
        }
        return runs
    }

    private static func alike(_ a: PlanDiff.Change, _ b: PlanDiff.Change) -> Bool {
        a.customerID == b.customerID && a.callerExtension == b.callerExtension && a.old == b.old && a.new == b.new
    }

    /// `b` is `a`'s "longer than" block with the last digit one up.
    private static func follows(_ a: PlanDiff.Change, _ b: PlanDiff.Change) -> Bool {
        guard alike(a, b), case .longer(let first) = a.strings, case .longer(let second) = b.strings,
            first.count == second.count, first.dropLast() == second.dropLast(),
            let x = first.last?.wholeNumberValue, let y = second.last?.wholeNumberValue
        else { return false }
        return y == x + 1
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
            let owners = change.old.outcome == change.new.outcome && change.old.extensionOf != change.new.extensionOf
            fields.append("\"old\":\(decision(change.old, owner: owners)),\"new\":\(decision(change.new, owner: owners))")
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

    /// `302 sip:{ext}@pbx-a`, `404 Not Found`, or what the caller's own access code means; with `owner`,
    /// whose extension it is (`480 Temporarily Unavailable (extension of bob)`).
    static func side(_ side: PlanDiff.Side, owner: Bool = false) -> String {
        guard let outcome = side.outcome else { return transparent(side) }
        let line = ResponseCatalog.statusLine(for: outcome)
        var text = line.description
        if case .redirect(let contact) = outcome { text = "\(line.code) \(contact)" }
        if owner { text += side.extensionOf.map { " (extension of \($0))" } ?? " (no extension)" }
        return text
    }

    /// `{"status":302,"contact":["sip:{ext}@pbx-a"],"reason":"Moved Temporarily"}`, with
    /// `"extension_of"` when `owner` (only that differs between the two sides).
    private static func decision(_ side: PlanDiff.Side, owner: Bool) -> String {
        guard let outcome = side.outcome else {
            return "{\"status\":null,\"contact\":[],\"reason\":\(JSONText.quoted(transparent(side)))}"
        }
        let line = ResponseCatalog.statusLine(for: outcome)
        var contacts: [String] = []
        if case .redirect(let contact) = outcome { contacts = [JSONText.quoted(contact)] }
        let extensionOf = owner ? ",\"extension_of\":\(JSONText.quoted(side.extensionOf))" : ""
        return "{\"status\":\(line.code),\"contact\":[\(contacts.joined(separator: ","))],"
            + "\"reason\":\(JSONText.quoted(line.phrase))\(extensionOf)}"
    }

    private static func transparent(_ side: PlanDiff.Side) -> String {
        "as dialled without the own access code \(side.transparentAccessCode ?? "")"
    }
}
