import Testing
@testable import Auth

@Suite("Quoted strings switchd writes (RFC 3261 §25.1)")
struct QuotedStringTests {
    @Test(arguments: [
        ("acme.example", #""acme.example""#),
        ("", #""""#),
        (#"x", stale=true, opaque="y"#, #""x\", stale=true, opaque=\"y""#),
        (#"back\slash"#, #""back\\slash""#),
        (#"\""#, #""\\\"""#),
        ("line\r\nBreak: 1", #""line  Break: 1""#),
        ("nul\u{0}tab\tbell\u{7}del\u{7F}", #""nul tab bell del ""#),
        ("grüße €", #""grüße €""#),
    ])
    func quote(text: String, quoted: String) {
        #expect(QuotedString.quote(text) == quoted)
    }

    /// What a client unescapes (here, switchd's own Authorization parser) is the text, for any text
    /// without control characters: the quoting loses nothing and adds nothing.
    @Test(arguments: [#"plain"#, #"x", stale=true, opaque="y"#, #"\\\"\"#, #"a\"b\\c"#, "ünïcode", #"""#])
    func roundTrip(text: String) throws {
        let value = "Digest username=\(QuotedString.quote(text)), realm=\(QuotedString.quote(text)), "
            + "nonce=\"n\", uri=\"sip:x\", response=\"r\""
        let header = try #require(AuthorizationHeader.parse(value))
        #expect(header.username == text)
        #expect(header.realm == text)
        #expect(header.nonce == "n")
    }

    /// A hostile realm handed to the challenge builder stays inside its quotes.
    @Test func challengeEscapesTheRealm() throws {
        let verifier = DigestVerifier(nonces: NonceService(secret: Array(repeating: 7, count: 32), lifetime: 300))
        let values = verifier.challenges(realm: "x\", stale=true, opaque=\"y\r\nX: 1", now: 1_000, stale: false)
        #expect(values.count == 2)
        for value in values {
            let nonceStart = try #require(value.range(of: ", nonce=\"")).upperBound
            let nonce = value[nonceStart...].prefix { $0 != "\"" }
            let algorithm = value.contains("algorithm=SHA-256") ? "SHA-256" : "MD5"
            #expect(value == #"Digest realm="x\", stale=true, opaque=\"y  X: 1", nonce=""# + nonce
                + "\", algorithm=\(algorithm), qop=\"auth\"")
        }
    }
}
