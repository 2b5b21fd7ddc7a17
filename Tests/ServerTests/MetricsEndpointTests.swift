// `[metrics] listen`: GET /metrics (Prometheus text format, exact counts) and GET /health over real TCP
// from an in-process daemon; what the listener refuses.
import Config
import Foundation
import Logging
import Routing
import Server
import Testing

@Suite("Metrics endpoint")
struct MetricsEndpointTests {
    @Test("after N INVITEs the counters have grown by exactly N, by method, status and outcome")
    func exactCounts() throws {
        let server = try TestServer(conf: TempConfDirectory.sample(), metrics: true)
        let phone = try Phone(server, host: "127.0.0.1", caller: "202@acme.example")
        let before = try #require(try httpGet(port: server.metricsPort, "/metrics"))
        #expect(before.status == 200)
        #expect(before.headers["content-type"] == "text/plain; version=0.0.4")
        let series = [
            #"switchd_requests_total{method="INVITE"}"#, #"switchd_requests_total{method="OPTIONS"}"#,
            #"switchd_responses_total{status="302"}"#, #"switchd_responses_total{status="404"}"#,
            #"switchd_responses_total{status="403"}"#, #"switchd_decisions_total{outcome="redirect"}"#,
            #"switchd_decisions_total{outcome="emergency"}"#, #"switchd_decisions_total{outcome="not_found"}"#,
            #"switchd_decisions_total{outcome="barred"}"#, "switchd_request_duration_seconds_count",
        ]
        let start = series.map { before.sample($0) }
        let calls: [(method: String, number: String, status: String)] = [
            ("INVITE", "201", "302"), ("INVITE", "911", "302"), ("INVITE", "88888888", "404"),
            ("OPTIONS", "9011442079460000", "403"),
        ]
        let rounds = 5
        for _ in 0..<rounds {
            for call in calls {
                let reply = try #require(try phone.send(call.method, dial: call.number))
                #expect(reply.statusLine.hasPrefix("SIP/2.0 \(call.status) "), "\(call.number): \(reply.statusLine)")
            }
        }
        let after = try #require(try httpGet(port: server.metricsPort, "/metrics"))
        let grown = zip(series, start).map { name, value in (after.sample(name) ?? -1) - (value ?? -1) }
        #expect(grown == [15, 5, 10, 5, 5, 5, 5, 5, 5, 20].map(Double.init))
    }

    @Test("every series exists from the start, at 0")
    func presentFromTheStart() throws {
        let server = try TestServer(conf: TempConfDirectory.sample(), metrics: true)
        let answer = try #require(try httpGet(port: server.metricsPort, "/metrics"))
        let zero = [
            #"switchd_requests_total{method="ACK"}"#, #"switchd_requests_total{method="REGISTER"}"#,
            #"switchd_requests_total{method="other"}"#, #"switchd_responses_total{status="401"}"#,
            #"switchd_responses_total{status="484"}"#, #"switchd_decisions_total{outcome="foreign_trunk"}"#,
            #"switchd_decisions_total{outcome="foreign_domain"}"#, #"switchd_decisions_total{outcome="incomplete"}"#,
            #"switchd_decisions_total{outcome="challenged"}"#, #"switchd_decisions_total{outcome="unavailable"}"#,
            #"switchd_dropped_total{reason="malformed"}"#, #"switchd_dropped_total{reason="oversized"}"#,
            #"switchd_dropped_total{reason="rate_limited"}"#, #"switchd_dropped_total{reason="banned"}"#,
            #"switchd_dropped_total{reason="decision_log"}"#, "switchd_auth_failures_total", "switchd_bans_active",
            #"switchd_config_reloads_total{result="ok"}"#, #"switchd_config_reloads_total{result="failed"}"#,
            #"switchd_registrations{customer="acme"}"#, #"switchd_registrations{customer="globex"}"#,
            #"switchd_connections{transport="tcp"}"#, #"switchd_connections{transport="tls"}"#,
            #"switchd_request_duration_seconds_bucket{le="+Inf"}"#,
        ]
        #expect(zero.filter { answer.sample($0) != 0 } == [])
        #expect(answer.sample("switchd_config_generation") == 1)
        let loaded = try #require(answer.sample("switchd_config_loaded_timestamp_seconds"))
        #expect(abs(loaded - Date().timeIntervalSince1970) < 60)
    }

    @Test("reloads: a failed one is counted and keeps the generation; a good one moves it by 1")
    func reloads() throws {
        let conf = try TempConfDirectory.sample()
        let server = try TestServer(conf: conf, metrics: true)
        let acme = try String(contentsOf: conf.url.appendingPathComponent("customers/acme.toml"), encoding: .utf8)
        try conf.write("customers/acme.toml", acme + "\nbroken = [\n")
        #expect(!server.server.reload())
        let failed = try #require(try httpGet(port: server.metricsPort, "/metrics"))
        #expect(failed.sample(#"switchd_config_reloads_total{result="failed"}"#) == 1)
        #expect(failed.sample("switchd_config_generation") == 1)
        let health = try #require(try httpGet(port: server.metricsPort, "/health"))
        let document = try #require(try JSONSerialization.jsonObject(with: Data(health.body.utf8)) as? [String: Any])
        #expect((document["last_reload"] as? [String: Any])?["result"] as? String == "failed")
        #expect(document["config_generation"] as? Int == 1)

        try conf.write("customers/acme.toml", acme)
        #expect(server.server.reload())
        let good = try #require(try httpGet(port: server.metricsPort, "/metrics"))
        #expect(good.sample(#"switchd_config_reloads_total{result="ok"}"#) == 1)
        #expect(good.sample("switchd_config_generation") == 2)
    }

