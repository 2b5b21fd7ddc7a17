import Routing
import SIP
import Addressing

/// Where a response goes, and what the top Via gains, per RFC 3261 §18.2.2 (unreliable unicast) and
/// RFC 3581 (rport).
struct ResponseDestination {
    let address: SocketAddress
    /// Value for `;received=` when the Via's sent-by is not the source address.
    let received: String?
    /// Value for a valueless `;rport`.
    let rport: Int?

    init(topVia: SIPVia?, source: SocketAddress) {
        let sourceIP = source.ipAddress
        let sentBy = topVia.flatMap { IPAddress($0.host) }
        received = (topVia != nil && sentBy != sourceIP) ? sourceIP.description : nil
        if let topVia, topVia.hasRport, topVia.rport == nil {
            // RFC 3581: answer to the source address and port the request came from.
            rport = Int(source.port)
            address = source
        } else {
            rport = nil
            // The received address is the source address (either added now or equal to sent-by).
            let port = topVia?.port.flatMap { UInt16(exactly: $0) } ?? 5060
            address = source.with(port: port)
        }
    }
}
