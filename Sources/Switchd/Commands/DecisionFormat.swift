import Routing

/// How `switchd route` prints a decision.
enum DecisionFormat {
    static func statusLine(_ decision: Decision) -> String {
        switch decision.outcome {
        case .redirect(let contact): return "302 \(contact)"
        case .unauthenticated: return "401 Unauthorized"
        case .forbidden: return "403 Forbidden"
        case .notFound: return "404 Not Found"
        case .addressIncomplete: return "484 Address Incomplete"
        }
    }

    static func text(_ decision: Decision) -> String {
        "\(statusLine(decision))\n\(decision.reason)"
    }

    /// `{"status":302,"contact":"sip:...","reason":"..."}`, keys in that order, `contact` only for 302.
    static func json(_ decision: Decision) -> String {
        var fields = ["\"status\":\(decision.status)"]
        if let contact = decision.contact { fields.append("\"contact\":\(quoted(contact))") }
        fields.append("\"reason\":\(quoted(decision.reason))")
        return "{" + fields.joined(separator: ",") + "}"
    }

    /// A JSON string literal (RFC 8259 escaping).
    static func quoted(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }
}
