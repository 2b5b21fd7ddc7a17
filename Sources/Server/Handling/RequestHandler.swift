import Addressing
import Auth
import Config
import Foundation
import Logging
import Registrar
import Routing
import SIP

/// A response ready to send: bytes and the address §18.2.2 names.
public struct Reply: Sendable {
    public let bytes: [UInt8]
    public let destination: SocketAddress
    /// Its status code, for the metrics.
    public let status: Int
}

/// Turns one datagram into at most one reply. Nothing here blocks; the only state is the bounded
/// per-address protection table (rate limits, bans) and the nonce-count replay table.
public final class RequestHandler: Sendable {
    private let plans: PlanStore
    private let counters: Counters
    private let logger: Logger
    private let toTags: ToTagGenerator
    private let sources: SourceGuard
    private let router: CallRouter
    private let registrar: RegistrationHandler?
    private let clock: @Sendable () -> Double
    /// `[log] decisions`, when configured.
    private let decisionLog: DecisionLog?
    /// Nanoseconds of a monotonic clock: the handling time of each request is measured with it.
    private let durationClock: @Sendable () -> Int

    /// `clock` returns seconds (wall time: nonces and bindings carry it); tests pass their own.
    /// `location` serves REGISTER (bindings in memory when nil); `bound` names the addresses the
    /// sockets are bound to (ports as bound), which a REGISTER's Request-URI may name and a Contact may not.
    public init(
        plans: PlanStore, counters: Counters, logger: Logger, limits: LimitSettings = LimitSettings(),
        nonceLifetime: Int = 300, nonceSecret: [UInt8] = NonceService.randomSecret(),
        location: LocationService? = nil, bound: [SocketAddress] = [], decisionLog: DecisionLog? = nil,
        clock: @escaping @Sendable () -> Double = RequestHandler.wallClock,
        durationClock: @escaping @Sendable () -> Int = RequestHandler.monotonicClock
    ) {
        SIPParser.initialize()
        self.plans = plans
        self.counters = counters
        self.logger = logger
        self.toTags = ToTagGenerator()
        self.sources = SourceGuard(settings: limits)
        let verifier = DigestVerifier(nonces: NonceService(secret: nonceSecret, lifetime: nonceLifetime))
        let gate = TrustGate(verifier: verifier)
        // Without a store of its own (tests, the fuzzer, the benchmarks) the handler keeps bindings in memory.
        let service = location ?? (try? LocationService(settings: RegistrarSettings(), store: MemoryBindingStore(), now: clock()))
        self.router = CallRouter(gate: gate, location: service)
        self.registrar = service.map { RegistrationHandler(gate: gate, location: $0, bound: bound) }
        self.clock = clock
        self.decisionLog = decisionLog
        self.durationClock = durationClock
    }

    /// Seconds since 1970: what nonces and bindings carry (tests pass a clock of their own).
    public static let wallClock: @Sendable () -> Double = { Date().timeIntervalSince1970 }

    /// Nanoseconds that only go forward: what a request's handling time is measured with.
    public static let monotonicClock: @Sendable () -> Int = { SystemCalls.monotonicNanoseconds() }

    /// The largest UDP payload over IPv4 (65,535 - 8 - 20). A response this large cannot be sent: RFC 3261
    /// §18.1.1 would switch to TCP, which a UDP-only server cannot, so it is dropped and counted.
    public static let maximumReply = 65_507

    /// One request (a datagram, or a message a stream's framer cut out) from `source`; over a stream
    /// the reply goes back on the connection whatever its `destination` says (RFC 3261 §18.2.2).
    /// Counted in `meter`, the calling worker's own (the shared one when nil).
    public func handle(
        _ datagram: [UInt8], from source: SocketAddress, transport: SIPTransport = .udp, meter: RequestMeter? = nil
    ) -> Reply? {
        let meter = meter ?? counters.meters.shared
        let started = durationClock()
        defer { meter.recordDuration(nanoseconds: durationClock() - started) }
        guard let reply = answer(datagram, from: source, transport: transport, meter: meter) else { return nil }
        guard transport.isStream || reply.bytes.count <= Self.maximumReply else {
            meter.countDrop(.oversizedReply)
            logger.debug(
                "response too large for UDP: dropped", metadata: ["sip.source": "\(source)", "bytes": "\(reply.bytes.count)"])
            return nil
        }
        meter.countResponse(status: reply.status)
        return reply
    }

