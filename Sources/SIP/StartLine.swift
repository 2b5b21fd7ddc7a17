// Start-line classification from the raw bytes, before osip: osip accepts any
// SIP/x.y version and silently splits on runs of spaces, so the checks RFC
// 4475 §3.1.2.7/8/16 need (angle brackets, whitespace, version) live here.

enum StartLine {
    case response
    case request(method: String, uri: ArraySlice<UInt8>, parsed: SIPURI)
    /// A request line we must refuse.
    case refused(method: String?, problem: SIPRequestProblem)

    init(_ line: ArraySlice<UInt8>) {
        if line.count >= 4, line.prefix(4).equalsLowercased("sip/") {
            // No method token contains '/', so this can only be a status line.
            self = .response
            return
        }
        let parts = line.split(separator: ASCII.sp, omittingEmptySubsequences: false)
        guard let methodBytes = parts.first, !methodBytes.isEmpty,
              methodBytes.allSatisfy(ASCII.isTokenChar)
        else {
            self = .refused(method: nil, problem: .malformed("Malformed Request Line"))
            return
        }
        let method = methodBytes.utf8String
        guard parts.count >= 3, let version = parts.last else {
            self = .refused(method: method, problem: .malformed("Malformed Request Line"))
            return
        }
        let versionIsSIP = version.count > 4 && version.prefix(4).equalsLowercased("sip/")
        if parts.count > 3 || parts[1].contains(where: { $0 == ASCII.tab || $0 < 32 }) {
            let reason = versionIsSIP ? "Whitespace In Request-URI" : "Malformed Request Line"
            self = .refused(method: method, problem: .malformed(reason))
            return
        }
        guard versionIsSIP else {
            self = .refused(method: method, problem: .malformed("Malformed Request Line"))
            return
        }
        guard version.equalsLowercased("sip/2.0") else {
            self = .refused(method: method, problem: .versionNotSupported)
            return
        }
        let uri = parts[1]
        if uri.first == ASCII.lt || uri.last == ASCII.gt {
            self = .refused(method: method, problem: .malformed("Request-URI In Angle Brackets"))
            return
        }
        guard let parsed = SIPURI.parse(uri) else {
            self = .refused(method: method, problem: .malformed("Malformed Request-URI"))
            return
        }
        self = .request(method: method, uri: uri, parsed: parsed)
    }
}
