// In-process cost of the per-datagram path: `RequestHandler.handle` on the INVITE and the ACK of a
// SIPp-like call, without sockets. It shows where the user-space time of `bench/bench.py` goes, and is the
// program to run under `valgrind --tool=callgrind` for instruction counts:
//
//   swift run -c release HandlerBench [CONF-DIR] [CALLS-CSV or -] [ITERATIONS]
//
// CALLS-CSV is an injection file of bench/generate.py (caller user;caller domain;dialled;...); without
// one, calls of the sample conf/ are used. Every answer is checked against the CSV's expected status.

import Foundation
import Logging
import Routing
import Server

struct Call {
    let user: String, domain: String, dialled: String, expectedStatus: Int
}

func readCalls(_ path: String?) -> [Call] {
    guard let path else {
        return [
            Call(user: "100", domain: "globex.example", dialled: "71201", expectedStatus: 302),
            Call(user: "201", domain: "acme.example", dialled: "150", expectedStatus: 302),
            Call(user: "201", domain: "acme.example", dialled: "90041", expectedStatus: 302),
            Call(user: "201", domain: "acme.example", dialled: "7", expectedStatus: 484),
        ]
    }
    guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
        FileHandle.standardError.write(Data("HandlerBench: cannot read \(path)\n".utf8))
        exit(2)
    }
    return text.split(separator: "\n").dropFirst().compactMap { line in
        let fields = line.split(separator: ";", omittingEmptySubsequences: false).map(String.init)
        guard fields.count >= 4, let status = Int(fields[3]) else { return nil }
        return Call(user: fields[0], domain: fields[1], dialled: fields[2], expectedStatus: status)
    }
}

/// The messages of bench/call.xml, with the values SIPp would fill in.
func messages(for call: Call, number: Int) -> (invite: [UInt8], ack: [UInt8]) {
    let branch = "z9hG4bK-4242-\(number)-0"
    let common = """
        Via: SIP/2.0/UDP 127.0.0.1:5061;branch=\(branch)\r
        Max-Forwards: 70\r
        From: <sip:\(call.user)@\(call.domain)>;tag=4242SIPpTag00\(number)\r
        To: <sip:\(call.dialled)@127.0.0.1:5060>\r
        Call-ID: \(number)-4242@127.0.0.1\r

        """
    let invite =
        "INVITE sip:\(call.dialled)@127.0.0.1:5060 SIP/2.0\r\n" + common
        + "CSeq: 1 INVITE\r\nContact: <sip:\(call.user)@127.0.0.1:5061>\r\nContent-Length: 0\r\n\r\n"
    let ack =
        "ACK sip:\(call.dialled)@127.0.0.1:5060 SIP/2.0\r\n" + common
        + "CSeq: 1 ACK\r\nContent-Length: 0\r\n\r\n"
    return (Array(invite.utf8), Array(ack.utf8))
}

let arguments = CommandLine.arguments
let confDirectory = arguments.count > 1 ? arguments[1] : "conf"
let calls = readCalls(arguments.count > 2 && arguments[2] != "-" ? arguments[2] : nil)
let iterations = arguments.count > 3 ? Int(arguments[3]) ?? 200_000 : 200_000

let configuration: Configuration
do {
    configuration = try ConfigLoader.load(directory: confDirectory)
} catch {
    FileHandle.standardError.write(Data("HandlerBench: \(error)\n".utf8))
    exit(2)
}
var logger = Logger(label: "switchd.bench")
logger.logLevel = .notice
// HANDLERBENCH_DECISION_LOG=PATH: the same with `[log] decisions` (its writer thread counts too).
let counters = Counters()
let decisionLog = ProcessInfo.processInfo.environment["HANDLERBENCH_DECISION_LOG"].map {
    DecisionLog(path: $0, counters: counters)
}
let handler = RequestHandler(
    plans: PlanStore(configuration.plan), counters: counters, logger: logger, decisionLog: decisionLog)
let source = SocketAddress(host: "127.0.0.1", port: 5061)!
let prepared = calls.prefix(10_000).enumerated().map { messages(for: $1, number: $0) }
let expected = calls.prefix(10_000).map(\.expectedStatus)

// Correctness first: every INVITE gets the status the CSV expects, every ACK gets nothing.
for (index, pair) in prepared.enumerated() {
    let reply = handler.handle(pair.invite, from: source)
    let status = reply.flatMap { Int(String(decoding: $0.bytes[8..<11], as: UTF8.self)) }
    guard status == expected[index] else {
        FileHandle.standardError.write(
            Data(
                "HandlerBench: call \(index) answered \(status.map(String.init) ?? "nothing"), expected \(expected[index])\n".utf8
            ))
        exit(1)
    }
    guard handler.handle(pair.ack, from: source) == nil else {
        FileHandle.standardError.write(Data("HandlerBench: an ACK was answered\n".utf8))
        exit(1)
    }
}

func measure(_ label: String, _ body: (Int) -> Void) {
    let clock = ContinuousClock()
    let elapsed = clock.measure {
        for index in 0..<iterations { body(index % prepared.count) }
    }
    let nanoseconds = Double(elapsed.components.seconds) * 1e9 + Double(elapsed.components.attoseconds) / 1e9
    print("\(label): \(String(format: "%.0f", nanoseconds / Double(iterations))) ns per message (\(iterations) messages)")
}

var answered = 0
measure("INVITE -> answer") { index in
    if handler.handle(prepared[index].invite, from: source) != nil { answered += 1 }
}
measure("ACK -> nothing") { index in
    if handler.handle(prepared[index].ack, from: source) != nil { answered += 1 }
}
print("answered \(answered) INVITEs of \(iterations)")
if let decisionLog {
    decisionLog.close()
    print("decision log: \(counters[.decisionLogDropped]) entries dropped")
}
