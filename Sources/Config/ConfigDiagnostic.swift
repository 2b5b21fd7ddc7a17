/// One problem found in the configuration directory, printed the way compilers print errors so that
/// editors can jump to it: `FILE:LINE:COL: error: message`, or `FILE: error: message` when the position
/// is not known (TOMLKit reports positions for syntax errors only).
public struct ConfigDiagnostic: Sendable, Hashable, CustomStringConvertible {
    public var file: String
    public var line: Int?
    public var column: Int?
    public var message: String

    public init(file: String, line: Int? = nil, column: Int? = nil, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
    }

    public var description: String {
        if let line, let column {
            return "\(file):\(line):\(column): error: \(message)"
        }
        return "\(file): error: \(message)"
    }
}

/// Thrown when a configuration directory cannot become a dial plan; carries every problem found.
public struct ConfigError: Error, Sendable, CustomStringConvertible {
    public var diagnostics: [ConfigDiagnostic]

    public init(_ diagnostics: [ConfigDiagnostic]) {
        self.diagnostics = diagnostics
    }

    public var description: String {
        diagnostics.map(\.description).joined(separator: "\n")
    }
}

/// Collects diagnostics while a load goes on, so that one run reports all of them.
package struct DiagnosticLog: Sendable {
    package private(set) var diagnostics: [ConfigDiagnostic] = []
    private var seen: Set<ConfigDiagnostic> = []

    package init() {}

    package mutating func error(_ file: String, _ message: String, line: Int? = nil, column: Int? = nil) {
        // Every diagnostic is one line, whatever a file name, key or message from toml++ holds: values
        // are quoted with `DiagnosticText.quoted` where they are named; this catches the rest.
        let diagnostic = ConfigDiagnostic(
            file: DiagnosticText.oneLine(file), line: line, column: column, message: DiagnosticText.oneLine(message))
        // The same conflict can be seen from several customers' points of view: report it once.
        if seen.insert(diagnostic).inserted {
            diagnostics.append(diagnostic)
        }
    }

    package var isEmpty: Bool { diagnostics.isEmpty }
}

/// How values from the files are written into diagnostics, so that each diagnostic stays one line that
/// an editor can jump to and a log keeps whole, whatever the value holds (newlines, control characters,
/// 5,000 characters).
package enum DiagnosticText {
    /// Longer values are cut to this many characters and their length is given instead.
    package static let maximumQuotedLength = 100

    /// `value` as a TOML basic string, the way it would be written in the file: `"a\nb"`, `"say \"hi\""`.
    /// Values longer than `maximumQuotedLength` characters are shortened: `"aaaa"... (5000 characters)`.
    package static func quoted(_ value: String) -> String {
        let scalars = value.unicodeScalars
        let count = scalars.count
        var result = "\""
        for scalar in scalars.prefix(maximumQuotedLength) {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            default: append(scalar, to: &result)
            }
        }
        result += "\""
        if count > maximumQuotedLength { result += "... (\(count) characters)" }
        return result
    }

    /// `text` with its control and line-break characters escaped (`\n`, `\t`, `\u0000` ...) and
    /// nothing else changed.
    package static func oneLine(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: needsEscape) else { return text }
        var result = ""
        for scalar in text.unicodeScalars { append(scalar, to: &result) }
        return result
    }

    /// C0 and C1 controls, DEL, and the Unicode line and paragraph separators (which some viewers
    /// break lines at).
    static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) || scalar.value == 0x2028 || scalar.value == 0x2029
    }

    private static func append(_ scalar: Unicode.Scalar, to result: inout String) {
        guard needsEscape(scalar) else {
            result.unicodeScalars.append(scalar)
            return
        }
        switch scalar {
        case "\n": result += "\\n"
        case "\t": result += "\\t"
        case "\r": result += "\\r"
        default:
            let hex = String(scalar.value, radix: 16, uppercase: true)
            result += "\\u" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
        }
    }
}
