// The one place that holds libosip2 pointers. An OsipMessage owns exactly one
// osip_message_t and frees it exactly once in deinit (a failed parse still
// allocated parts of the message, so it is freed too). Values leave this file
// as Swift types only.
internal import COsip

/// What osip parsed out of one Via value.
struct OsipVia {
    var transport: String
    var host: String
    var port: Int?
    var branch: String?
    var hasRport: Bool
    var rport: Int?
    var received: String?
}

final class OsipMessage {
    private let message: UnsafeMutablePointer<osip_message_t>

    /// Allocates an empty message; nil only when osip cannot allocate.
    init?() {
        var raw: UnsafeMutablePointer<osip_message_t>?
        guard osip_message_init(&raw) == OSIP_SUCCESS, let raw else { return nil }
        message = raw
    }

    deinit {
        osip_message_free(message)
    }

    /// Parses `bytes` (osip copies them). Returns nil on success, else osip's
    /// first complaint (possibly empty).
    func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> String? {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return "empty message" }
        switchd_clear_trace()
        let rc = base.withMemoryRebound(to: CChar.self, capacity: bytes.count) {
            osip_message_parse(message, $0, bytes.count)
        }
        guard rc != OSIP_SUCCESS else { return nil }
        return Self.trimmed(String(cString: switchd_last_trace()))
    }

    /// True when osip saw a status line.
    var isResponse: Bool { message.pointee.sip_method == nil && message.pointee.status_code != 0 }

    var fromTag: String? { Self.tag(message.pointee.from) }
    var toTag: String? { Self.tag(message.pointee.to) }

    /// Every Via osip found, in message order.
    var vias: [OsipVia] {
        let count = Int(switchd_via_count(message))
        var result: [OsipVia] = []
        result.reserveCapacity(count)
        for index in 0..<count {
            guard let via = switchd_via_at(message, Int32(index)) else { continue }
            let rport = switchd_via_param(via, "rport")
            result.append(
                OsipVia(
                    transport: Self.string(via.pointee.protocol)?.uppercased() ?? "",
                    host: Self.string(via.pointee.host) ?? "",
                    port: Self.string(via.pointee.port).flatMap { Array($0.utf8).parseDecimal(limit: 65535) }.map { Int($0) },
                    branch: Self.string(switchd_via_param(via, "branch")?.pointee.gvalue),
                    hasRport: rport != nil,
                    rport: Self.string(rport?.pointee.gvalue).flatMap { Array($0.utf8).parseDecimal(limit: 65535) }.map {
                        Int($0)
                    },
                    received: Self.string(switchd_via_param(via, "received")?.pointee.gvalue)))
        }
        return result
    }

    private static func tag(_ header: UnsafeMutablePointer<osip_from_t>?) -> String? {
        guard let header else { return nil }
        var present: Int32 = 0
        let value = switchd_from_tag(header, &present)
        guard present != 0 else { return nil }
        return string(value) ?? ""
    }

    private static func string(_ pointer: UnsafePointer<CChar>?) -> String? {
        pointer.map { String(cString: $0) }
    }

    private static func string(_ pointer: UnsafeMutablePointer<CChar>?) -> String? {
        pointer.map { String(cString: $0) }
    }

    private static func trimmed(_ s: String) -> String {
        String(decoding: Array(s.utf8).filter { $0 != ASCII.lf && $0 != ASCII.cr }, as: UTF8.self)
    }
}

/// Names the first header osip's per-header parsers refuse, after a
/// whole-message parse failed.
enum OsipProbe {
    static func firstRefusedHeader(in headers: [ScannedHeader]) -> HeaderKind? {
        for header in headers {
            let kind: Int32
            switch header.kind {
            case .via: kind = Int32(SWITCHD_PROBE_VIA.rawValue)
            case .from, .to, .route, .recordRoute: kind = Int32(SWITCHD_PROBE_NAME_ADDR.rawValue)
            case .contact: kind = Int32(SWITCHD_PROBE_CONTACT.rawValue)
            case .cseq: kind = Int32(SWITCHD_PROBE_CSEQ.rawValue)
            case .callID: kind = Int32(SWITCHD_PROBE_CALL_ID.rawValue)
            case .contentType: kind = Int32(SWITCHD_PROBE_CONTENT_TYPE.rawValue)
            default: continue
            }
            // A NUL inside the value would end the C string early: probe the prefix.
            var cString = header.value.prefix { $0 != 0 }.map { CChar(bitPattern: $0) }
            cString.append(0)
            if switchd_probe_header(kind, cString) != OSIP_SUCCESS { return header.kind }
        }
        return nil
    }
}
