import Testing

/// Several workers draining one socket, and batches of datagrams: every request is answered exactly
/// once, with its own answer, from the socket it came to.
@Suite struct WorkerTests {
    @Test(arguments: [1, 2, 4])
    func burstsFromSeveralClientsAreEachAnsweredOnce(workers: Int) throws {
        let server = try TestServer.sample(workers: workers)
        #expect(server.server.workerCount == workers)
        let clients = try (0..<3).map { _ in try UDPClient() }
        let perClient = 150
        // Acme's extensions 100-199 go to the range contact (150 has its own), so every answer names the number it was for.
        for round in 0..<perClient {
            for (index, client) in clients.enumerated() {
                var request = TestRequest(uri: "sip:1\(String(format: "%02d", round % 50))@127.0.0.1",
                                          branch: "z9hG4bK-burst-\(index)-\(round)", client: client)
                request.callID = "burst-\(index)-\(round)@test"
                try server.send(request, from: client)
            }
        }
        for (index, client) in clients.enumerated() {
            var seen = Set<String>()
            while let datagram = client.receive(timeout: 2_000) {
                let reply = try #require(SIPReply(datagram.bytes))
                #expect(datagram.sourcePort == server.port)
                #expect(reply.statusLine == "SIP/2.0 302 Moved Temporarily")
                let callID = try #require(reply.value("Call-ID"))
                let round = try #require(Int(callID.dropFirst("burst-\(index)-".count).prefix { $0 != "@" }))
                #expect(reply.value("Contact") == "<sip:1\(String(format: "%02d", round % 50))@pbx.acme.example>")
                #expect(seen.insert(callID).inserted, "\(callID) was answered twice")
                if seen.count == perClient { break }
            }
            #expect(seen.count == perClient, "client \(index) got \(seen.count) answers of \(perClient)")
        }
        #expect(server.eventually { server.server.counters[.responsesSent] == clients.count * perClient })
    }
}
