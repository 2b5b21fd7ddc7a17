import Testing

@testable import Auth

/// The worked examples of RFC 2617 §3.5 and RFC 7616 §3.9.1: if these hold, the hash code computes
/// what every other digest implementation computes.
struct DigestVectorTests {
    struct Vector: CustomTestStringConvertible, Sendable {
        let name: String
        let algorithm: DigestAlgorithm
        let realm: String
        let password: String
        let nonce: String
        let cnonce: String
        let response: String
        var testDescription: String { name }
    }

    static let vectors = [
        Vector(
            name: "RFC 2617 §3.5 (MD5)", algorithm: .md5, realm: "testrealm@host.com", password: "Circle Of Life",
            nonce: "dcd98b7102dd2f0e8b11d0f600bfb0c093", cnonce: "0a4f113b",
            response: "6629fae49393a05397450978507c4ef1"),
        Vector(
            name: "RFC 7616 §3.9.1 (MD5)", algorithm: .md5, realm: "http-auth@example.org", password: "Circle of Life",
            nonce: "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", cnonce: "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ",
            response: "8ca523f5e9506fed4657c9700eebdbec"),
        Vector(
            name: "RFC 7616 §3.9.1 (SHA-256)", algorithm: .sha256, realm: "http-auth@example.org",
            password: "Circle of Life", nonce: "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v",
            cnonce: "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ",
            response: "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1"),
    ]

    @Test(arguments: vectors)
    func publishedResponse(_ vector: Vector) {
        let ha1 = vector.algorithm.ha1(username: "Mufasa", realm: vector.realm, password: vector.password)
        let response = DigestVerifier.response(
            algorithm: vector.algorithm, ha1: ha1, nonce: vector.nonce, nc: "00000001", cnonce: vector.cnonce,
            method: "GET", uri: "/dir/index.html")
        #expect(response == vector.response)
    }

    @Test func rfc2617AuthorizationHeaderParses() {
        let header = AuthorizationHeader.parse(
            #"Digest username="Mufasa", realm="testrealm@host.com", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", uri="/dir/index.html", qop=auth, nc=00000001, cnonce="0a4f113b", response="6629fae49393a05397450978507c4ef1", opaque="5ccc069c403ebaf9f0171e9517f40e41""#
        )
        #expect(
            header
                == AuthorizationHeader(
                    username: "Mufasa", realm: "testrealm@host.com", nonce: "dcd98b7102dd2f0e8b11d0f600bfb0c093",
                    uri: "/dir/index.html", response: "6629fae49393a05397450978507c4ef1", algorithm: nil, qop: "auth",
                    nc: "00000001", cnonce: "0a4f113b", opaque: "5ccc069c403ebaf9f0171e9517f40e41"))
    }

    @Test(arguments: [
        "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==",
        #"Digest username="a", realm="r", nonce="n", uri="u""#,  // no response
        #"Digest username="a", username="b", realm="r", nonce="n", uri="u", response="x""#,  // repeated
        #"Digest username="a, realm="r""#,  // unterminated quote
        "Digest",
        "",
    ])
    func malformedHeadersAreRefused(_ value: String) {
        #expect(AuthorizationHeader.parse(value) == nil)
    }
}
