/// The characters a phone can dial: 0-9, `*` and `#`, numbered 0-11 so that a trie node can index its
/// children with them directly.
package enum DialSymbol {
    package static let count = 12

    /// The symbol index of an ASCII byte, or nil when the byte cannot be dialled.
    @inline(__always)
    package static func index(of byte: UInt8) -> Int? {
        switch byte {
        case 0x30...0x39: return Int(byte &- 0x30)
        case 0x2A: return 10  // *
        case 0x23: return 11  // #
        default: return nil
        }
    }

    package static func isDialString(_ string: String, maxLength: Int = 10) -> Bool {
        let bytes = string.utf8
        return !bytes.isEmpty && bytes.count <= maxLength && bytes.allSatisfy { index(of: $0) != nil }
    }

    package static func isDigits(_ string: Substring.UTF8View) -> Bool {
        string.allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
    }
}
