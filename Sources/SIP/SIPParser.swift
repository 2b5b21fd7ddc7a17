// Entry point: one datagram in, one SIPParseResult out. The tolerant scanner
// recovers raw text and Vias from any bytes; our checks cover what osip leaves
// unchecked; osip then parses every request that reaches it, and supplies the
// Via fields and tags of the requests we accept.
internal import COsip

public enum SIPParser {
    /// Largest datagram accepted (the UDP payload limit).
    public static let maxMessageSize = 65_535

    /// parser_init() fills global tables and must run once before any thread
    /// parses; a static let is initialised exactly once, thread-safely.
    private static let initialized: Void = {
        parser_init()
        switchd_install_trace()
    }()

    /// Idempotent and thread safe. `parse` calls it too; call it early anyway so
    /// the global setup happens before worker threads start.
    public static func initialize() {
        _ = initialized
    }

    public static func parse(_ datagram: [UInt8]) -> SIPParseResult {
        initialize()
        guard !datagram.isEmpty else { return .unrecoverable(reason: "Empty Datagram") }
        guard datagram.count <= maxMessageSize else { return .unrecoverable(reason: "Message Too Large") }
        // Half of every call's datagrams are ACKs. Nothing in them can change the (empty) answer, so
        // they skip the scanner, the checks and the Swift values: osip parses them, and that is all.
        if let method = unansweredMethod(datagram) {
            let problem = OsipMessage().flatMap { osip in
                OsipInput.withParseableBytes(datagram, end: datagram.count, headerEnd: nil) { osip.parse($0) }
            }
            return .unanswered(method: method, problem: problem)
        }

        let scanned = HeaderScanner.scan(datagram)
        let startLine = StartLine(scanned.startLine)
        // Without a Via there is nowhere to send an answer (§18.2.2). The Vias of a valid request are
        // osip's; they are parsed tolerantly here only when the request is refused.
        let viaValues = scanned.viaValues

        var refusedMethod: String?
        /// The refusal, with everything that could be recovered for echoing, or nothing
        /// when even the top Via cannot be read. Built only when needed: most requests are valid, and
        /// these copies cost as much as the rest of the parse.
        func refuse(_ problem: SIPRequestProblem, detail: String? = nil) -> SIPParseResult {
            let vias = viaValues.map { SIPVia.tolerant($0) ?? SIPVia(unparsedRaw: $0) }
            guard let top = vias.first else { return .unrecoverable(reason: "No Via Header") }
            guard !top.host.isEmpty else { return .unrecoverable(reason: "Unparsable Top Via") }
            var invalid = SIPInvalidRequest(
                problem: problem, vias: vias,
                fromRaw: scanned.first(.from), toRaw: scanned.first(.to),
                callID: scanned.first(.callID), cseqRaw: scanned.first(.cseq), method: refusedMethod, detail: detail)
            invalid.echo = EchoedHeaders(scanned)
            return .invalid(invalid)
        }

        let method: String, uriBytes: ArraySlice<UInt8>, requestURI: SIPURI
        switch startLine {
        case .response:
            return .response
        case let .refused(method, problem):
            refusedMethod = method
            return refuse(problem)
        case let .request(m, uri, parsed):
            method = m
            uriBytes = uri
            requestURI = parsed
        }
        refusedMethod = method
        guard !viaValues.isEmpty else { return .unrecoverable(reason: "No Via Header") }

        let checked: CheckedValues
        switch RequestChecks.check(scanned, method: method, datagramCount: datagram.count) {
        case let .failure(problem): return refuse(.malformed(problem.reason))
        case let .success(values): checked = values
        }

        let available = scanned.bodyStart.map { datagram.count - $0 } ?? 0
        let contentLength = checked.contentLength ?? available
        // osip sees exactly one message: bytes past Content-Length are ignored.
        let messageEnd = scanned.bodyStart.map { $0 + contentLength } ?? datagram.count
        guard let osip = OsipMessage() else { return .unrecoverable(reason: "Out Of Memory") }
        // Another scheme than sip/sips is answered by its scheme alone (416, or 405/501 by method), so
        // osip must not refuse it by rules of its own; see OsipInput.
        let isSIPScheme = requestURI.isSIP
        let failure = OsipInput.withParseableBytes(
            datagram, end: messageEnd, headerEnd: scanned.bodyStart,
            replacingRequestURI: isSIPScheme ? nil : uriBytes.startIndex..<uriBytes.endIndex
        ) {
            osip.parse($0)
        }
        if let failure {
            let reason = OsipProbe.firstRefusedHeader(in: scanned.headers).map { "Malformed \($0.displayName) Header" }
            return refuse(.malformed(reason ?? "Malformed Message"), detail: failure)
        }
        let osipVias = osip.vias
        guard osipVias.count == viaValues.count, !osipVias[0].host.isEmpty else {
            return refuse(
                .malformed("Malformed Via Header"), detail: "osip found \(osipVias.count) Vias, scanner \(viaValues.count)")
        }

        let fromRaw = scanned.firstBytes(.from) ?? [], toRaw = scanned.firstBytes(.to) ?? []
        var request = SIPRequest(
            method: method,
            requestURI: requestURI,
            from: SIPNameAddr(raw: fromRaw, tag: osip.fromTag),
            to: SIPNameAddr(raw: toRaw, tag: osip.toTag),
            callID: scanned.first(.callID) ?? "",
            cseq: SIPCSeq(number: checked.cseqNumber, method: checked.cseqMethod, raw: scanned.first(.cseq) ?? ""),
            vias: zip(viaValues, osipVias).map { SIPVia(raw: $0, osip: $1) },
            maxForwards: checked.maxForwards ?? 70,
            hasMaxForwards: checked.maxForwards != nil,
            require: scanned.values(.require).flatMap { $0.utf8String.splitOutsideQuotes(ASCII.comma) },
            contentLength: contentLength,
            bodyLength: available,
            authorization: scanned.values(.authorization).map(\.utf8String))
        request.echo = EchoedHeaders(scanned)
        request.requestURIText = String(decoding: uriBytes, as: UTF8.self)
        if method == "REGISTER" {
            switch SIPRegistration.parse(scanned) {
            case .success(let registration): request.registration = registration
            case .failure(let problem): return refuse(problem)
            }
        }
        return .request(request)
    }
}

/// "ACK " or "CANCEL " at the start of the request line (methods are case-sensitive, §7.1), after the
/// empty lines §7.5 lets a sender put first.
private func unansweredMethod(_ datagram: [UInt8]) -> String? {
    guard let start = datagram.firstIndex(where: { $0 != ASCII.cr && $0 != ASCII.lf }) else { return nil }
    let line = datagram[start...]
    if line.starts(with: "ACK ".utf8) { return "ACK" }
    if line.starts(with: "CANCEL ".utf8) { return "CANCEL" }
    return nil
}

extension SIPNameAddr {
    init(raw: [UInt8], tag: String?) {
        self.init(
            raw: raw.utf8String,
            uri: NameAddrParts(raw).flatMap { SIPURI.parse($0.uriText) },
            tag: tag)
    }
}

extension SIPVia {
    init(raw: String, osip: OsipVia) {
        self.init(
            raw: raw, transport: osip.transport, host: osip.host, port: osip.port,
            branch: osip.branch, hasRport: osip.hasRport, rport: osip.rport, received: osip.received)
    }

    /// A Via we could not parse at all: kept for echoing only.
    init(unparsedRaw raw: String) {
        self.init(
            raw: raw, transport: "", host: "", port: nil, branch: nil,
            hasRport: false, rport: nil, received: nil)
    }
}