    @Test("GET /health: 200 and its document while serving")
    func health() throws {
        let server = try TestServer(conf: TempConfDirectory.sample(), streams: [.tcp], metrics: true)
        let answer = try #require(try httpGet(port: server.metricsPort, "/health"))
        #expect(answer.status == 200)
        #expect(answer.headers["content-type"] == "application/json")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(answer.body.utf8)) as? [String: Any])
        #expect(document["status"] as? String == "serving")
        #expect(document["config_generation"] as? Int == 1)
        let lastReload = try #require(document["last_reload"] as? [String: Any])
        #expect(lastReload["result"] as? String == "ok")
        #expect((lastReload["time"] as? String)?.hasSuffix("Z") == true)
        #expect(
            document["listeners"] as? [String] == ["udp:127.0.0.1:\(server.port)", "tcp:127.0.0.1:\(server.port(.tcp))"])
    }

    @Test(
        "what the listener refuses",
        arguments: [
            ("POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nab", 405),
            ("HEAD /metrics HTTP/1.1\r\nHost: x\r\n\r\n", 405),
            ("GET /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello", 413),
            ("GET /metrics HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 413),
            ("GET /admin HTTP/1.1\r\nHost: x\r\n\r\n", 404),
            ("GET /metrics/ HTTP/1.1\r\nHost: x\r\n\r\n", 404),
            ("NOT HTTP AT ALL\r\n\r\n", 400),
        ])
    func refusals(request: String, status: Int) throws {
        let server = try TestServer(conf: TempConfDirectory.sample(), metrics: true)
        let answer = try #require(try httpExchange(port: server.metricsPort, request))
        #expect(answer.status == status)
        if status == 405 { #expect(answer.headers["allow"] == "GET") }
        // The SIP side is untouched.
        let phone = try Phone(server, host: "127.0.0.1", caller: "202@acme.example")
        #expect(try phone.send(dial: "201")?.statusLine == "SIP/2.0 302 Moved Temporarily")
    }

    @Test("a request head over 8 KiB is cut off: the connection is closed, nothing is answered")
    func oversizedHead() throws {
        let server = try TestServer(conf: TempConfDirectory.sample(), metrics: true)
        let padding = String(repeating: "a", count: 9_000)
        #expect(try httpExchange(port: server.metricsPort, "GET /metrics HTTP/1.1\r\nX-Padding: \(padding)\r\n\r\n") == nil)
        #expect(try httpGet(port: server.metricsPort, "/metrics")?.status == 200)
    }

    @Test("connections beyond 64 are closed at once, silent ones after 5 s; SIP is served meanwhile")
    func connectionFlood() throws {
        let server = try TestServer(conf: TempConfDirectory.sample(), metrics: true)
        let held = try (0..<200).map { _ in try TCPClient(port: server.metricsPort) }
        // Those past the limit are closed by the server without a byte.
        let closed = held.suffix(100).filter { $0.closedByServer(timeout: 2_000) }.count
        #expect(closed == 100)
        let phone = try Phone(server, host: "127.0.0.1", caller: "202@acme.example")
        for _ in 0..<20 { #expect(try phone.send(dial: "201")?.statusLine == "SIP/2.0 302 Moved Temporarily") }
        // A connection that sends nothing is closed after the 5 s request timeout (slow clients).
        #expect(held[0].closedByServer(timeout: 7_000))
        #expect(try httpGet(port: server.metricsPort, "/metrics")?.status == 200)
        withExtendedLifetime(held) {}
    }
}

@Suite("Metrics listen address in use")
struct MetricsAddressInUseTests {
    @Test("the start fails naming the address, and the SIP port it had bound is free again")
    func inUse() throws {
        let first = try TestServer(conf: TempConfDirectory.sample(), metrics: true)
        let conf = try TempConfDirectory.sample()
        let configuration = try ConfigLoader.load(directory: conf.path)
        var logger = Logger(label: "switchd-server-tests")
        logger.logLevel = .critical
        let sipPort = try UDPClient(host: "127.0.0.1").port
        let taken = MetricsAddress(host: "127.0.0.1", port: first.metricsPort)
        #expect {
            _ = try SIPServer(
                configuration: configuration, configDirectory: conf.path,
                listen: [ListenAddress(host: "127.0.0.1", port: sipPort)],
                metrics: taken, logger: logger)
        } throws: { error in
            "\(error)" == "bind metrics 127.0.0.1:\(first.metricsPort) failed: Address already in use (errno 98)"
        }
        let again = try SIPServer(
            configuration: configuration, configDirectory: conf.path, listen: [ListenAddress(host: "127.0.0.1", port: sipPort)],
            logger: logger)
        again.stop()
    }
}
