// The request duration histogram: each worker counts in its own meter; the exporter's replay into
// swift-prometheus keeps every bucket, the count and the sum exact. Durations come from an injected
// clock, so nothing here waits.
import Config
import Foundation
import Logging
import Registrar
import Routing
import SIP
import Synchronization
import Testing

@testable import Server

/// A monotonic clock that moves by `step` nanoseconds each time it is read.
private final class SteppingClock: Sendable {
    private let now = Atomic(0)
    let step: Int

    init(step: Int) { self.step = step }

    func read() -> Int { now.wrappingAdd(step, ordering: .relaxed).newValue }
}

private func exposition(_ exporter: MetricsExporter) -> HTTPAnswer {
    HTTPAnswer(status: 200, headers: [:], body: String(decoding: exporter.exposition(), as: UTF8.self))
}

@Suite("Metrics fold")
struct MetricsFoldTests {
    @Test("requests of 20 µs each: all in the 25 µs bucket, the sum exact, across two folds")
    func durationsFromAnInjectedClock() throws {
        let configuration = try ConfigLoader.load(directory: sampleConfDirectory.path)
        var logger = Logger(label: "switchd-metrics-tests")
        logger.logLevel = .critical
        let counters = Counters()
        // Read twice per request (at its start and its end): each request takes 20 µs.
        let clock = SteppingClock(step: 20_000)
        let handler = RequestHandler(
            plans: PlanStore(configuration.plan), counters: counters, logger: logger, durationClock: { clock.read() })
        let exporter = MetricsExporter()
        let source = SocketAddress(host: "127.0.0.1", port: 5070)!
        func call(_ sequence: Int) {
            let request = callRequest(
                "INVITE", dial: "201", from: "202@acme.example", sequence: sequence,
                via: "SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-fold-\(sequence)")
            _ = handler.handle(request.bytes, from: source, meter: counters.meters.makeMeter())
        }
        for sequence in 1...7 { call(sequence) }
        exporter.publish(MetricsSnapshot(meters: counters.meters))
        for sequence in 8...10 { call(sequence) }
        exporter.publish(MetricsSnapshot(meters: counters.meters))
        let text = exposition(exporter)
        #expect(text.sample(#"switchd_request_duration_seconds_bucket{le="0.00001"}"#) == 0)
        #expect(text.sample(#"switchd_request_duration_seconds_bucket{le="0.000025"}"#) == 10)
        #expect(text.sample(#"switchd_request_duration_seconds_bucket{le="+Inf"}"#) == 10)
        #expect(text.sample("switchd_request_duration_seconds_count") == 10)
        #expect(text.sample("switchd_request_duration_seconds_sum") == 0.0002)
        #expect(text.sample(#"switchd_requests_total{method="INVITE"}"#) == 10)
        #expect(text.sample(#"switchd_responses_total{status="302"}"#) == 10)
    }

    @Test("mixed durations in several buckets and meters: buckets cumulative and exact, the sum exact")
    func mixedBuckets() {
        let meters = MeterSet()
        let first = meters.makeMeter()
        let second = meters.makeMeter()
        // 3 in (0, 10 µs], 2 in (50, 100 µs], 1 over 1 s.
        for nanoseconds in [1_000, 9_999, 10_000] { first.recordDuration(nanoseconds: nanoseconds) }
        for nanoseconds in [60_000, 99_001] { second.recordDuration(nanoseconds: nanoseconds) }
        second.recordDuration(nanoseconds: 3_000_000_000)
        let exporter = MetricsExporter()
        exporter.publish(MetricsSnapshot(meters: meters))
        // A second publish with nothing new changes nothing.
        exporter.publish(MetricsSnapshot(meters: meters))
        let text = exposition(exporter)
        let buckets = ["0.00001", "0.000025", "0.00005", "0.0001", "0.00025", "1.0", "+Inf"].map {
            text.sample("switchd_request_duration_seconds_bucket{le=\"\($0)\"}")
        }
        #expect(buckets == [3, 3, 3, 5, 5, 5, 6])
        #expect(text.sample("switchd_request_duration_seconds_count") == 6)
        #expect(text.sample("switchd_request_duration_seconds_sum") == 3.00018)
    }

