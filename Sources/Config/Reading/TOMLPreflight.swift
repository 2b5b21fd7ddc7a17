/// A cheap scan of a file's text before it is handed to TOMLKit, refusing the inputs that TOMLKit or
/// toml++ cannot take safely. Each was found to crash or to change meaning silently:
///
/// - **Nesting.** toml++ recurses over nested tables: 100,000 dotted key parts (`a.a.a…= 1`, a 200 KB
///   line) overflowed the stack and killed `check` (SIGSEGV). toml++ limits nested arrays and inline
///   tables to 256 levels itself, but not dotted keys or table headers. So the scan refuses anything
///   nested more than `maximumDepth` levels, counting every array, inline table, header and dotted key
///   part on the way down. No switchd setting nests more than three (`trunks."9".gateway`).
/// - **NUL.** TOMLKit hands the text and every key and string to C as NUL-terminated strings: a NUL
///   byte in the file silently ends the document there, and `\u0000` in a string cuts the value short
///   (`"10.0.0.0\u0000junk"` read as `10.0.0.0`) or, in a key, makes TOMLKit's own table iterator trap.
///   Nothing in a configuration can contain U+0000, so both are refused.
///
/// - **A table header that does not start with a key.** toml++ 3.4 asserts (and so aborts the process,
///   in release builds too, as its assertions are compiled in) when `[` opening a table header is
///   followed by anything but a bare key character, a quote or `]`: `[#`, `[` alone on a line, `[.a]`,
///   `[=]`. The scan reports those itself.
/// - **An array element that ends a value.** toml++ asserts the same way when an element of an array
///   starts with `}` (`x = [}]`) or with a Unicode line break (U+0085, U+2028, U+2029), which it counts
///   as whitespace but does not skip there. Outside strings and comments those line breaks are never
///   valid TOML, so the scan refuses them anywhere there, and `}` while an array is the innermost
///   thing open.
/// - **Two broken date-times.** A date, a space and one digit (`1979-05-27 0` followed by a space, a
///   newline, `,` or `]`): toml++ reads on, taking it for the start of a date-time, and asserts when a
///   value ends there (or, with underscores in the date, when it steps back past its 128-character
///   history). A date, `T` and no digit (`1979-05-27T-7:32:00Z`): it asserts the time starts
///   with a digit.
///
/// The scan follows TOML's lexical rules closely enough to know what is inside a string or a comment
/// (basic, literal and multi-line strings, escapes, comments); anything it cannot follow is left for
/// toml++ to report, as the scan never accepts what toml++ would refuse, it only refuses more.
struct TOMLPreflight {
    /// Far above what any real file needs (3), far below what overflows a thread's stack.
    static let maximumDepth = 64

    struct Problem: Equatable {
        let line: Int
        let column: Int
        let message: String
    }

    static func check(_ bytes: [UInt8]) -> Problem? {
        var scanner = TOMLPreflight(bytes: bytes)
        return scanner.run()
    }

    private enum Mode {
        /// Start of a line outside any array or inline table: a key, a table header or a comment may follow.
        case lineStart
        /// Inside a `[table]` or `[[array]]` header.
        case header
        /// A key of a key/value pair, before its `=`.
        case key
        /// A value, after `=` (or an array element).
        case value
    }

    private enum Container {
        case array
        case inlineTable
    }

    private let bytes: [UInt8]
    private var index = 0
    private var line = 1
    private var column = 1
    private var mode = Mode.lineStart
    /// The arrays and inline tables open at this point, each with the depth at which it was opened.
    private var containers: [(kind: Container, depth: Int)] = []
    /// Depth of the table the current key/value pairs go into: the last header's parts.
    private var headerDepth = 0
    /// Depth reached by the key being read (its enclosing depth plus one per dotted part).
    private var keyDepth = 0
    /// Depth of the key whose value is being read: an array or inline table opened there is one deeper.
    private var valueDepth = 0

