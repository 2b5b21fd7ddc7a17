/// The one writer of RFC 3261 quoted strings (§25.1: `DQUOTE *(qdtext / quoted-pair) DQUOTE`) in the
/// headers switchd sends. Every `name="value"` switchd writes goes through `quote`, so that no value
/// (a realm taken from a request, say) can close the quotes early and append parameters of its own.
public enum QuotedString {
    /// `text` between double quotes: `"` and `\` are backslash-escaped (quoted-pair), and every control
    /// character (U+0000-U+001F, U+007F; CR and LF among them) becomes a space. quoted-pair cannot carry
    /// CR or LF at all, and a raw control byte in a header is at best refused by the receiver, at worst
    /// read as the end of the line. Everything else (printable ASCII, UTF-8) is qdtext and stays.
    public static func quote(_ text: String) -> String {
        // Nearly every value (nonces, host names, "auth") needs nothing: no copy byte by byte.
        guard text.utf8.contains(where: needsCare) else { return "\"" + text + "\"" }
        var out: [UInt8] = [0x22]
        out.reserveCapacity(text.utf8.count + 8)
        for byte in text.utf8 {
            switch byte {
            case 0x22, 0x5C: out.append(0x5C); out.append(byte)
            case 0x00...0x1F, 0x7F: out.append(0x20)
            default: out.append(byte)
            }
        }
        out.append(0x22)
        return String(decoding: out, as: UTF8.self)
    }

    private static func needsCare(_ byte: UInt8) -> Bool {
        byte == 0x22 || byte == 0x5C || byte < 0x20 || byte == 0x7F
    }
}
