// Public value types of the SIP module. Nothing from COsip appears here: the
// server works with plain Sendable Swift values and never sees a C pointer.

/// The outcome of parsing one UDP datagram.
public enum SIPParseResult: Sendable {
    /// A syntactically valid request. Semantic checks that depend on the
    /// server's role (method dispatch, Max-Forwards 0, URI scheme) are the server's.
    // indirect: the request is large (a dozen strings and arrays); boxed, passing the result on costs
    // one reference count instead of one per field.
    indirect case request(SIPRequest)
    /// A SIP response arrived: a stateless UAS stays silent.
    case response
    /// A request we can answer with an error (400 or 505); Vias were recovered.
    case invalid(SIPInvalidRequest)
    /// Nothing to answer to (no Via recoverable, not SIP at all): drop and count.
    case unrecoverable(reason: String)
    /// An ACK or CANCEL: a stateless UAS must ignore both, well-formed or not (RFC 3261 §8.2.7), so only
    /// osip's verdict is kept: nil, or its complaint.
    case unanswered(method: String, problem: String?)
}

/// A SIP, SIPS, tel or other URI as written in the message.
///
/// `scheme` is lowercased (schemes are case-insensitive). `user` is kept raw,
/// exactly as in the message, %-escapes *not* decoded (`null-%00-null` stays
/// intact; decoding is the consumer's choice). For sip/sips, `host` is the host
/// without IPv6 brackets and `port` the explicit port. For `tel:` the number is
/// in `user` and `host` is empty; for other schemes `host` holds the opaque
/// part up to the first `;` and `user` is nil.
public struct SIPURI: Sendable, Equatable {
    public var scheme: String
    public var user: String?
    public var host: String
    public var port: Int?

    public init(scheme: String, user: String? = nil, host: String, port: Int? = nil) {
        self.scheme = scheme
        self.user = user
        self.host = host
        self.port = port
    }

    /// True for `sip:` and `sips:`, the schemes a request, registrar or Contact may use (the parser
    /// lower-cases the scheme).
    public var isSIP: Bool { scheme == "sip" || scheme == "sips" }
}

/// A From or To header.
public struct SIPNameAddr: Sendable {
    /// The header value exactly as received (continuation lines unfolded), for echoing.
    public var raw: String
    /// The URI inside the value; nil when it could not be isolated.
    public var uri: SIPURI?
    /// The `tag` parameter value; nil when absent.
    public var tag: String?

    public init(raw: String, uri: SIPURI?, tag: String?) {
        self.raw = raw
        self.uri = uri
        self.tag = tag
    }
}

/// One Via value (one element of a comma-separated Via header counts as one).
public struct SIPVia: Sendable {
    /// This value exactly as received (unfolded, trimmed), for echoing.
    public var raw: String
    /// Transport token, uppercased ("UDP", "TCP", ...).
    public var transport: String
    /// The sent-by host; IPv6 addresses without brackets.
    public var host: String
    public var port: Int?
    public var branch: String?
    /// True when an `rport` parameter is present (with or without a value).
    public var hasRport: Bool
    public var rport: Int?
    public var received: String?

    public init(
        raw: String, transport: String, host: String, port: Int?, branch: String?,
        hasRport: Bool, rport: Int?, received: String?
    ) {
        self.raw = raw
        self.transport = transport
        self.host = host
        self.port = port
        self.branch = branch
        self.hasRport = hasRport
        self.rport = rport
        self.received = received
    }
}

public struct SIPCSeq: Sendable {
    public var number: UInt32
    public var method: String
    /// The value as received (unfolded), for echoing.
    public var raw: String

    public init(number: UInt32, method: String, raw: String) {
        self.number = number
        self.method = method
        self.raw = raw
    }
}

