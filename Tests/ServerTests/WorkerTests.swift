import Config
import Logging
import Routing
import Server
import Testing

#if canImport(Glibc)
    import Glibc
#endif

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
                var request = TestRequest(
                    uri: "sip:1\(String(format: "%02d", round % 50))@127.0.0.1",
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

/// Every worker keeps a thread of Dispatch's pool: more than `maximumWorkerThreads` over all addresses
/// is refused at start with a message that says why, before anything listens.
@Test func tooManyWorkerThreadsAreRefused() throws {
    let conf = try TempConfDirectory.sample()
    let configuration = try ConfigLoader.load(directory: conf.path)
    var logger = Logger(label: "switchd-worker-tests")
    logger.logLevel = .critical
    let addresses = [ListenAddress(host: "127.0.0.1", port: 0), ListenAddress(host: "127.0.0.1", port: 0)]
    #expect(throws: TooManyWorkers.self) {
        try SIPServer(configuration: configuration, configDirectory: conf.path, listen: addresses, workers: 33, logger: logger)
    }
    do {
        _ = try SIPServer(
            configuration: configuration, configDirectory: conf.path, listen: addresses, workers: 33, logger: logger)
    } catch {
        #expect("\(error)" == "33 workers × 2 listen addresses need 66 threads; at most 64 are allowed")
    }
    // 32 × 2 is within the limit.
    let server = try SIPServer(
        configuration: configuration, configDirectory: conf.path, listen: addresses, workers: 32, logger: logger)
    #expect(server.workerCount == 32)
}

/// A second server on a port already served fails to start instead of silently sharing the calls.
@Test func aPortInUseIsRefused() throws {
    let first = try TestServer.sample()
    let conf = try TempConfDirectory.sample()
    let configuration = try ConfigLoader.load(directory: conf.path)
    var logger = Logger(label: "switchd-worker-tests")
    logger.logLevel = .critical
    #expect {
        try SIPServer(
            configuration: configuration, configDirectory: conf.path,
            listen: [ListenAddress(host: "127.0.0.1", port: first.port)], logger: logger)
    } throws: { error in
        (error as? IOError)?.errno == EADDRINUSE
    }
}
