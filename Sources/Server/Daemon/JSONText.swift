/// JSON text for the lines switchd writes (the decision log, `switchd route --json`): RFC 8259 string
/// escaping, done here once.
public enum JSONText {
    /// A JSON string literal.
    public static func quoted(_ text: String) -> String {
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

    /// `"text"`, or `null` for nil.
    public static func quoted(_ text: String?) -> String {
        text.map { quoted($0) } ?? "null"
    }
}
