// `[log] decisions`: one JSON object per answered INVITE, OPTIONS to a number and REGISTER, written
// off the request path; a full buffer drops and counts; reopen() follows logrotate.
import Foundation
import Server
import Testing

private func temporaryLogPath() -> String {
    FileManager.default.temporaryDirectory.appendingPathComponent("switchd-decisions-\(UUID().uuidString)/decisions.log").path
}

private func lines(_ path: String) throws -> [[String: Any]] {
    let text = try String(contentsOfFile: path, encoding: .utf8)
    return try text.split(separator: "\n").map { line in
        try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "not a JSON object: \(line)")
    }
}

private func entry(_ n: Int) -> DecisionEntry {
    DecisionEntry(
        time: 1_700_000_000.5 + Double(n), callID: "c\(n)", method: "INVITE", source: "127.0.0.1:5060", transport: "udp",
        caller: "acme", user: "201", dialled: "\(n)", status: 404,
        verdict: .call(.challenge(realm: "acme.example", stale: false, reason: .unknownDomain(host: "x.example"))))
}

@Suite("Decision log file")
struct DecisionLogFileTests {
    @Test("calls, challenges and registrations: the issue's fields, exactly")
    func fields() throws {
        let path = temporaryLogPath()
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        let log = DecisionLog(path: path, counters: Counters())
        let rig = try RegistrarRig(decisionLog: log)
        #expect(try rig.invite("911", from: "202@acme.example", sequence: 1).statusLine == "SIP/2.0 302 Moved Temporarily")
        #expect(
            try rig.invite("9011442079460000", from: "202@acme.example", sequence: 2).statusLine
                == "SIP/2.0 403 Call Class Barred")
        #expect(
            try rig.register("203@acme.example", headers: [("Contact", "<sip:203@10.1.0.9:5062>")]).statusLine == "SIP/2.0 200 OK"
        )
        #expect(try rig.register("201@acme.example", source: "192.0.2.7").statusLine == "SIP/2.0 401 Unauthorized")
        log.close()

        let written = try lines(path)
        #expect(written.count == 4)
        guard written.count == 4 else { return }
        let emergency = written[0]
        #expect(emergency["time"] as? String == "2023-11-14T22:13:20.000Z")
        #expect(emergency["call_id"] as? String == "call-1@test")
        #expect(emergency["method"] as? String == "INVITE")
        #expect(emergency["source"] as? String == "127.0.0.1:5070")
        #expect(emergency["transport"] as? String == "udp")
        #expect(emergency["caller"] as? String == "acme")
        #expect(emergency["user"] as? String == "202")
        #expect(emergency["dialled"] as? String == "911")
        #expect(emergency["status"] as? Int == 302)
        #expect(emergency["contact"] as? [String] == ["sip:911@emergency-gw.example"])
        #expect(emergency["reason"] as? String == "911 is an emergency number; it goes to the emergency gateway")
        #expect(written[1]["status"] as? Int == 403)
        #expect(written[1]["contact"] as? [String] == [])
        #expect(written[1]["reason"] as? String == "011 is international; trunk 9 of Acme Corp allows local, national, tollfree")
        // A REGISTER: dialled is the To user, contact the bindings it leaves.
        #expect(written[2]["method"] as? String == "REGISTER")
        #expect(written[2]["dialled"] as? String == "203")
        #expect(written[2]["caller"] as? String == "acme")
        #expect(written[2]["status"] as? Int == 200)
        #expect(written[2]["contact"] as? [String] == ["sip:203@10.1.0.9:5062"])
        // A challenge is the evidence of an attack: logged, and nobody is identified.
        #expect(written[3]["status"] as? Int == 401)
        #expect(written[3]["caller"] is NSNull)
        #expect(written[3]["source"] as? String == "192.0.2.7:5062")
    }

    @Test("a full buffer drops entries and counts them, never waits")
    func fullBuffer() throws {
        let path = temporaryLogPath()
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        let counters = Counters()
        let log = DecisionLog(path: path, capacity: 2, counters: counters, start: false)
        for n in 0..<5 { log.record(entry(n)) }
        #expect(counters[.decisionLogDropped] == 3)
        log.start()
        log.close()
        #expect(try lines(path).map { $0["dialled"] as? String } == ["0", "1"])
    }

    @Test("reopen() after the file was moved: old lines stay in the moved file, new ones go to the path")
    func reopenAfterRotation() throws {
        let path = temporaryLogPath()
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        let log = DecisionLog(path: path, counters: Counters())
        log.record(entry(1))
        // The writer's own pace: wait (bounded) until the first line is on disk, as logrotate would find it.
        let deadline = Date().addingTimeInterval(5)
        while (try? lines(path).count) != 1, Date() < deadline { usleep(5_000) }
        try FileManager.default.moveItem(atPath: path, toPath: path + ".1")
        log.reopen()
        log.record(entry(2))
        log.close()
        #expect(try lines(path + ".1").map { $0["dialled"] as? String } == ["1"])
        #expect(try lines(path).map { $0["dialled"] as? String } == ["2"])
    }

    @Test("strings are JSON-escaped, one line each")
    func escaping() throws {
        let path = temporaryLogPath()
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        let log = DecisionLog(path: path, counters: Counters())
        var odd = entry(1)
        odd.callID = "a\"b\\c\nd\u{1}"
        log.record(odd)
        log.close()
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.split(separator: "\n").count == 1)
        #expect(try lines(path).first?["call_id"] as? String == "a\"b\\c\nd\u{1}")
    }
}