    /// The answer to a message a stream cannot frame (no or a bad Content-Length, too large), made
    /// from its headers as far as they parse; the caller closes the connection after sending it.
    /// Counted against the source's rate like any request.
    public func answerUnframeable(
        header: [UInt8], _ error: StreamFramingError, from source: SocketAddress, meter: RequestMeter? = nil
    ) -> Reply? {
        let meter = meter ?? counters.meters.shared
        let now = clock()
        let sourceIP = source.ipAddress
        if !plans.plan.isInAnyNetwork(sourceIP), !admit(sourceIP, now: now, meter: meter) { return nil }
        let reply = unframeableReply(header: header, error, from: source, meter: meter)
        if let reply { meter.countResponse(status: reply.status) }
        return reply
    }

    private func unframeableReply(
        header: [UInt8], _ error: StreamFramingError, from source: SocketAddress, meter: RequestMeter
    ) -> Reply? {
        let response = SIPResponse(ResponseCatalog.statusLine(for: error))
        logger.info(
            "rejected a message the stream cannot frame; closing the connection",
            metadata: ["sip.source": "\(source)", "sip.status": "\(response.status)", "sip.problem": "\(response.reasonPhrase)"])
        switch SIPParser.parse(header) {
        case .request(let request):
            meter.countRequest(MethodLabel(request.method))
            return reply(response, echoing: request, from: source)
        case .invalid(let invalid):
            meter.countRequest(MethodLabel(invalid.method ?? ""))
            return reply(response, echoing: invalid, from: source)
        case .unanswered(let method, _):
            meter.countRequest(MethodLabel(method))
            return nil
        case .response, .unrecoverable:
            meter.countRequest(.other)
            return nil
        }
    }

    /// Whether a stream from `source` must be closed: the address is banned.
    public func isBanned(_ source: IPAddress) -> Bool {
        sources.isBanned(source, now: clock())
    }

    /// Addresses banned now.
    public var activeBans: Int { sources.activeBans(now: clock()) }

    private func answer(_ datagram: [UInt8], from source: SocketAddress, transport: SIPTransport, meter: RequestMeter) -> Reply? {
        let now = clock()
        let plan = plans.plan
        let sourceIP = source.ipAddress
        // Trusted networks (an SBC, the PBX itself) are exempt from rate limits and bans.
        let exempt = plan.isInAnyNetwork(sourceIP)
        if !exempt, !admit(sourceIP, now: now, meter: meter) { return nil }
        switch SIPParser.parse(datagram) {
        case .response:
            counters.increment(.responsesIgnored)
            return nil
        case .unanswered(let method, let problem):
            meter.countRequest(MethodLabel(method))
            if let problem {
                logger.debug(
                    "ignored a malformed request that gets no answer anyway",
                    metadata: [
                        "sip.source": "\(source)", "sip.method": "\(method)", "sip.problem": "\(problem)",
                    ])
            }
            return nil
        case .unrecoverable(let reason):
            meter.countDrop(.malformed)
            logger.debug("dropped an unanswerable datagram", metadata: ["sip.source": "\(source)", "sip.problem": "\(reason)"])
            return nil
        case .invalid(let invalid):
            meter.countRequest(MethodLabel(invalid.method ?? ""))
            let response = ResponseCatalog.response(for: invalid.problem)
            var metadata: Logger.Metadata = [
                "sip.source": "\(source)", "sip.call_id": "\(invalid.callID ?? "-")",
                "sip.status": "\(response.status)", "sip.problem": "\(response.reasonPhrase)",
            ]
            // libosip2's own complaint, when it refused the message: the detail an admin debugging a
            // phone wants, which the reason phrase (a summary safe to send) leaves out.
            if let detail = invalid.detail, !detail.isEmpty { metadata["sip.osip"] = "\(detail)" }
            logger.info("rejected a malformed request", metadata: metadata)
            return reply(response, echoing: invalid, from: source)
        case .request(let request):
            meter.countRequest(MethodLabel(request.method))
            let context = RequestContext(
                source: source, sourceIP: sourceIP, plan: plan, now: now, exempt: exempt, transport: transport, meter: meter)
            guard let response = respond(to: request, context) else { return nil }
            return reply(response, echoing: request, from: source)
        }
    }