    private init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// The depth a new array or inline table hangs from: the array it is an element of, or the key it
    /// is the value of.
    private var parentDepth: Int {
        if let last = containers.last, last.kind == .array { return last.depth }
        return valueDepth
    }

    private mutating func open(_ kind: Container) -> Problem? {
        let depth = parentDepth + 1
        containers.append((kind, depth))
        if kind == .inlineTable {
            mode = .key
            keyDepth = depth + 1
        }
        return checkDepth(depth)
    }

    private mutating func run() -> Problem? {
        // A UTF-8 byte order mark, which toml++ skips.
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { index = 3 }
        while index < bytes.count {
            let byte = bytes[index]
            if byte == 0 {
                return problem("contains a NUL byte (U+0000): a configuration file is text, and TOML does not allow it")
            }
            switch byte {
            case 0x22, 0x27:  // " '
                if let problem = skipString(quote: byte) { return problem }
                continue
            case 0x23:  // # comment, to the end of the line
                while index < bytes.count, bytes[index] != 0x0A {
                    if bytes[index] == 0 {
                        return problem("contains a NUL byte (U+0000): a configuration file is text, and TOML does not allow it")
                    }
                    advance()
                }
                continue
            case 0x0A:
                if containers.isEmpty { mode = .lineStart }
            case 0x5B:  // [
                switch mode {
                case .lineStart:
                    if let problem = checkHeaderStart() { return problem }
                    mode = .header
                    headerDepth = 0
                    keyDepth = 1
                    // `[[name]]`: an array of tables is one level more.
                    if index + 1 < bytes.count, bytes[index + 1] == 0x5B {
                        keyDepth = 2
                        advance()
                    }
                case .value:
                    if let problem = open(.array) { return problem }
                case .header, .key:
                    break  // invalid TOML: toml++ reports it
                }
            case 0x7B:  // {
                if mode == .value, let problem = open(.inlineTable) { return problem }
            case 0x5D, 0x7D:  // ] }
                if byte == 0x7D, let last = containers.last, last.kind == .array {
                    return problem("'}' inside an array closes no inline table; an array ends with ']'")
                }
                if mode == .header {
                    headerDepth = keyDepth
                    mode = .value  // the rest of a header line holds nothing but a comment
                } else if !containers.isEmpty {
                    containers.removeLast()
                    mode = .value
                }
            case 0x2C:  // ,
                if let last = containers.last, last.kind == .inlineTable {
                    mode = .key
                    keyDepth = last.depth + 1
                }
            case 0x2E:  // . separates the parts of a dotted key (in a value it is a decimal point)
                if mode == .header || mode == .key {
                    keyDepth += 1
                    if let problem = checkDepth(keyDepth) { return problem }
                }
            case 0x3D:  // =
                if mode == .key {
                    mode = .value
                    valueDepth = keyDepth
                }
            case 0x20, 0x09, 0x0D:
                break
            case 0xC2 where index + 1 < bytes.count && bytes[index + 1] == 0x85,
                0xE2
            where index + 2 < bytes.count && bytes[index + 1] == 0x80 && (bytes[index + 2] == 0xA8 || bytes[index + 2] == 0xA9):
                let name = byte == 0xC2 ? "U+0085" : bytes[index + 2] == 0xA8 ? "U+2028" : "U+2029"
                return problem("a Unicode line break (\(name)) outside a string or comment; TOML lines end with a newline")
            case 0x30...0x39
            where mode == .value && (index == 0 || [0x20, 0x09, 0x0A, 0x0D, 0x3D, 0x5B, 0x2C].contains(bytes[index - 1])):
                if let problem = checkDateTime() { return problem }
            default:
                if mode == .lineStart {
                    mode = .key
                    keyDepth = headerDepth + 1
                }
            }
            advance()
        }
        return nil
    }

    private func checkDepth(_ depth: Int) -> Problem? {
        guard depth > Self.maximumDepth else { return nil }
        return problem(
            "nested more than \(Self.maximumDepth) levels deep (tables, dotted keys, arrays and inline tables together); no switchd setting is nested more than 3"
        )
    }

