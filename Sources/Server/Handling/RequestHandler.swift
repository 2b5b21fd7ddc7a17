import Logging
import Routing
import SIP

/// A response ready to send: bytes and the address §18.2.2 names.
public struct Reply: Sendable {
    public let bytes: [UInt8]
    public let destination: SocketAddress
}

/// Turns one datagram into at most one reply. Stateless: the same datagram always gets the same
/// answer (retransmissions included), and nothing here blocks or keeps per-call state.
public final class RequestHandler: Sendable {
    private let plans: PlanStore
    private let counters: Counters
    private let logger: Logger
    private let toTags: ToTagGenerator

    public init(plans: PlanStore, counters: Counters, logger: Logger) {
        SIPParser.initialize()
        self.plans = plans
        self.counters = counters
        self.logger = logger
        self.toTags = ToTagGenerator()
    }

    public func handle(_ datagram: [UInt8], from source: SocketAddress) -> Reply? {
        switch SIPParser.parse(datagram) {
        case .response:
            counters.increment(.responsesIgnored)
            return nil
        case .unrecoverable(let reason):
            counters.increment(.dropped)
            logger.debug("dropped an unanswerable datagram", metadata: ["sip.source": "\(source)", "sip.problem": "\(reason)"])
            return nil
        case .invalid(let invalid):
            counters.increment(.requests)
            logger.info("rejected a malformed request", metadata: [
                "sip.source": "\(source)", "sip.call_id": "\(invalid.callID ?? "-")",
                "sip.status": "\(invalid.status)", "sip.problem": "\(invalid.reasonPhrase)",
            ])
            let destination = ResponseDestination(topVia: invalid.vias.first, source: source)
            let hasTag = invalid.toRaw.map(Self.hasTagParameter) ?? true
            let tag = hasTag ? nil : toTags.tag(
                branch: invalid.vias.first?.branch, fromTag: nil, callID: invalid.callID, cseq: invalid.cseqRaw)
            let bytes = ResponseCatalog.invalid(invalid).serialize(
                echoing: invalid, toTag: tag, received: destination.received, rport: destination.rport)
            return Reply(bytes: bytes, destination: destination.address)
        case .request(let request):
            counters.increment(.requests)
            guard let response = respond(to: request, source: source) else { return nil }
            let destination = ResponseDestination(topVia: request.vias.first, source: source)
            let tag = request.to.tag == nil ? toTags.tag(
                branch: request.vias.first?.branch, fromTag: request.from.tag, callID: request.callID,
                cseq: request.cseq.raw) : nil
            let bytes = response.serialize(echoing: request, toTag: tag, received: destination.received, rport: destination.rport)
            return Reply(bytes: bytes, destination: destination.address)
        }
    }

    /// Method dispatch and the RFC 3261 §8.2 checks, in the order the RFC gives them.
    func respond(to request: SIPRequest, source: SocketAddress) -> SIPResponse? {
        let method = request.method
        // A stateless redirect server has no transaction to acknowledge or cancel.
        if method == "ACK" || method == "CANCEL" { return nil }
        // RFC 2543 clients send no Max-Forwards (RFC 4475 §3.4.1 says accept them); an RFC 3261 client,
        // recognisable by the magic cookie in its branch, must send one.
        if !request.hasMaxForwards, request.vias.first?.branch?.hasPrefix("z9hG4bK") == true {
            return ResponseCatalog.response(for: .missingMaxForwards)
        }
        if request.maxForwards == 0 { return ResponseCatalog.response(for: .tooManyHops) }
        let isRoutable = method == "INVITE" || method == "OPTIONS"
        if !isRoutable {
            return ResponseCatalog.response(for: ResponseCatalog.knownMethods.contains(method) ? .methodNotAllowed : .notImplemented)
        }
        let scheme = request.requestURI.scheme
        guard scheme == "sip" || scheme == "sips" else { return ResponseCatalog.response(for: .unsupportedScheme) }
        // This server supports no extensions: any Require is refused (§8.2.2.3).
        if !request.require.isEmpty { return ResponseCatalog.response(for: .badExtension(unsupported: request.require)) }
        if method == "OPTIONS", request.requestURI.user == nil { return ResponseCatalog.keepAlive }

        let call = CallRequest(
            fromHost: request.from.uri?.host ?? "", source: source.ipAddress,
            requestURIHost: request.requestURI.host, dialled: Self.dialledNumber(request.requestURI.user))
        let decision = plans.plan.route(call)
        if logger.logLevel <= .info {
            logger.info("routed", metadata: [
                "sip.call_id": "\(request.callID)", "sip.method": "\(method)", "sip.source": "\(source)",
                "route.caller": "\(decision.callerID ?? "-")", "route.dialled": "\(call.dialled)",
                "route.status": "\(decision.status)", "route.contact": "\(decision.contact ?? "-")",
                "route.reason": "\(decision.reason)",
            ])
        }
        return ResponseCatalog.response(for: decision)
    }

    /// The Request-URI user part as digits: %-escapes decoded (a phone may escape `#` as %23), and
    /// anything after a `;` (user parameters such as `;phone-context=`) left out.
    static func dialledNumber(_ user: String?) -> String {
        guard let user else { return "" }
        let bytes = Array(user.utf8.prefix { $0 != 0x3B })
        guard bytes.contains(0x25) else { return String(decoding: bytes, as: UTF8.self) }
        var decoded: [UInt8] = []
        var index = 0
        while index < bytes.count {
            if bytes[index] == 0x25, index + 2 < bytes.count,
               let high = hexValue(bytes[index + 1]), let low = hexValue(bytes[index + 2]) {
                decoded.append(high << 4 | low)
                index += 3
            } else {
                decoded.append(bytes[index])
                index += 1
            }
        }
        return String(decoding: decoded, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: return byte - 0x30
        case 0x41...0x46: return byte - 0x37
        case 0x61...0x66: return byte - 0x57
        default: return nil
        }
    }

    static func hasTagParameter(_ raw: String) -> Bool {
        raw.lowercased().contains(";tag=")
    }
}
