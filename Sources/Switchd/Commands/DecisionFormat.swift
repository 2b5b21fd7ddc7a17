import Server

/// How `switchd route` prints a verdict: the status line from the daemon's catalog (a 302 shows its
/// contact instead of the phrase), then the reason.
enum DecisionFormat {
    static func statusLine(_ verdict: CallVerdict) -> String {
        if case .routed(let decision) = verdict, let contact = decision.contact {
            return "\(ResponseCatalog.statusLine(for: verdict).code) \(contact)"
        }
        if case .registered(let decision, let bindings) = verdict {
            // Registered phones: the Contact values exactly as the 302 carries them.
            let contacts = ResponseCatalog.registeredContacts(bindings, conf: decision.contact)
            return "\(ResponseCatalog.statusLine(for: verdict).code) \(contacts.joined(separator: ", "))"
        }
        return ResponseCatalog.statusLine(for: verdict).description
    }

    static func text(_ verdict: CallVerdict) -> String {
        "\(statusLine(verdict))\n\(verdict.reason)"
    }

    /// `{"status":302,"contact":"sip:...","reason":"..."}`, keys in that order, `contact` only for 302.
    static func json(_ verdict: CallVerdict) -> String {
        var fields = ["\"status\":\(ResponseCatalog.statusLine(for: verdict).code)"]
        if case .routed(let decision) = verdict, let contact = decision.contact {
            fields.append("\"contact\":\(JSONText.quoted(contact))")
        }
        if case .registered(let decision, let bindings) = verdict {
            let contacts = ResponseCatalog.registeredContacts(bindings, conf: decision.contact).map { JSONText.quoted($0) }
            fields.append("\"contacts\":[\(contacts.joined(separator: ","))]")
        }
        fields.append("\"reason\":\(JSONText.quoted(verdict.reason))")
        return "{" + fields.joined(separator: ",") + "}"
    }
}