    /// At the `[` of a table header: what follows it (after spaces, tabs and a second `[`) must be able
    /// to start a key, or be `]` or the end (which toml++ reports itself).
    private func checkHeaderStart() -> Problem? {
        var next = index + 1
        func skipBlanks() {
            while next < bytes.count, bytes[next] == 0x20 || bytes[next] == 0x09 { next += 1 }
        }
        // As toml++ reads a header: blanks, then a second `[` only right after the first (`[ [` is an
        // error it reports), then blanks again. `[[[` leaves a `[` where the key should start.
        skipBlanks()
        if next == index + 1, next < bytes.count, bytes[next] == 0x5B {
            next += 1
            skipBlanks()
        }
        guard next < bytes.count else { return nil }
        let byte = bytes[next]
        let startsKey =
            (byte >= 0x30 && byte <= 0x39) || (byte | 0x20 >= 0x61 && byte | 0x20 <= 0x7A)
            || byte == 0x5F || byte == 0x2D || byte == 0x22 || byte == 0x27
        guard !startsKey, byte != 0x5D else { return nil }
        // Only ASCII was skipped, so the column moves by the bytes skipped.
        return Problem(
            line: line, column: column + (next - index),
            message: "a table header must start with a name, e.g. [server] or [trunks.\"9\"]")
    }

    /// At the first digit of a value: refuses a date followed by T and no digit, and ten characters
    /// (underscores aside) with `-` as the fifth and eighth, then a space, a digit and the end of the
    /// value: toml++ asserts on both.
    private func checkDateTime() -> Problem? {
        // YYYY-MM-DD, T or t, and no digit after it.
        let pattern: [UInt8?] = [nil, nil, nil, nil, 0x2D, nil, nil, 0x2D, nil, nil]
        if index + 11 < bytes.count,
            zip(bytes[index..<index + 10], pattern).allSatisfy({ byte, expected in
                expected.map { byte == $0 } ?? (byte >= 0x30 && byte <= 0x39)
            }),
            bytes[index + 10] | 0x20 == 0x74, !(bytes[index + 11] >= 0x30 && bytes[index + 11] <= 0x39)
        {
            return Problem(
                line: line, column: column + 11, message: "a date-time needs a time after its T, e.g. 1979-05-27T07:32:00Z")
        }
        // toml++ counts characters (code points), leaves out underscores, and takes its decision on
        // where the dashes are: any other character may stand between them (`1979-)5-27 0` too).
        var next = index
        var characters: [UInt8] = []  // the first byte of each character
        while next < bytes.count, characters.count <= 10, !Self.endsValue(at: next, in: bytes) {
            if bytes[next] & 0xC0 != 0x80, bytes[next] != 0x5F { characters.append(bytes[next]) }
            next += 1
        }
        // The continuation bytes of the last character counted.
        while next < bytes.count, bytes[next] & 0xC0 == 0x80 { next += 1 }
        // With underscores in it, reading on past the space and digit can also step back further than
        // toml++ keeps characters for (128): it asserts then too, whatever follows the digit.
        let hasUnderscore = bytes[index..<next].contains(0x5F)
        guard characters.count == 10, characters[4] == 0x2D, characters[7] == 0x2D,
            next + 2 < bytes.count, bytes[next] == 0x20, bytes[next + 1] >= 0x30, bytes[next + 1] <= 0x39,
            hasUnderscore || Self.endsValue(at: next + 2, in: bytes)
        else { return nil }
        if hasUnderscore {
            return problem(
                "a date must not contain underscores (TOML allows them between the digits of a number only), e.g. 1979-05-27 07:32:00"
            )
        }
        let columns = bytes[index..<next].filter { $0 & 0xC0 != 0x80 }.count
        return Problem(
            line: line, column: column + columns + 1,
            message: "a date, a space and a single digit: write a date-time as 1979-05-27 07:32:00, or quote the text")
    }

