import Testing

/// A customer file that loads on its own: tests add or change one thing to make it invalid.
let validCustomer = """
    name = "Acme Corp"
    cm = 3
    domains = ["acme.example"]

    """

/// One broken configuration and the exact diagnostic lines it must produce (`CONF` is the directory).
struct ValidationCase: Sendable, CustomTestStringConvertible {
    let name: String
    let files: [String: String]
    let expected: [String]

    /// A case whose only file is `customers/acme.toml`.
    init(_ name: String, acme: String, _ expected: [String]) {
        self.init(name, files: ["customers/acme.toml": acme], expected)
    }

    init(_ name: String, files: [String: String], _ expected: [String]) {
        self.name = name
        self.files = files
        self.expected = expected
    }

    var testDescription: String { name }
}

/// The shared assertion of every validation test: exactly these lines, in this order.
func expectDiagnostics(_ testCase: ValidationCase, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let actual = try diagnostics(of: testCase.files)
    #expect(actual == testCase.expected, sourceLocation: sourceLocation)
}
