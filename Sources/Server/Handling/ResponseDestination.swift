import Routing
import SIP
import Addressing

/// Where a response goes, and what the top Via gains, per RFC 3261 §18.2.2 (unreliable unicast) and
/// RFC 3581 (rport).
struct ResponseDestination {
    let address: SocketAddress
    /// Value for `;received=`: when the Via's sent-by is not the source address (RFC 3261 §18.2.1), and
    /// always when the Via has a valueless `rport` (RFC 3581 §4: "even if it is identical to the
    /// sent-by", so a client behind a NAT learns its public address whatever it put in sent-by).
    let received: String?
    /// Value for a valueless `;rport`.
    let rport: Int?

    init(topVia: SIPVia?, source: SocketAddress) {
        let sourceIP = source.ipAddress
        let sentBy = topVia.flatMap { IPAddress($0.host) }
        let wantsRport = topVia.map { $0.hasRport && $0.rport == nil } ?? false
        received = (topVia != nil && (wantsRport || sentBy != sourceIP)) ? sourceIP.description : nil
        if wantsRport {
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
