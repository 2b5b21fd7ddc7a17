import Logging
import Routing
import Server
import Testing

/// A call and the one log record its decision must produce: the README (Command line, `run`) promises
/// per-call decisions at `info` with metadata `sip.call_id`, `route.caller`, `route.dialled`,
/// `route.status` and more; an admin's log queries depend on these keys and values.
struct LoggedCall: Sendable, CustomTestStringConvertible {
    let name: String
    let source: String
    let callID: String
    let statusLine: String
    /// Every key of the record and its exact value (nothing more, nothing less).
    let metadata: [String: String]

    var testDescription: String { name }

    static let all: [LoggedCall] = [
        // conf/customers/acme.toml: 127.0.0.1 is in acme's networks, so From acme.example is trusted;
        // "202" = "sip:202@10.1.0.22:5060"; the caller id is the file name, the reason names the display name.
        LoggedCall(
            name: "a trusted INVITE redirected to an extension",
            source: "127.0.0.1", callID: "log-302@test", statusLine: "SIP/2.0 302 Moved Temporarily",
            metadata: [
                "sip.call_id": "log-302@test", "sip.method": "INVITE", "sip.source": "127.0.0.1:5060",
                "route.caller": "acme", "route.dialled": "202", "route.status": "302",
                "route.contact": "sip:202@10.1.0.22:5060", "route.reason": "202 is an extension of Acme Corp",
            ]),
        // 127.0.0.2 is in no customer's networks and the INVITE has no credentials: challenged, with no
        // caller identified and no contact (the README's "-" for an absent value).
        LoggedCall(
            name: "an untrusted INVITE challenged with a 401",
            source: "127.0.0.2", callID: "log-401@test", statusLine: unauthorized,
            metadata: [
                "sip.call_id": "log-401@test", "sip.method": "INVITE", "sip.source": "127.0.0.2:5060",
                "route.caller": "-", "route.dialled": "202", "route.status": "401",
                "route.contact": "-", "route.reason": "127.0.0.2 is outside Acme Corp's networks and the request carries no valid credentials of Acme Corp",
            ]),
    ]
}

/// The log record of a call's decision, read through a capturing `LogHandler` (no sockets).
@Suite("Decision log metadata")
struct DecisionLogTests {
    /// The keys the README names explicitly; the "..." after them covers the others in `LoggedCall.metadata`.
    static let documentedKeys: Set<String> = ["sip.call_id", "route.caller", "route.dialled", "route.status"]

    /// A handler over the sample conf logging into `recorder` at `level`, with a fixed clock (the nonce of
    /// the 401 carries it; nothing here depends on its value).
    static func handler(_ recorder: LogRecorder, level: Logger.Level) throws -> RequestHandler {
        let configuration = try ConfigLoader.load(directory: sampleConfDirectory.path)
        return RequestHandler(
            plans: PlanStore(configuration.plan), counters: Counters(), logger: recorder.logger(level: level),
            nonceSecret: HandlerRig.secret, clock: { 1_700_000_000 })
    }

    static func invite(_ call: LoggedCall) -> [UInt8] {
        callRequest(dial: "202", from: "201@acme.example", sequence: 1,
                    via: "SIP/2.0/UDP \(call.source):5060;branch=z9hG4bK-log-1;rport", callID: call.callID).bytes
    }

    @Test(arguments: LoggedCall.all)
    func decisionIsLoggedWithItsMetadata(_ call: LoggedCall) throws {
        let recorder = LogRecorder()
        let handler = try Self.handler(recorder, level: .info)
        let source = try #require(SocketAddress(host: call.source, port: 5060))
        let reply = try #require(handler.handle(Self.invite(call), from: source))
        #expect(SIPReply(reply.bytes)?.statusLine == call.statusLine)

        // One call, one record: at info, whatever the decision.
        let records = recorder.all
        #expect(records.count == 1, "\(records.map(\.message))")
        let record = try #require(records.first)
        #expect(record.level == .info)
        #expect(record.message == "routed")
        #expect(Self.documentedKeys.isSubset(of: Set(record.metadata.keys)), "README keys missing from \(record.metadata.keys.sorted())")
        #expect(Set(record.metadata.keys) == Set(call.metadata.keys))
        #expect(record.metadata == call.metadata.mapValues { Logger.MetadataValue.string($0) })
    }

    /// At `notice`, the daemon's default level, decisions are not logged at all (and their reasons not even
    /// built, which RequestHandler.logDecision guards for speed).
    @Test(arguments: LoggedCall.all)
    func decisionsAreNotLoggedAtTheDefaultLevel(_ call: LoggedCall) throws {
        let recorder = LogRecorder()
        let handler = try Self.handler(recorder, level: .notice)
        let source = try #require(SocketAddress(host: call.source, port: 5060))
        let reply = try #require(handler.handle(Self.invite(call), from: source))
        #expect(SIPReply(reply.bytes)?.statusLine == call.statusLine)
        #expect(recorder.all.isEmpty, "\(recorder.all.map(\.message))")
    }
}
