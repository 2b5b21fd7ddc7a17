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
        let diagnostic = ConfigDiagnostic(file: file, line: line, column: column, message: message)
        // The same conflict can be seen from several customers' points of view: report it once.
        if seen.insert(diagnostic).inserted {
            diagnostics.append(diagnostic)
        }
    }

    package var isEmpty: Bool { diagnostics.isEmpty }
}