    /// `response` to `request`, its destination and Via parameters per RFC 3261 §18.2.2 / RFC 3581, a
    /// To tag added when the request had none.
    private func reply(_ response: SIPResponse, echoing request: SIPRequest, from source: SocketAddress) -> Reply {
        let destination = ResponseDestination(topVia: request.vias.first, source: source)
        let tag =
            request.to.tag == nil
            ? toTags.tag(
                branch: request.vias.first?.branch, fromTag: request.from.tag, callID: request.callID, cseq: request.cseq.raw)
            : nil
        let bytes = response.serialize(echoing: request, toTag: tag, received: destination.received, rport: destination.rport)
        return Reply(bytes: bytes, destination: destination.address, status: response.status)
    }

    /// `response` to a request that did not parse, echoing what was recovered of it.
    private func reply(_ response: SIPResponse, echoing invalid: SIPInvalidRequest, from source: SocketAddress) -> Reply {
        let destination = ResponseDestination(topVia: invalid.vias.first, source: source)
        // The serialiser adds the tag only where the To can be split and has none.
        let tag = toTags.tag(branch: invalid.vias.first?.branch, fromTag: nil, callID: invalid.callID, cseq: invalid.cseqRaw)
        let bytes = response.serialize(echoing: invalid, toTag: tag, received: destination.received, rport: destination.rport)
        return Reply(bytes: bytes, destination: destination.address, status: response.status)
    }

    struct RequestContext {
        let source: SocketAddress
        let sourceIP: IPAddress
        let plan: DialPlan
        let now: Double
        let exempt: Bool
        let transport: SIPTransport
        let meter: RequestMeter
    }

    /// Method dispatch and the RFC 3261 §8.2 checks, in the order the RFC gives them. ACK and CANCEL
    /// never get here: the parser sets them aside (`SIPParseResult.unanswered`).
    func respond(to request: SIPRequest, _ context: RequestContext) -> SIPResponse? {
        let method = request.method
        // RFC 2543 clients send no Max-Forwards (RFC 4475 §3.4.1 says accept them); an RFC 3261 client,
        // recognisable by the magic cookie in its branch, must send one.
        if !request.hasMaxForwards, request.vias.first?.branch?.hasPrefix("z9hG4bK") == true {
            return ResponseCatalog.response(for: .missingMaxForwards)
        }
        if request.maxForwards == 0 { return ResponseCatalog.response(for: .tooManyHops) }
        if method == "REGISTER" {
            guard let registrar, let registration = request.registration else {
                return ResponseCatalog.response(for: .methodNotAllowed)
            }
            return register(request, registration, registrar, context)
        }
        let isRoutable = method == "INVITE" || method == "OPTIONS"
        if !isRoutable {
            return ResponseCatalog.response(
                for: ResponseCatalog.knownMethods.contains(method) ? .methodNotAllowed : .notImplemented)
        }
        // A call may name its number as a tel: URI (RFC 3966); a registrar address may not.
        let isTelURI = request.requestURI.scheme == "tel"
        guard request.requestURI.isSIP || isTelURI else { return ResponseCatalog.response(for: .unsupportedScheme) }
        // This server supports no extensions: any Require is refused (§8.2.2.3).
        if !request.require.isEmpty { return ResponseCatalog.response(for: .badExtension(unsupported: request.require)) }
        // A keep-alive says only that the server is up: nothing about customers or extensions.
        if method == "OPTIONS", request.requestURI.user == nil { return ResponseCatalog.keepAlive }

        let now = Int(context.now)
        let claim = CallerClaim(
            fromHost: request.from.uri?.host ?? "", fromUser: request.from.uri?.user, source: context.sourceIP,
            credentials: .presented(authorization: request.authorization, method: method, requestURI: request.requestURIText))
        let question = CallQuestion(
            claim: claim, requestURIUser: request.requestURI.user, requestURIHost: isTelURI ? nil : request.requestURI.host,
            isTelURI: isTelURI)
        let (verdict, dialled) = router.decide(question, plan: context.plan, now: context.now) {
            noteAuthenticationFailure(context)
        }
        let response = ResponseCatalog.response(for: verdict) { realm, stale in
            router.gate.challenges(realm: realm, now: now, stale: stale, algorithms: plans.challengeAlgorithms)
        }
        context.meter.countDecision(DecisionOutcome(verdict))
        logDecision(request, context, verdict: verdict, status: response.status, dialled: dialled)
        decisionLog?.record(
            DecisionEntry(
                time: context.now, callID: request.callID, method: request.method, source: "\(context.source)",
                transport: context.transport.rawValue, caller: verdict.callerID, user: request.from.uri?.user, dialled: dialled,
                status: response.status, verdict: .call(verdict)))
        return response
    }

