/// JSON text for the lines switchd writes (the decision log, `switchd route --json`): RFC 8259 string
/// escaping, done here once.
public enum JSONText {
    /// A JSON string literal. Byte-wise: most values (numbers, URIs, reasons) need no escape at all,
    /// and building the literal a scalar at a time cost more than the rest of a decision log line.
    public static func quoted(_ text: String) -> String {
        let needsEscape = { (byte: UInt8) in byte == 0x22 || byte == 0x5C || byte < 0x20 }
        guard text.utf8.contains(where: needsEscape) else { return "\"" + text + "\"" }
        var bytes: [UInt8] = [0x22]
        bytes.reserveCapacity(text.utf8.count + 8)
        let hex = Array("0123456789abcdef".utf8)
        for byte in text.utf8 {
            switch byte {
            case 0x22: bytes += [0x5C, 0x22]
            case 0x5C: bytes += [0x5C, 0x5C]
            case 0x0A: bytes += [0x5C, 0x6E]
            case 0x0D: bytes += [0x5C, 0x72]
            case 0x09: bytes += [0x5C, 0x74]
            case _ where byte < 0x20: bytes += [0x5C, 0x75, 0x30, 0x30, hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]]
            default: bytes.append(byte)
            }
        }
        bytes.append(0x22)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// `"text"`, or `null` for nil.
    public static func quoted(_ text: String?) -> String {
        text.map { quoted($0) } ?? "null"
    }
}
