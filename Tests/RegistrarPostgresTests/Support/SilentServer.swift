import Glibc

/// A TCP port on 127.0.0.1 that completes the handshake (the kernel does, from the listen backlog) and
/// then never says a word: a PostgreSQL server that hangs. `close()` frees the port.
final class SilentServer {
    let port: Int
    private var descriptor: Int32

    init() throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw SocketFailure.socket }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address in
                bind(descriptor, address, length) == 0 && listen(descriptor, 16) == 0
                    && getsockname(descriptor, address, &length) == 0
            }
        }
        guard bound else {
            Glibc.close(descriptor)
            throw SocketFailure.bind
        }
        self.descriptor = descriptor
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    func close() {
        guard descriptor >= 0 else { return }
        Glibc.close(descriptor)
        descriptor = -1
    }

    deinit { close() }

    enum SocketFailure: Error {
        case socket
        case bind
    }
}

/// A port on 127.0.0.1 where nothing listens (one that was just free): connecting is refused.
func refusedPort() throws -> Int {
    let server = try SilentServer()
    defer { server.close() }
    return server.port
}