public struct SIPRequest: Sendable {
    public var method: String
    public var requestURI: SIPURI
    public var from: SIPNameAddr
    public var to: SIPNameAddr
    public var callID: String
    public var cseq: SIPCSeq
    /// Every Via in message order (several headers and comma-separated values).
    public var vias: [SIPVia]
    /// Max-Forwards value; 70 (RFC 3261 §8.1.1.6) when the header is absent,
    /// which RFC 2543 clients do and RFC 4475 §3.4.1 says must be accepted.
    public var maxForwards: Int
    /// False when the request carried no Max-Forwards header (see `maxForwards`).
    public var hasMaxForwards: Bool
    /// Option tags of every Require header, in order.
    public var require: [String]
    /// The declared Content-Length; the body bytes present when the header is absent.
    public var contentLength: Int
    /// Bytes present after the empty line (may exceed `contentLength`: extra
    /// bytes past Content-Length are ignored).
    public var bodyLength: Int
    /// Raw Authorization header values, in order.
    public var authorization: [String]
    /// The Request-URI exactly as written on the request line (digest responses cover this text).
    public var requestURIText: String = ""
    /// Contacts, Expires and User-Agent of a REGISTER; nil for every other method.
    public var registration: SIPRegistration?
    /// The exact bytes of From, To, Call-ID and CSeq, when parsed from a datagram: header text that is
    /// not valid UTF-8 cannot live in a Swift String unchanged, and responses must echo it unchanged.
    var echo: EchoedHeaders?

    public init(
        method: String, requestURI: SIPURI, from: SIPNameAddr, to: SIPNameAddr, callID: String,
        cseq: SIPCSeq, vias: [SIPVia], maxForwards: Int = 70, hasMaxForwards: Bool = true,
        require: [String] = [], contentLength: Int = 0, bodyLength: Int = 0,
        authorization: [String] = []
    ) {
        self.method = method
        self.requestURI = requestURI
        self.from = from
        self.to = to
        self.callID = callID
        self.cseq = cseq
        self.vias = vias
        self.maxForwards = maxForwards
        self.hasMaxForwards = hasMaxForwards
        self.require = require
        self.contentLength = contentLength
        self.bodyLength = bodyLength
        self.authorization = authorization
    }
}

/// Why a request cannot be served. The server's response catalog turns each into a status line.
public enum SIPRequestProblem: Error, Sendable, Equatable {
    /// Malformed: the text names the problem, e.g. "Missing Call-ID", "CSeq Method Mismatch".
    case malformed(String)
    /// A protocol version other than SIP/2.0.
    case versionNotSupported
}

/// A request that must be answered with an error: carries the problem and what could be recovered
/// for echoing in the error response.
public struct SIPInvalidRequest: Sendable {
    public var problem: SIPRequestProblem
    public var vias: [SIPVia]
    public var fromRaw: String?
    public var toRaw: String?
    public var callID: String?
    public var cseqRaw: String?
    /// Request method from the start line, when one was recognisable.
    public var method: String?
    /// osip's own complaint when it refused the message, for logging only.
    public var detail: String?
    /// Exact bytes of the recovered headers, as for `SIPRequest`.
    var echo: EchoedHeaders?

    public init(
        problem: SIPRequestProblem, vias: [SIPVia], fromRaw: String? = nil,
        toRaw: String? = nil, callID: String? = nil, cseqRaw: String? = nil,
        method: String? = nil, detail: String? = nil
    ) {
        self.problem = problem
        self.vias = vias
        self.fromRaw = fromRaw
        self.toRaw = toRaw
        self.callID = callID
        self.cseqRaw = cseqRaw
        self.method = method
        self.detail = detail
    }
}

/// Header values exactly as received (unfolded, trimmed), for byte-exact echoing.
struct EchoedHeaders: Sendable {
    var from: [UInt8]?
    var to: [UInt8]?
    var callID: [UInt8]?
    var cseq: [UInt8]?

    init(_ scanned: ScannedMessage) {
        from = scanned.firstBytes(.from)
        to = scanned.firstBytes(.to)
        callID = scanned.firstBytes(.callID)
        cseq = scanned.firstBytes(.cseq)
    }
}
