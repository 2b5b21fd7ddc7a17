import Addressing

/// A `sip:`/`sips:` URI with at most one kind of placeholder (`{ext}` in extension contacts, `{number}`
/// in trunk gateways), split once at load time so that rendering on the hot path is plain appending.
/// A final class so that handing a template around on the hot path is one retain.
package final class URITemplate: Sendable, Equatable {
    package enum Piece: Sendable, Equatable {
        case literal(String)
        case placeholder
    }

    package let text: String
    package let pieces: [Piece]
    private let literalLength: Int

    package enum ParseError: Error, Equatable {
        case notSIP
        case missingHost
        case forbiddenCharacter(Character)
        case unknownPlaceholder(String)
        case unterminatedPlaceholder
    }

    /// Parses `text`, accepting only `{placeholder}` as a placeholder name.
    package static func parse(_ text: String, placeholder: String) -> Result<URITemplate, ParseError> {
        // Where the host is: after the scheme and an optional user part, up to port, params or headers.
        // A missing host is reported last, after the characters and placeholders.
        let split = SIPURIParts.split(text)
        if case .failure(.unsupportedScheme) = split { return .failure(.notSIP) }
        // Byte checks, not Character.isWhitespace: loading 200,000 contacts must stay fast.
        if let bad = text.utf8.first(where: { $0 <= 0x20 || $0 == 0x7F || $0 == 0x3C || $0 == 0x3E || $0 == 0x22 }) {
            // Spaces and tabs are named as whitespace; other control characters as themselves (escaped in
            // the message), not as whitespace they are not.
            return .failure(.forbiddenCharacter(bad == 0x20 || bad == 0x09 ? " " : Character(Unicode.Scalar(bad))))
        }
        var pieces: [Piece] = []
        var literal = ""
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "{") {
            literal += rest[..<open]
            guard let close = rest[open...].firstIndex(of: "}") else { return .failure(.unterminatedPlaceholder) }
            let name = String(rest[rest.index(after: open)..<close])
            guard name == placeholder else { return .failure(.unknownPlaceholder(name)) }
            if !literal.isEmpty { pieces.append(.literal(literal)) }
            literal = ""
            pieces.append(.placeholder)
            rest = rest[rest.index(after: close)...]
        }
        if rest.contains("}") { return .failure(.forbiddenCharacter("}")) }
        literal += rest
        if !literal.isEmpty { pieces.append(.literal(literal)) }
        if case .failure(.missingHost) = split { return .failure(.missingHost) }
        return .success(URITemplate(text: text, pieces: pieces))
    }

    package static func == (lhs: URITemplate, rhs: URITemplate) -> Bool { lhs.text == rhs.text }

    private init(text: String, pieces: [Piece]) {
        self.text = text
        self.pieces = pieces
        self.literalLength = pieces.reduce(0) { sum, piece in
            if case .literal(let s) = piece { return sum + s.utf8.count }
            return sum
        }
    }

    package var hasPlaceholder: Bool { pieces.contains(.placeholder) }

    /// The URI with every placeholder replaced by `value`.
    @inline(__always)
    package func render<S: StringProtocol>(_ value: S) -> String {
        if pieces.count == 1, case .literal(let only) = pieces[0] { return only }
        var result = ""
        result.reserveCapacity(literalLength + value.utf8.count * 2)
        for piece in pieces {
            switch piece {
            case .literal(let s): result += s
            case .placeholder: result += value
            }
        }
        return result
    }

    package static func explain(_ error: ParseError, placeholder: String) -> String {
        switch error {
        case .notSIP: return "must be a sip: or sips: URI"
        case .missingHost: return "has no host part"
        case .forbiddenCharacter(let c):
            if c.isWhitespace { return "must not contain whitespace" }
            if c.unicodeScalars.allSatisfy(DiagnosticText.needsEscape) {
                return "must not contain control characters such as \(DiagnosticText.quoted(String(c)))"
            }
            return "must not contain \(DiagnosticText.quoted(String(c)))"
        case .unknownPlaceholder(let name):
            return "uses unknown placeholder {\(name)}; only {\(placeholder)} is replaced here"
        case .unterminatedPlaceholder: return "has a \"{\" without a closing \"}\""
        }
    }
}
