import Foundation
import Logging
import Routing
import Server
import Testing
import Config

/// Sample credentials of conf/ (see conf/customers/*.toml).
enum SampleCredentials {
    static let acmeRealm = "acme.example"
    static let globexRealm = "globex.example"
    /// acme 201 (SHA-256 and MD5 hashes).
    static let acme201 = "acme-201-demo"
    /// globex 150 (SHA-256 and MD5 hashes).
    static let globex150 = "globex-150-demo"
    /// globex 300 (only a SHA-256 hash).
    static let globex300 = "globex-300-demo"
}

let unauthorized = "SIP/2.0 401 Unauthorized"
/// The header names of every 401 switchd sends, in order.
let challengeHeaderNames = ["Via", "From", "To", "Call-ID", "CSeq", "WWW-Authenticate", "WWW-Authenticate", "Server", "Content-Length"]

/// A call request as a phone sends it: `user@domain` in From, the number in Request-URI and To.
func callRequest(
    _ method: String = "INVITE", dial number: String, host: String = "127.0.0.1", from caller: String,
    sequence: Int, authorization: [String] = [], via: String, callID: String = "auth-call@test"
) -> TestRequest {
    var request = TestRequest(vias: [via])
    request.method = method
    request.uri = "sip:\(number)@\(host)"
    request.from = "<sip:\(caller)>;tag=caller-tag"
    request.to = "<sip:\(number)@\(host)>"
    request.callID = callID
    request.cseq = "\(sequence) \(method)"
    request.extra = authorization.map { ("Authorization", $0) }
    return request
}

/// A phone calling an in-process server over UDP from `host` as `caller` (user@domain); every request
/// gets the next CSeq and a new branch, all in one Call-ID.
final class Phone {
    let server: TestServer
    let client: UDPClient
    let caller: String
    var user: String { String(caller.prefix { $0 != "@" }) }
    private(set) var sequence = 0

    init(_ server: TestServer, host: String = "127.0.0.2", caller: String = "201@acme.example") throws {
        self.server = server
        client = try UDPClient(host: host)
        self.caller = caller
    }

    func request(_ method: String = "INVITE", dial number: String, host: String = "127.0.0.1",
                 authorization: [String] = []) -> TestRequest {
        sequence += 1
        return callRequest(method, dial: number, host: host, from: caller, sequence: sequence, authorization: authorization,
                           via: "SIP/2.0/UDP \(client.sentBy);branch=z9hG4bK-phone-\(sequence);rport")
    }

    /// Sends and waits for the one answer (nil when none comes within 2 s).
    func send(_ method: String = "INVITE", dial number: String, host: String = "127.0.0.1", authorization: [String] = [],
              sourceLocation: SourceLocation = #_sourceLocation) throws -> SIPReply? {
        try server.exchange(request(method, dial: number, host: host, authorization: authorization), from: client,
                            sourceLocation: sourceLocation)
    }

    /// Sends and expects no answer within `window` ms.
    func sendExpectingSilence(_ method: String = "INVITE", dial number: String, authorization: [String] = [],
                              window: Int32 = 400) throws -> Bool {
        try server.send(request(method, dial: number, authorization: authorization), from: client)
        return client.isSilent(for: window)
    }

    /// An INVITE without credentials: the 401's challenge for `algorithm`.
    func challenge(dial number: String, algorithm: ClientDigest,
                   sourceLocation: SourceLocation = #_sourceLocation) throws -> Challenge {
        let reply = try #require(try send(dial: number), sourceLocation: sourceLocation)
        #expect(reply.statusLine == unauthorized, sourceLocation: sourceLocation)
        let challenges = reply.values("WWW-Authenticate").compactMap(Challenge.init)
        return try #require(challenges.first { $0.algorithm == algorithm.rawValue }, sourceLocation: sourceLocation)
    }
}

/// A RequestHandler over the sample conf with a hand-moved clock: no sockets, no waiting.
final class HandlerRig {
    let handler: RequestHandler
    let counters = Counters()
    let clock: ManualClock
    let start: Double
    private var sequence = 0

