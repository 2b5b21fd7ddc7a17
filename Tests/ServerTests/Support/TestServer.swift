import Config
import Foundation
import Logging
import Routing
import Server
import Testing

/// The package root, found from this file: Tests/ServerTests/Support/TestServer.swift.
let packageRoot: URL = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// The sample configuration shipped in `conf/`.
let sampleConfDirectory = packageRoot.appendingPathComponent("conf", isDirectory: true)

/// The RFC 4475 torture messages kept in the repository, `Tests/Fixtures/sip-torture/`.
let tortureDirectory = packageRoot.appendingPathComponent("Tests/Fixtures/sip-torture", isDirectory: true)

/// A configuration directory in a fresh temporary folder, removed in `deinit`.
final class TempConfDirectory {
    let url: URL
    var path: String { url.path }

    /// A copy of the sample `conf/`.
    static func sample() throws -> TempConfDirectory {
        let directory = try TempConfDirectory(files: [:])
        // Not var/: what `make run` left there (the sample's binding store) is no part of the conf.
        for entry in try FileManager.default.contentsOfDirectory(atPath: sampleConfDirectory.path) where entry != "var" {
            try FileManager.default.copyItem(
                at: sampleConfDirectory.appendingPathComponent(entry), to: directory.url.appendingPathComponent(entry))
        }
        return directory
    }

    /// A directory holding `files` (relative path -> contents).
    init(files: [String: String]) throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("switchd-server-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        for (relative, contents) in files { try write(relative, contents) }
    }

    func write(_ relative: String, _ contents: String) throws {
        let file = url.appendingPathComponent(relative)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(contents.utf8).write(to: file)
    }

    deinit {
        try? FileManager.default.removeItem(at: url)
    }
}

/// A switchd running in-process on 127.0.0.1 (ephemeral port) over a configuration directory; stopped
/// and its directory removed in `deinit`.
final class TestServer {
    let conf: TempConfDirectory
    let configuration: Configuration
    let server: SIPServer
    let host: String
    var port: UInt16 { server.boundAddresses[0].port }

    /// `clock`: the server's time is the test's (rate limits, bans and nonces then move only when the test
    /// moves it); nil serves on the wall clock, as the daemon does.
    /// `streams`: TCP and TLS listen addresses beside the UDP one (each on its own ephemeral port).
    /// `metrics`: `/metrics` and `/health` on an ephemeral port of `host` (`metricsPort`).
    init(
        conf: TempConfDirectory, host: String = "127.0.0.1", workers: Int? = nil, clock: ManualClock? = nil,
        streams: [SIPTransport] = [], metrics: Bool = false
    ) throws {
        self.host = host
        self.conf = conf
        configuration = try ConfigLoader.load(directory: conf.path)
        var logger = Logger(label: "switchd-server-tests")
        logger.logLevel = .critical
        var serverClock: (@Sendable () -> Double)?
        if let clock { serverClock = { clock.now } }
        server = try SIPServer(
            configuration: configuration, configDirectory: conf.path,
            listen: [ListenAddress(host: host, port: 0)] + streams.map { ListenAddress($0, host: host, port: 0) },
            workers: workers, metrics: metrics ? MetricsAddress(host: host, port: 0) : nil, logger: logger, clock: serverClock)
        server.start()
    }

    /// The sample `conf/` (copied to a temporary directory).
    static func sample(host: String = "127.0.0.1", workers: Int? = nil, clock: ManualClock? = nil) throws -> TestServer {
        try TestServer(conf: TempConfDirectory.sample(), host: host, workers: workers, clock: clock)
    }

    /// Where `/metrics` and `/health` are served (0 without `metrics`).
    var metricsPort: UInt16 { server.metricsAddress?.port ?? 0 }

    /// The port the first listen address of `transport` was bound to.
    func port(_ transport: SIPTransport) -> UInt16 {
        server.boundListenAddresses.first { $0.transport == transport }?.port ?? 0
    }

    deinit {
        server.stop()
    }

    func send(_ bytes: [UInt8], from client: UDPClient) throws {
        try client.send(bytes, toHost: host, port: port)
    }

    func send(_ request: TestRequest, from client: UDPClient) throws {
        try send(request.bytes, from: client)
    }

    /// Sends `bytes` from `client` and returns the one answer that comes back to `listener` (the client
    /// itself by default), checking that it left from the server's socket.
    func exchange(
        _ bytes: [UInt8], from client: UDPClient, answerTo listener: UDPClient? = nil,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> SIPReply? {
        try send(bytes, from: client)
        guard let datagram = (listener ?? client).receive() else { return nil }
        #expect(
            datagram.sourceHost == host && datagram.sourcePort == port,
            "the response must leave from the socket the request came in on", sourceLocation: sourceLocation)
        return SIPReply(datagram.bytes)
    }

    func exchange(
        _ request: TestRequest, from client: UDPClient, answerTo listener: UDPClient? = nil,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> SIPReply? {
        try exchange(request.bytes, from: client, answerTo: listener, sourceLocation: sourceLocation)
    }

    /// Polls until `condition` holds (counters are bumped on the server's queue), up to ~2 s.
    func eventually(_ condition: () -> Bool) -> Bool {
        for _ in 0..<200 {
            if condition() { return true }
            usleep(10_000)
        }
        return condition()
    }

    /// A normal keep-alive OPTIONS from a fresh socket gets 200: the server is still serving.
    func answersKeepAlive(branch: String = "z9hG4bK-alive") throws -> Bool {
        let client = try UDPClient(host: host.contains(":") ? host : "127.0.0.1")
        var request = TestRequest(method: "OPTIONS", uri: "sip:127.0.0.1", branch: branch, client: client)
        request.to = "<sip:127.0.0.1>"
        return try exchange(request, from: client)?.statusLine == "SIP/2.0 200 OK"
    }
}