    @Test("a status outside 100-699 is not counted; an unknown one appears when it first happens")
    func statuses() {
        let meters = MeterSet()
        let meter = meters.makeMeter()
        meter.countResponse(status: 99)
        meter.countResponse(status: 700)
        meter.countResponse(status: 486)
        let exporter = MetricsExporter()
        exporter.publish(MetricsSnapshot(meters: meters))
        let text = exposition(exporter)
        #expect(text.sample(#"switchd_responses_total{status="486"}"#) == 1)
        #expect(!text.body.contains(#"status="700""#) && !text.body.contains(#"status="99""#))
    }
}

@Suite("Response catalog statuses")
struct ResponseCatalogStatusTests {
    @Test("every status the catalog answers with is in ResponseCatalog.statusCodes (the metrics' series)")
    func everyStatusIsListed() {
        let outcomes: [Decision.Outcome] = [
            .redirect(contact: "sip:x@y"), .registeredOnly, .forbidden(.foreignDomain), .forbidden(.trunkOfAnotherCustomer),
            .forbidden(.callClassBarred), .notFound, .addressIncomplete,
        ]
        var codes = Set(outcomes.map { ResponseCatalog.statusLine(for: $0).code })
        codes.insert(
            ResponseCatalog.statusLine(for: CallVerdict.challenge(realm: "r", stale: false, reason: .unknownDomain(host: "h")))
                .code)
        let registrations: [RegistrationVerdict] = [
            .refused(.foreignAddressOfRecord(host: "h")), .refused(.notAnExtension(caller: "c", user: "u")),
            .refused(.requestURINotServed(host: "h")), .refused(.contactNotAllowed(contact: "c", why: "w")),
            .registrar(.intervalTooBrief(minExpires: 60)), .registrar(.invalidWildcard), .registrar(.outOfOrder),
            .registrar(.invalidContact("c", .missingHost)), .registrar(.tooManyContacts(maxContacts: 1)),
            .registrar(.storeBacklogFull(limit: 1)),
        ]
        for verdict in registrations { codes.insert(ResponseCatalog.statusLine(for: verdict).code) }
        let errors: [ResponseCatalog.ProtocolError] = [
            .tooManyHops, .unsupportedScheme, .badExtension(unsupported: ["x"]), .methodNotAllowed, .notImplemented,
            .missingMaxForwards,
        ]
        for error in errors { codes.insert(ResponseCatalog.statusLine(for: error).code) }
        for error in [StreamFramingError.missingContentLength, .invalidContentLength, .tooLarge] {
            codes.insert(ResponseCatalog.statusLine(for: error).code)
        }
        codes.insert(ResponseCatalog.statusLine(for: .malformed("x")).code)
        codes.insert(ResponseCatalog.statusLine(for: .versionNotSupported).code)
        codes.insert(200)  // the keep-alive and a REGISTER's 200
        #expect(codes.subtracting(ResponseCatalog.statusCodes) == [])
        #expect(Set(ResponseCatalog.statusCodes).subtracting(codes) == [])
    }
}

@Suite("Health while stopping")
struct HealthStoppingTests {
    @Test("GET /health is 503 with status stopping once the daemon stops")
    func stopping() throws {
        var logger = Logger(label: "switchd-metrics-tests")
        logger.logLevel = .critical
        let status = DaemonStatus(loadedAt: 1_700_000_000)
        let listeners = [ListenAddress(.udp, host: "127.0.0.1", port: 5060)]
        let server = try MetricsHTTPServer(
            address: MetricsAddress(host: "127.0.0.1", port: 0),
            routes: MetricsRoutes(
                metrics: { [] },
                health: { status.health(listeners: listeners) }), logger: logger)
        defer { server.stop() }
        #expect(try httpGet(port: server.localAddress.port, "/health")?.status == 200)
        status.beginStopping()
        let answer = try #require(try httpGet(port: server.localAddress.port, "/health"))
        #expect(answer.status == 503)
        #expect(
            answer.body
                == #"{"status":"stopping","config_generation":1,"last_reload":{"result":"ok","time":"2023-11-14T22:13:20.000Z"},"listeners":["udp:127.0.0.1:5060"]}"#
                + "\n")
    }
}
