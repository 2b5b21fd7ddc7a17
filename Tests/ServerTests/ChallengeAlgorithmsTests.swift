// `[auth] algorithms`: what every 401 offers, in order, for INVITE and REGISTER alike; a reload applies it.
import Testing

@Suite("[auth] algorithms")
struct ChallengeAlgorithmsTests {
    static func conf(_ algorithms: String?) throws -> TempConfDirectory {
        let conf = try TempConfDirectory.sample()
        let auth = algorithms.map { "[auth]\nalgorithms = \($0)\n" } ?? ""
        try conf.write("switchd.toml", "[server]\nlisten = [\"udp:127.0.0.1:5060\"]\n\n[registrar]\nstore = \"memory\"\n\n\(auth)")
        return conf
    }

    static func algorithms(_ reply: SIPReply?) -> [String] {
        (reply?.values("WWW-Authenticate") ?? []).compactMap(Challenge.init).map(\.algorithm)
    }

    @Test("each 401 offers exactly the configured algorithms, in order", arguments: [
        (nil, ["SHA-256", "MD5"]), ("[\"MD5\"]", ["MD5"]), ("[\"md5\", \"sha-256\"]", ["MD5", "SHA-256"]), ("[\"SHA-256\"]", ["SHA-256"]),
    ] as [(String?, [String])])
    func offered(_ setting: String?, _ expected: [String]) throws {
        let server = try TestServer(conf: Self.conf(setting))
        let phone = try Phone(server)
        #expect(Self.algorithms(try phone.send(dial: "202")) == expected)
        #expect(Self.algorithms(try phone.send("REGISTER", dial: "201")) == expected)
    }

    @Test("a reload applies a new list to the next challenge")
    func reloadApplies() throws {
        let conf = try Self.conf(nil)
        let server = try TestServer(conf: conf)
        let phone = try Phone(server)
        #expect(Self.algorithms(try phone.send(dial: "202")) == ["SHA-256", "MD5"])
        try conf.write("switchd.toml", "[server]\nlisten = [\"udp:127.0.0.1:5060\"]\n\n[registrar]\nstore = \"memory\"\n\n[auth]\nalgorithms = [\"MD5\"]\n")
        #expect(server.server.reload())
        #expect(Self.algorithms(try phone.send(dial: "202")) == ["MD5"])
    }
}
