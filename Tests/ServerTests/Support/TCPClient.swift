import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A blocking TCP client for the stream tests: connect (optionally from a chosen local address), send
/// bytes, read what arrives until a SIP message is complete, or until the server closes.
final class TCPClient {
    let descriptor: Int32
    /// Bytes received and not yet returned as a message.
    private var pending: [UInt8] = []

    /// `receiveBuffer`: a small kernel receive buffer (set before connecting, so the window stays
    /// small), for a peer that reads slowly or never.
    init(host: String = "127.0.0.1", port: UInt16, from localHost: String? = nil, receiveBuffer: Int32? = nil) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw UDPClientError(call: "socket", code: errno) }
        if var size = receiveBuffer {
            _ = setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        if let localHost {
            var local = try UDPClient.address(host: localHost, port: 0)
            let bound = withUnsafePointer(to: &local) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard bound == 0 else {
                let code = errno
                close(fd)
                throw UDPClientError(call: "bind \(localHost)", code: code)
            }
        }
        var remote = try UDPClient.address(host: host, port: port)
        let connected = withUnsafePointer(to: &remote) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            let code = errno
            close(fd)
            throw UDPClientError(call: "connect \(host):\(port)", code: code)
        }
        descriptor = fd
    }

    deinit {
        close(descriptor)
    }

    func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard sent > 0 else { throw UDPClientError(call: "send", code: errno) }
            offset += sent
        }
    }

    func send(_ text: String) throws { try send(Array(text.utf8)) }

    /// What one read returns within `timeout` ms: bytes, `[]` when the server closed the connection, nil
    /// when nothing came.
    func read(timeout: Int32 = 2_000) -> [UInt8]? {
        var descriptorSet = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        guard poll(&descriptorSet, 1, timeout) > 0 else { return nil }
        var buffer = [UInt8](repeating: 0, count: 65_536)
        let count = recv(descriptor, &buffer, buffer.count, 0)
        return count > 0 ? Array(buffer[0..<count]) : []
    }

    /// The next whole SIP message (framed by its Content-Length), or nil when none arrives in time.
    func receiveMessage(timeout: Int32 = 2_000) -> SIPReply? {
        let deadline = Date().addingTimeInterval(Double(timeout) / 1_000)
        while true {
            if let message = takeMessage() { return SIPReply(message) }
            let left = Int32(max(0, deadline.timeIntervalSinceNow * 1_000))
            guard left > 0, let bytes = read(timeout: left), !bytes.isEmpty else { return nil }
            pending += bytes
        }
    }

    /// Raw bytes: everything already buffered, or the next read.
    func receiveBytes(timeout: Int32 = 2_000) -> [UInt8]? {
        if !pending.isEmpty {
            defer { pending = [] }
            return pending
        }
        return read(timeout: timeout)
    }

    /// True when the server closes the connection within `timeout` ms (whatever it sent before).
    func closedByServer(timeout: Int32 = 2_000) -> Bool {
        let deadline = Date().addingTimeInterval(Double(timeout) / 1_000)
        while true {
            let left = Int32(max(0, deadline.timeIntervalSinceNow * 1_000))
            guard left > 0, let bytes = read(timeout: left) else { return false }
            if bytes.isEmpty { return true }
            pending += bytes
        }
    }

    private func takeMessage() -> [UInt8]? {
        guard let end = pending.firstRange(of: [13, 10, 13, 10]) else { return nil }
        let header = String(decoding: pending[..<end.upperBound], as: UTF8.self)
        var length = 0
        for line in header.split(separator: "\r\n") where line.lowercased().hasPrefix("content-length:") {
            length = Int(line.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) ?? 0
        }
        let total = end.upperBound + length
        guard pending.count >= total else { return nil }
        defer { pending.removeFirst(total) }
        return Array(pending[..<total])
    }
}
