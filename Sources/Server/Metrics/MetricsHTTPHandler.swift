import NIOCore
import NIOHTTP1

/// What the metrics endpoint answers: `GET /metrics` and `GET /health`; the daemon supplies both.
struct MetricsRoutes: Sendable {
    /// The Prometheus text exposition.
    let metrics: @Sendable () -> [UInt8]
    /// The health document and whether the daemon is serving (200) or stopping (503).
    let health: @Sendable () -> (serving: Bool, body: [UInt8])
}

/// One HTTP/1.1 request per connection: answered, then the connection is closed (`Connection: close`).
/// A scraper polls every few seconds, so keeping connections open buys nothing and would let idle ones
/// pile up. Anything but GET is 405, a request with a body 413, an unknown path 404.
final class MetricsHTTPHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    static let exposition = "text/plain; version=0.0.4"

    private let routes: MetricsRoutes
    private var head: HTTPRequestHead?
    private var answered = false
    /// A HEAD request's answer has no body (RFC 9110 §9.3.2), its 405 included.
    private var headOnly = false

    init(routes: MetricsRoutes) {
        self.routes = routes
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !answered else { return }
        switch unwrapInboundIn(data) {
        case .head(let request):
            headOnly = request.method == .HEAD
            guard request.method == .GET else {
                respond(context, .methodNotAllowed, text: "only GET is served\n", extra: [("Allow", "GET")])
                return
            }
            // GET has no body here; one announced is refused before it is read.
            if request.headers.contains(name: "Transfer-Encoding")
                || request.headers["Content-Length"].contains(where: { value in
                    value.contains { $0 != "0" && $0 != " " && $0 != "\t" }
                })
            {
                respond(context, .payloadTooLarge, text: "a request body is not accepted\n")
                return
            }
            head = request
        case .body:
            respond(context, .payloadTooLarge, text: "a request body is not accepted\n")
        case .end:
            guard let head else { return }
            route(head, context)
        }
    }

    private func route(_ request: HTTPRequestHead, _ context: ChannelHandlerContext) {
        let path = request.uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        switch path {
        case "/metrics":
            respond(context, .ok, body: routes.metrics(), contentType: Self.exposition)
        case "/health":
            let (serving, body) = routes.health()
            respond(context, serving ? .ok : .serviceUnavailable, body: body, contentType: "application/json")
        default:
            respond(context, .notFound, text: "not found: this endpoint serves /metrics and /health\n")
        }
    }

    private func respond(
        _ context: ChannelHandlerContext, _ status: HTTPResponseStatus, text: String, extra: [(String, String)] = []
    ) {
        respond(context, status, body: Array(text.utf8), contentType: "text/plain; charset=utf-8", extra: extra)
    }

    private func respond(
        _ context: ChannelHandlerContext, _ status: HTTPResponseStatus, body: [UInt8], contentType: String,
        extra: [(String, String)] = []
    ) {
        answered = true
        let body = headOnly ? [] : body
        var headers = HTTPHeaders([
            ("Content-Type", contentType), ("Content-Length", "\(body.count)"), ("Connection", "close"),
        ])
        headers.add(contentsOf: extra)
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
        var buffer = context.channel.allocator.buffer(capacity: body.count)
        buffer.writeBytes(body)
        context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in channel.close(promise: nil) }
    }
}

/// Closes a connection that sends more than `limit` bytes: a request line and a few headers are all a
/// scraper sends, and NIO's HTTP decoder would otherwise buffer a header of any size.
final class RequestSizeLimit: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private let limit: Int
    private var received = 0

    init(limit: Int) {
        self.limit = limit
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        received += unwrapInboundIn(data).readableBytes
        guard received <= limit else {
            context.close(promise: nil)
            return
        }
        context.fireChannelRead(data)
    }
}
