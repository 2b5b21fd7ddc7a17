// Response serialisation straight from the parsed fields: no osip message is
// built (that roughly doubles the per-packet cost, see DESIGN.md), no
// Foundation, no String(format:). Echoed header values come from the request
// as received, with CR/LF bytes (impossible after unfolding except a lone CR)
// replaced so a value can never end the line early.

public struct SIPResponse: Sendable {
    public var status: Int
    public var reasonPhrase: String
    /// Extra headers (Contact, Allow, WWW-Authenticate ...), written after CSeq.
    public var headers: [(name: String, value: String)]

    public init(status: Int, reasonPhrase: String, headers: [(name: String, value: String)] = []) {
        self.status = status
        self.reasonPhrase = reasonPhrase
        self.headers = headers
    }

    /// The response to `request`: every Via in order (the top one with
    /// `received` set and a valueless `rport` filled), From, To (plus
    /// `;tag=toTag` when it had none and `toTag` is non-nil), Call-ID, CSeq,
    /// the extra headers, `Server: switchd`, `Content-Length: 0`.
    public func serialize(echoing request: SIPRequest, toTag: String?, received: String?, rport: Int?) -> [UInt8] {
        var to = request.echo?.to ?? Array(request.to.raw.utf8)
        if let toTag, request.to.tag == nil { to += Array(";tag=\(toTag)".utf8) }
        return render(
            vias: request.vias, received: received, rport: rport,
            from: request.echo?.from ?? Array(request.from.raw.utf8), to: to,
            callID: request.echo?.callID ?? Array(request.callID.utf8),
            cseq: request.echo?.cseq ?? Array(request.cseq.raw.utf8))
    }

    /// The same for a 400/505: echoes whatever could be recovered; a header
    /// that was missing stays missing. The tag is added only when the To value
    /// could be split (an unterminated quote would swallow it).
    public func serialize(echoing invalid: SIPInvalidRequest, toTag: String?, received: String?, rport: Int?) -> [UInt8] {
        var to = invalid.echo?.to ?? invalid.toRaw.map { Array($0.utf8) }
        if let toTag, let raw = to, let parts = NameAddrParts(raw), parts.param("tag") == nil {
            to = raw + Array(";tag=\(toTag)".utf8)
        }
        return render(
            vias: invalid.vias, received: received, rport: rport,
            from: invalid.echo?.from ?? invalid.fromRaw.map { Array($0.utf8) }, to: to,
            callID: invalid.echo?.callID ?? invalid.callID.map { Array($0.utf8) },
            cseq: invalid.echo?.cseq ?? invalid.cseqRaw.map { Array($0.utf8) })
    }

    private func render(
        vias: [SIPVia], received: String?, rport: Int?, from: [UInt8]?, to: [UInt8]?,
        callID: [UInt8]?, cseq: [UInt8]?
    ) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(512 + vias.count * 64)
        out.append(contentsOf: "SIP/2.0 ".utf8)
        out.append(contentsOf: String(status).utf8)
        out.append(ASCII.sp)
        Self.appendValue(reasonPhrase.utf8, to: &out)
        out.append(contentsOf: [ASCII.cr, ASCII.lf])
        for (index, via) in vias.enumerated() {
            let value = index == 0 ? via.echoed(received: received, rport: via.hasRport ? rport : nil) : via.raw
            Self.appendHeader("Via", value.utf8, to: &out)
        }
        if let from { Self.appendHeader("From", from, to: &out) }
        if let to { Self.appendHeader("To", to, to: &out) }
        if let callID { Self.appendHeader("Call-ID", callID, to: &out) }
        if let cseq { Self.appendHeader("CSeq", cseq, to: &out) }
        for header in headers { Self.appendHeader(header.name, header.value.utf8, to: &out) }
        Self.appendHeader("Server", "switchd".utf8, to: &out)
        Self.appendHeader("Content-Length", "0".utf8, to: &out)
        out.append(contentsOf: [ASCII.cr, ASCII.lf])
        return out
    }

    private static func appendHeader<Value: Collection<UInt8>>(_ name: String, _ value: Value, to out: inout [UInt8]) {
        out.append(contentsOf: name.utf8)
        out.append(ASCII.colon)
        out.append(ASCII.sp)
        appendValue(value, to: &out)
        out.append(ASCII.cr)
        out.append(ASCII.lf)
    }

    private static func appendValue<Value: Collection<UInt8>>(_ value: Value, to out: inout [UInt8]) {
        let appended: Void? = value.withContiguousStorageIfAvailable { appendBytes($0, to: &out) }
        if appended == nil { appendBytes(Array(value), to: &out) }
    }

    private static func appendBytes(_ bytes: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
        // Nearly every value is clean: copy it whole, and byte by byte only when it must be mended.
        guard bytes.contains(where: { $0 == ASCII.cr || $0 == ASCII.lf }) else {
            out.append(contentsOf: bytes)
            return
        }
        for b in bytes {
            out.append(b == ASCII.cr || b == ASCII.lf ? ASCII.sp : b)
        }
    }

    private static func appendBytes(_ bytes: [UInt8], to out: inout [UInt8]) {
        bytes.withUnsafeBufferPointer { appendBytes($0, to: &out) }
    }
}
