import Foundation
import Registrar

/// The payload of `NOTIFY switchd_bindings`: which node wrote, and which AORs it changed (their rows
/// are read again by the listeners, so the payload never carries a binding). JSON, so that
/// `LISTEN switchd_bindings` in psql shows it readably:
///
/// ```
/// {"aors":[["acme","201"],["acme","202"]],"node":"pbx1-4711-9f3a","v":1}
/// {"node":"pbx1-4711-9f3a","resync":true,"v":1}
/// ```
///
/// PostgreSQL refuses payloads of 8000 bytes or more; a change of more AORs than fit says "resync"
/// instead, and each listener reads every row.
struct ChangeNotice: Equatable, Sendable {
    enum Content: Equatable, Sendable {
        case aors([AddressOfRecord])
        case resync
    }

    var node: String
    var content: Content

    static let maximumPayloadBytes = 7_999
    static let formatVersion = 1

    private struct Wire: Codable {
        var v: Int
        var node: String
        var aors: [[String]]?
        var resync: Bool?
    }

    /// The payload for a write of `aors` (each named once, in first-seen order), or the resync marker.
    static func payload(node: String, aors: [AddressOfRecord]) -> String {
        var seen = Set<AddressOfRecord>()
        let unique = aors.filter { seen.insert($0).inserted }
        let named = encode(Wire(v: formatVersion, node: node, aors: unique.map { [$0.customerID, $0.extensionNumber] }))
        if let named, named.utf8.count <= maximumPayloadBytes { return named }
        // The node ID is at most 64 bytes (checked at init), so the marker always fits.
        return encode(Wire(v: formatVersion, node: node, resync: true)) ?? ""
    }

    /// The notice in `payload`, or nil when it is not one this switchd can read (another program on the
    /// channel, a newer format): the listener then reads every row rather than guess.
    static func decode(_ payload: String) -> ChangeNotice? {
        guard let wire = try? JSONDecoder().decode(Wire.self, from: Data(payload.utf8)), wire.v == formatVersion else {
            return nil
        }
        if wire.resync == true { return ChangeNotice(node: wire.node, content: .resync) }
        guard let pairs = wire.aors, pairs.allSatisfy({ $0.count == 2 }) else { return nil }
        let aors = pairs.map { AddressOfRecord(customerID: $0[0], extensionNumber: $0[1]) }
        return ChangeNotice(node: wire.node, content: .aors(aors))
    }

    private static func encode(_ wire: Wire) -> String? {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(wire) else { return nil }
        return String(decoding: data, as: UTF8.self)
    }
}