    static let secret: [UInt8] = Array(repeating: 0x5A, count: 32)

    init(limits: LimitSettings = LimitSettings(), nonceLifetime: Int = 300, secret: [UInt8] = HandlerRig.secret,
         start: Double = 1_700_000_000) throws {
        let configuration = try ConfigLoader.load(directory: sampleConfDirectory.path)
        var logger = Logger(label: "switchd-server-tests")
        logger.logLevel = .critical
        let clock = ManualClock(start)
        self.clock = clock
        self.start = start
        handler = RequestHandler(
            plans: PlanStore(configuration.plan), counters: counters, logger: logger, limits: limits,
            nonceLifetime: nonceLifetime, nonceSecret: secret, clock: { clock.now })
    }

    /// The answer to one request from `source`; nil when the handler stays silent.
    func send(_ method: String = "INVITE", dial number: String = "202", from caller: String = "201@acme.example",
              source: String = "127.0.0.2", authorization: [String] = []) -> SIPReply? {
        sequence += 1
        let request = callRequest(method, dial: number, from: caller, sequence: sequence, authorization: authorization,
                                  via: "SIP/2.0/UDP \(source):5060;branch=z9hG4bK-rig-\(sequence);rport")
        guard let address = SocketAddress(host: source, port: 5060) else { return nil }
        return handler.handle(request.bytes, from: address).flatMap { SIPReply($0.bytes) }
    }

    /// The `algorithm` challenge of a fresh 401 to `caller` from `source`.
    func challenge(from caller: String = "201@acme.example", source: String = "127.0.0.2", algorithm: ClientDigest = .sha256,
                   sourceLocation: SourceLocation = #_sourceLocation) throws -> Challenge {
        let reply = try #require(send(from: caller, source: source), sourceLocation: sourceLocation)
        #expect(reply.statusLine == unauthorized, sourceLocation: sourceLocation)
        return try #require(reply.values("WWW-Authenticate").compactMap(Challenge.init).first { $0.algorithm == algorithm.rawValue },
                            sourceLocation: sourceLocation)
    }

    /// An `Authorization` for an INVITE to `number` (Request-URI sip:NUMBER@127.0.0.1) answering `challenge`.
    func authorization(_ challenge: Challenge, user: String = "201", password: String = SampleCredentials.acme201,
                       dial number: String = "202", nc: String = "00000001", algorithm: ClientDigest = .sha256) -> String {
        algorithm.authorization(user: user, realm: challenge.realm, password: password, method: "INVITE",
                                uri: "sip:\(number)@127.0.0.1", nonce: challenge.nonce, nc: nc)
    }
}

extension TempConfDirectory {
    /// A copy of the sample conf whose switchd.toml has these `[limits]` lines.
    static func sample(limits: String) throws -> TempConfDirectory {
        let conf = try TempConfDirectory.sample()
        try conf.write("switchd.toml", "[server]\nlisten = [\"udp:127.0.0.1:5060\"]\n\n[limits]\n\(limits)\n")
        return conf
    }

    /// A copy of the sample conf in which every customer also trusts `network` (e.g. "::1/128").
    static func sample(alsoTrusting network: String) throws -> TempConfDirectory {
        let conf = try TempConfDirectory.sample()
        let customers = conf.url.appendingPathComponent("customers")
        for file in try FileManager.default.contentsOfDirectory(atPath: customers.path) where file.hasSuffix(".toml") {
            let text = try String(contentsOf: customers.appendingPathComponent(file), encoding: .utf8)
            let edited = text.replacingOccurrences(of: "networks = [\"127.0.0.1/32\"", with: "networks = [\"127.0.0.1/32\", \"\(network)\"")
            precondition(edited != text, "customers/\(file) has no networks line starting with 127.0.0.1/32")
            try conf.write("customers/\(file)", edited)
        }
        return conf
    }
}