    /// REGISTER after the §8.2 checks every request gets: the scheme (a `sips:`/`sip:` registrar
    /// address only) and Require, then who may register what, then the location service.
    private func register(
        _ request: SIPRequest, _ registration: SIPRegistration, _ registrar: RegistrationHandler, _ context: RequestContext
    ) -> SIPResponse {
        guard request.requestURI.isSIP else { return ResponseCatalog.response(for: .unsupportedScheme) }
        if !request.require.isEmpty { return ResponseCatalog.response(for: .badExtension(unsupported: request.require)) }
        let now = Int(context.now)
        let verdict = registrar.decide(
            request, registration: registration, source: context.source, transport: context.transport, plan: context.plan,
            now: context.now
        ) {
            noteAuthenticationFailure(context)
        }
        let response = ResponseCatalog.response(for: verdict) { realm, stale in
            router.gate.challenges(realm: realm, now: now, stale: stale, algorithms: plans.challengeAlgorithms)
        }
        logRegistration(request, context, verdict: verdict, status: response.status)
        if let decisionLog {
            let toUser = request.to.uri?.user.map { CallRouter.dialledNumber($0) } ?? ""
            // Challenged: nobody is identified yet.
            let caller: String?
            if case .challenge = verdict {
                caller = nil
            } else {
                caller = context.plan.caller(fromHost: request.from.uri?.host ?? "")?.customerID
            }
            decisionLog.record(
                DecisionEntry(
                    time: context.now, callID: request.callID, method: request.method, source: "\(context.source)",
                    transport: context.transport.rawValue, caller: caller, user: request.from.uri?.user, dialled: toUser,
                    status: response.status, verdict: .registration(verdict)))
        }
        return response
    }

    private func logRegistration(_ request: SIPRequest, _ context: RequestContext, verdict: RegistrationVerdict, status: Int) {
        guard logger.logLevel <= .info else { return }
        logger.info(
            "registration",
            metadata: [
                "sip.call_id": "\(request.callID)", "sip.method": "\(request.method)", "sip.source": "\(context.source)",
                "reg.aor": "\(request.to.uri.map { "\($0.user ?? "")@\($0.host)" } ?? "-")", "reg.status": "\(status)",
                "reg.reason": "\(verdict.reason)",
            ])
    }

    private func admit(_ source: IPAddress, now: Double, meter: RequestMeter) -> Bool {
        switch sources.admit(source, now: now) {
        case .allowed:
            return true
        case .rateLimited(let summary):
            meter.countDrop(.rateLimited)
            if let summary {
                logger.warning("rate limit: dropping requests", metadata: ["sip.source": "\(source)", "dropped": "\(summary)"])
            }
            return false
        case .banned(let summary):
            meter.countDrop(.banned)
            if let summary {
                logger.warning(
                    "banned address: dropping requests", metadata: ["sip.source": "\(source)", "dropped": "\(summary)"])
            }
            return false
        }
    }

    private func noteAuthenticationFailure(_ context: RequestContext) {
        context.meter.countAuthenticationFailure()
        guard !context.exempt else { return }
        if sources.recordAuthenticationFailure(context.sourceIP, now: context.now) {
            logger.warning(
                "too many authentication failures: address banned",
                metadata: [
                    "sip.source": "\(context.sourceIP)", "ban_seconds": "\(Int(sources.settings.banSeconds))",
                ])
        }
    }

    /// Checked before anything is built: a verdict's reason is a sentence built from the plan, and
    /// building it for every call when nothing is logged cost as much as routing the call.
    private func logDecision(_ request: SIPRequest, _ context: RequestContext, verdict: CallVerdict, status: Int, dialled: String)
    {
        guard logger.logLevel <= .info else { return }
        var contact = "-"
        switch verdict {
        case .routed(let decision): if case .redirect(let target) = decision.outcome { contact = target }
        case .registered(_, let bindings): contact = bindings.map(\.target).joined(separator: " ")
        case .challenge, .identityMismatch: break
        }
        logger.info(
            "routed",
            metadata: [
                "sip.call_id": "\(request.callID)", "sip.method": "\(request.method)", "sip.source": "\(context.source)",
                "route.caller": "\(verdict.callerID ?? "-")", "route.dialled": "\(dialled)",
                "route.status": "\(status)", "route.contact": "\(contact)", "route.reason": "\(verdict.reason)",
            ])
    }
}