    /// What toml++ takes as the end of a value: whitespace (its Unicode spaces and line breaks too),
    /// `]`, `}`, `,` or `#`.
    private static func endsValue(at index: Int, in bytes: [UInt8]) -> Bool {
        switch bytes[index] {
        case 0x09...0x0D, 0x20, 0x5D, 0x7D, 0x2C, 0x23: return true
        case 0xC2: return index + 1 < bytes.count && (bytes[index + 1] == 0x85 || bytes[index + 1] == 0xA0)
        case 0xE1, 0xE2, 0xE3, 0xEF: return unicodeSpaceLength(at: index, in: bytes) > 0
        default: return false
        }
    }

    /// The length in bytes of one of toml++'s non-ASCII spaces or line breaks at `index`, or 0:
    /// U+1680, U+180E, U+2000-U+200B, U+2028, U+2029, U+202F, U+205F, U+2060, U+3000, U+FEFF.
    private static func unicodeSpaceLength(at index: Int, in bytes: [UInt8]) -> Int {
        guard index + 2 < bytes.count else { return 0 }
        let scalar =
            (UInt32(bytes[index] & 0x0F) << 12) | (UInt32(bytes[index + 1] & 0x3F) << 6) | UInt32(bytes[index + 2] & 0x3F)
        switch scalar {
        case 0x1680, 0x180E, 0x2000...0x200B, 0x2028, 0x2029, 0x202F, 0x205F, 0x2060, 0x3000, 0xFEFF: return 3
        default: return 0
        }
    }

    /// Skips a string starting at `index` (one of `"`, `'`, `"""`, `'''`), refusing a NUL in it.
    private mutating func skipString(quote: UInt8) -> Problem? {
        if mode == .lineStart {
            mode = .key
            keyDepth = headerDepth + 1
        }
        let multiline = index + 2 < bytes.count && bytes[index + 1] == quote && bytes[index + 2] == quote
        let escapes = quote == 0x22
        for _ in 0..<(multiline ? 3 : 1) { advance() }
        while index < bytes.count {
            let byte = bytes[index]
            if byte == 0 {
                return problem("contains a NUL byte (U+0000): a configuration file is text, and TOML does not allow it")
            }
            if escapes, byte == 0x5C {  // backslash: the next character is escaped
                if let problem = checkNULEscape() { return problem }
                advance()
                if index < bytes.count { advance() }
                continue
            }
            if byte == 0x0A, !multiline { return nil }  // unterminated: toml++ reports it
            if byte == quote {
                if !multiline {
                    advance()
                    return nil
                }
                if index + 2 < bytes.count, bytes[index + 1] == quote, bytes[index + 2] == quote {
                    for _ in 0..<3 { advance() }
                    // Up to two more quotes right before the closing three belong to the string.
                    var extra = 0
                    while extra < 2, index < bytes.count, bytes[index] == quote {
                        advance()
                        extra += 1
                    }
                    return nil
                }
            }
            advance()
        }
        return nil
    }

    /// At a backslash inside a basic string: `\u0000` and `\U00000000` are refused.
    private func checkNULEscape() -> Problem? {
        guard index + 1 < bytes.count else { return nil }
        let digits: Int
        switch bytes[index + 1] {
        case 0x75: digits = 4  // u
        case 0x55: digits = 8  // U
        default: return nil
        }
        let start = index + 2
        guard start + digits <= bytes.count, bytes[start..<start + digits].allSatisfy({ $0 == 0x30 }) else { return nil }
        return problem(
            "a string must not contain U+0000 (\\\(digits == 4 ? "u0000" : "U00000000")): nothing in a configuration can hold a NUL character"
        )
    }

    private mutating func advance() {
        if bytes[index] == 0x0A {
            line += 1
            column = 1
        } else if bytes[index] & 0xC0 != 0x80 {
            column += 1  // columns count characters, not the continuation bytes of UTF-8
        }
        index += 1
    }

    private func problem(_ message: String) -> Problem {
        Problem(line: line, column: column, message: message)
    }
}
