/// A SIP request written by a test, rendered with CRLF line endings. Every header can be left out
/// (nil) or replaced; `extra` headers go after the mandatory ones, in order.
struct TestRequest {
    var method = "INVITE"
    var uri = "sip:201@127.0.0.1"
    var version = "SIP/2.0"
    /// One entry per Via header line (an entry may hold comma-separated values).
    var vias: [String]
    var from: String? = "<sip:100@acme.example>;tag=from-1"
    var to: String? = "<sip:201@127.0.0.1>"
    var callID: String? = "call-1@test"
    var cseq: String? = "1 INVITE"
    var maxForwards: String? = "70"
    var extra: [(String, String)] = []
    var body: [UInt8] = []
    /// nil: `Content-Length` = the body's length; a value: written as given.
    var contentLength: String?

    /// A request whose top Via asks for rport, so that the answer comes back to the sending socket.
    init(
        method: String = "INVITE", uri: String = "sip:201@127.0.0.1", from: String? = "<sip:100@acme.example>;tag=from-1",
        branch: String = "z9hG4bK-test-1", client: UDPClient
    ) {
        self.method = method
        self.uri = uri
        self.from = from
        self.cseq = "1 \(method)"
        self.vias = ["SIP/2.0/UDP \(client.sentBy);branch=\(branch);rport"]
    }

    init(vias: [String]) {
        self.vias = vias
    }

    var bytes: [UInt8] {
        var lines = ["\(method) \(uri) \(version)"]
        lines += vias.map { "Via: \($0)" }
        if let maxForwards { lines.append("Max-Forwards: \(maxForwards)") }
        if let from { lines.append("From: \(from)") }
        if let to { lines.append("To: \(to)") }
        if let callID { lines.append("Call-ID: \(callID)") }
        if let cseq { lines.append("CSeq: \(cseq)") }
        lines += extra.map { "\($0.0): \($0.1)" }
        lines.append("Content-Length: \(contentLength ?? String(body.count))")
        return Array((lines.joined(separator: "\r\n") + "\r\n\r\n").utf8) + body
    }
}

/// A response as the server sent it, split into status line and headers (values byte-exact, as text).
struct SIPReply: CustomStringConvertible {
    let raw: [UInt8]
    let statusLine: String
    let headers: [(name: String, value: String)]

    init?(_ bytes: [UInt8]) {
        raw = bytes
        // Headers end at the first empty line; the server never sends a body.
        var lines: [[UInt8]] = []
        var start = 0
        var index = 0
        while index + 1 < bytes.count {
            if bytes[index] == 0x0D, bytes[index + 1] == 0x0A {
                if index == start { break }
                lines.append(Array(bytes[start..<index]))
                index += 2
                start = index
                continue
            }
            index += 1
        }
        guard let first = lines.first else { return nil }
        statusLine = String(decoding: first, as: UTF8.self)
        headers = lines.dropFirst().map { line in
            let colon = line.firstIndex(of: 0x3A) ?? line.count
            let name = String(decoding: line[..<colon], as: UTF8.self)
            var valueStart = min(colon + 1, line.count)
            if valueStart < line.count, line[valueStart] == 0x20 { valueStart += 1 }
            return (name, String(decoding: line[valueStart...], as: UTF8.self))
        }
    }

    var status: Int? {
        let parts = statusLine.split(separator: " ", maxSplits: 2)
        return parts.count >= 2 ? Int(parts[1]) : nil
    }

    /// Every value of a header, in order (names compared case-insensitively).
    func values(_ name: String) -> [String] {
        headers.filter { $0.name.lowercased() == name.lowercased() }.map(\.value)
    }

    /// The value of a header that must appear exactly once; nil when absent or repeated.
    func value(_ name: String) -> String? {
        let all = values(name)
        return all.count == 1 ? all[0] : nil
    }

    /// The raw bytes of a header's value (for values that are not valid UTF-8 or hold NULs).
    func rawValue(_ name: String) -> [UInt8]? {
        rawHeaderValues(of: raw, named: name).first
    }

    var description: String { String(decoding: raw, as: UTF8.self) }
}

/// The bytes of every value of header `name` (no compact forms, no folding) in a message, in order.
func rawHeaderValues(of message: [UInt8], named name: String) -> [[UInt8]] {
    var values: [[UInt8]] = []
    let prefix = Array((name.lowercased() + ":").utf8)
    var start = 0
    var index = 0
    while index + 1 < message.count {
        if message[index] == 0x0D, message[index + 1] == 0x0A {
            if index == start { break }
            let line = Array(message[start..<index])
            if line.count >= prefix.count,
                zip(line.prefix(prefix.count), prefix).allSatisfy({ lower($0) == $1 })
            {
                var valueStart = prefix.count
                while valueStart < line.count, line[valueStart] == 0x20 { valueStart += 1 }
                values.append(Array(line[valueStart...]))
            }
            index += 2
            start = index
            continue
        }
        index += 1
    }
    return values
}

private func lower(_ byte: UInt8) -> UInt8 {
    (0x41...0x5A).contains(byte) ? byte + 0x20 : byte
}

/// The tag parameter of a From/To value; nil when absent.
func tagParameter(_ value: String) -> String? {
    let bytes = Array(value.utf8)
    let needle = Array(";tag=".utf8)
    guard bytes.count >= needle.count else { return nil }
    for start in 0...(bytes.count - needle.count)
    where zip(bytes[start..<(start + needle.count)], needle).allSatisfy({ lower($0) == $1 }) {
        let rest = bytes[(start + needle.count)...].prefix { $0 != 0x3B && $0 != 0x20 }
        return String(decoding: rest, as: UTF8.self)
    }
    return nil
}
