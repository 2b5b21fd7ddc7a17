/// Systematic mutations of the sample conf: every key of every file (nested tables, `[extensions]`
/// entries and the pairs inside `[credentials]` inline tables included) given every wrong value,
/// removed, repeated and renamed; every table header removed, repeated and turned into a value; and
/// file- and directory-level damage.
enum Mutations {
    /// Values of every TOML type and the strings that break parsers: each replaces each value.
    static let wrongValues: [(label: String, toml: String, mustFail: Bool)] = [
        ("string", "\"text\"", false), ("integer", "42", false), ("zero", "0", false), ("negative", "-1", false),
        ("Int.max", "9223372036854775807", false), ("Int.min", "-9223372036854775808", false),
        ("float", "3.14", false), ("inf", "inf", false), ("-inf", "-inf", false), ("nan", "nan", false),
        ("1e300", "1e300", false),
        ("bool", "true", false), ("date", "1979-05-27", false), ("time", "07:32:00", false),
        ("datetime", "1979-05-27T07:32:00Z", false),
        ("empty array", "[]", false), ("int array", "[1, 2]", false), ("mixed array", "[\"a\", 1, true]", false),
        ("nested array", "[[\"a\"]]", false),
        ("inline table", "{ a = 1 }", false), ("empty inline table", "{}", false),
        ("empty string", "\"\"", false), ("5,000 characters", "\"" + String(repeating: "x", count: 5_000) + "\"", false),
        ("5,000 digits", "\"" + String(repeating: "7", count: 5_000) + "\"", false),
        ("non-ASCII", "\"Ünïcödé 日本 🚀\"", false), ("control characters", "\"a\\u0001b\\u001Fc\\u007F\"", false),
        ("NUL escape", "\"\\u0000\"", true), ("NUL inside", "\"10.0.0.0\\u0000junk\"", true),
        ("long NUL escape", "\"71\\U00000000\"", true),
        ("newline", "\"7\\n1\"", false), ("CR LF", "\"a\\r\\nb\"", false), ("tab", "\"a\\tb\"", false),
        ("line separator", "\"a\\u2028b\"", false),
        ("letters for digits", "\"7a\"", false), ("digits for letters", "\"12345\"", false), ("star and hash", "\"*#\"", false),
        ("sip URI", "\"sip:{number}@gw.example\"", false), ("sip ext URI", "\"sip:{ext}@pbx.example\"", false),
        ("bare sips", "\"sips:\"", false), ("udp address", "\"udp:127.0.0.1:5060\"", false),
        ("udp port 0", "\"udp:[::1]:0\"", false),
        ("http URI", "\"http://example.com/\"", false), ("CIDR", "\"10.0.0.0/8\"", false), ("IPv6 CIDR", "\"::/0\"", false),
        ("range", "\"0000000000-9999999999\"", false), ("literal string", "'C:\\\\path'", false),
        ("multi-line string", "\"\"\"a\nb\"\"\"", false),
        ("quote in string", "\"a\\\"b\"", false), ("backslash", "\"a\\\\b\"", false),
    ]

    /// Arrays whose elements are wrong, for the keys that hold arrays.
    static let wrongElements: [(label: String, toml: String, mustFail: Bool)] = wrongValues.map {
        ($0.label, $0.toml, $0.mustFail)
    }

    /// Keys that replace each key (names where names are expected, numbers where numbers are).
    static let oddKeys: [(label: String, toml: String, mustFail: Bool)] = [
        ("letters", "\"7a\"", false), ("empty", "\"\"", false), ("NUL", "\"\\u0000\"", true),
        ("NUL after digits", "\"1\\u0000\"", true),
        ("newline", "\"a\\nb\"", false), ("non-ASCII", "\"é\"", false),
        ("5,000 digits", "\"" + String(repeating: "1", count: 5_000) + "\"", false),
        ("whole range", "\"0000000000-9999999999\"", false), ("reversed range", "\"9-0\"", false),
        ("uneven range", "\"1-22\"", false),
        ("star range", "\"*97-*99\"", false), ("11 digits", "\"12345678901\"", false), ("plus", "\"+1\"", false),
        ("bare", "name2", false),
        ("dotted", "a.b.c", false), ("star", "\"*\"", false), ("typo", "nmae", false),
    ]

    static func all(of files: [String: String]) -> [Variant] {
        var variants: [Variant] = []
        for path in files.keys.sorted() {
            guard let text = files[path] else { continue }
            variants += lineMutations(path: path, text: text, files: files)
            variants += fileMutations(path: path, text: text, files: files)
        }
        variants += directoryMutations(files)
        return variants
    }

    // MARK: - keys and values

    private static func lineMutations(path: String, text: String, files: [String: String]) -> [Variant] {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var variants: [Variant] = []
        var table = ""
        func variant(_ name: String, _ newLines: [String], mustFail: Bool = false) -> Variant {
            var texts = files
            texts[path] = newLines.joined(separator: "\n")
            return Variant("\(path): \(name)", texts: texts, mustFail: mustFail)
        }
        for (index, line) in lines.enumerated() {
            let trimmed = line.drop { $0 == " " }
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            var replaced = lines
            if trimmed.hasPrefix("[") {
                table = String(trimmed.dropFirst().prefix { $0 != "]" })
                replaced.remove(at: index)
                variants.append(variant("header [\(table)] removed", replaced))
                replaced = lines
                replaced.insert(line, at: index + 1)
                variants.append(variant("header [\(table)] repeated", replaced))
                replaced = lines
                replaced[index] = "\(table) = 1"
                variants.append(variant("header [\(table)] turned into a value", replaced))
                continue
            }
            guard let (key, value) = splitPair(line) else { continue }
            let label = table.isEmpty ? key : "\(table).\(key)"
            for wrong in wrongValues {
                replaced[index] = "\(key) = \(wrong.toml)"
                variants.append(variant("\(label) = \(wrong.label)", replaced, mustFail: wrong.mustFail))
            }
            if value.hasPrefix("[") {
                // The first element of an array, wrong; then an element added.
                let rest = value.dropFirst().drop { $0 == " " }
                for wrong in wrongElements {
                    replaced[index] = "\(key) = [\(wrong.toml), \(rest)"
                    variants.append(variant("\(label)[0] = \(wrong.label)", replaced, mustFail: wrong.mustFail))
                }
            }
            if value.hasPrefix("{") {
                variants += inlineTableMutations(key: key, value: value, label: label) { name, newLine, mustFail in
                    var inner = lines
                    inner[index] = newLine
                    return variant(name, inner, mustFail: mustFail)
                }
            }
            replaced = lines
            replaced.remove(at: index)
            variants.append(variant("\(label) removed", replaced))
            replaced = lines
            replaced.insert(line, at: index + 1)
            variants.append(variant("\(label) repeated", replaced))
            for odd in oddKeys {
                replaced = lines
                replaced[index] = "\(odd.toml) = \(value)"
                variants.append(variant("\(label) renamed to \(odd.label)", replaced, mustFail: odd.mustFail))
            }
            // A table where the value belongs.
            replaced = lines
            replaced.remove(at: index)
            replaced.append(table.isEmpty ? "[\(key)]" : "[\(table).\(key)]")
            replaced.append("x = 1")
            variants.append(variant("\(label) turned into a table", replaced))
        }
        return variants
    }

    /// `{ sha256 = "...", md5 = "..." }`: each inner value wrong, each pair removed and repeated.
    private static func inlineTableMutations(
        key: String, value: String, label: String, _ make: (String, String, Bool) -> Variant
    ) -> [Variant] {
        let body = value.dropFirst().prefix { $0 != "}" }
        let pairs = body.split(separator: ",").map { $0.trimmingSpaces }
        var variants: [Variant] = []
        for (position, pair) in pairs.enumerated() {
            guard let (innerKey, _) = splitPair(pair) else { continue }
            for wrong in wrongValues {
                var changed = pairs
                changed[position] = "\(innerKey) = \(wrong.toml)"
                variants.append(
                    make(
                        "\(label).\(innerKey) = \(wrong.label)", "\(key) = { \(changed.joined(separator: ", ")) }", wrong.mustFail
                    ))
            }
            var without = pairs
            without.remove(at: position)
            variants.append(make("\(label).\(innerKey) removed", "\(key) = { \(without.joined(separator: ", ")) }", false))
            variants.append(
                make("\(label).\(innerKey) repeated", "\(key) = { \((pairs + [pair]).joined(separator: ", ")) }", false))
        }
        return variants
    }

    /// `key = value  # comment` -> (key, value without the comment); nil for anything else.
    static func splitPair(_ line: String) -> (String, String)? {
        var inQuote: Character?
        var keyEnd: String.Index?
        for index in line.indices {
            let character = line[index]
            if let quote = inQuote {
                if character == quote { inQuote = nil }
            } else if character == "\"" || character == "'" {
                inQuote = character
            } else if character == "=" {
                keyEnd = index
                break
            }
        }
        guard let keyEnd else { return nil }
        let key = line[..<keyEnd].trimmingSpaces
        var value = Substring(line[line.index(after: keyEnd)...].trimmingSpaces)
        // Drop a trailing comment: the last " #" outside quotes (sample values hold no "#").
        if let hash = value.range(of: "  #") ?? value.range(of: " #") { value = value[..<hash.lowerBound] }
        return key.isEmpty ? nil : (key, String(value).trimmingSpaces)
    }

    // MARK: - whole files

    private static func fileMutations(path: String, text: String, files: [String: String]) -> [Variant] {
        let bytes = Array(text.utf8)
        var base = files.mapValues { Array($0.utf8) }
        func variant(_ name: String, _ content: [UInt8], mustFail: Bool = false) -> Variant {
            base[path] = content
            defer { base[path] = Array(text.utf8) }
            return Variant("\(path): \(name)", files: base, mustFail: mustFail)
        }
        var variants: [Variant] = []
        for fraction in [0.05, 0.25, 0.5, 0.75, 0.95, 0.999] {
            variants.append(
                variant("truncated at \(Int(fraction * 100))%", Array(bytes.prefix(Int(Double(bytes.count) * fraction)))))
        }
        if let quote = bytes.firstIndex(of: 0x22) {
            variants.append(variant("truncated inside a string", Array(bytes.prefix(quote + 2))))
        }
        if let equals = bytes.firstIndex(of: 0x3D) {
            variants.append(variant("truncated after =", Array(bytes.prefix(equals + 1))))
        }
        if let bracket = bytes.firstIndex(of: 0x5B) {
            variants.append(variant("truncated after [", Array(bytes.prefix(bracket + 1))))
        }
        variants.append(variant("empty", []))
        variants.append(variant("only whitespace", Array(" \n\t\n".utf8)))
        var random = SeededRandom(state: UInt64(truncatingIfNeeded: path.hashValueStable))
        for round in 0..<3 {
            let garbage = (0..<512).map { _ in UInt8.random(in: 0...255, using: &random) }
            variants.append(variant("binary garbage \(round)", garbage, mustFail: true))
        }
        variants.append(
            variant(
                "a NUL byte in the middle", Array(bytes.prefix(bytes.count / 2)) + [0] + Array(bytes.dropFirst(bytes.count / 2)),
                mustFail: true))
        variants.append(variant("invalid UTF-8", bytes + [0xC3, 0x28], mustFail: true))
        variants.append(variant("a byte order mark", [0xEF, 0xBB, 0xBF] + bytes))
        variants.append(variant("CR LF line ends", Array(text.replacingOccurrences(of: "\n", with: "\r\n").utf8)))
        let padding = Array("#".utf8) + [UInt8](repeating: 0x78, count: 6 * 1024 * 1024) + [0x0A]
        variants.append(variant("6 MB", bytes + [0x0A] + padding, mustFail: true))
        variants.append(
            variant(
                "5,000 nested arrays",
                bytes
                    + Array(
                        ("\nnested = " + String(repeating: "[", count: 5_000) + String(repeating: "]", count: 5_000) + "\n").utf8),
                mustFail: true))
        variants.append(
            variant(
                "5,000 nested inline tables",
                bytes
                    + Array(
                        ("\nnested = " + String(repeating: "{ a = ", count: 5_000) + "1" + String(repeating: " }", count: 5_000)
                            + "\n").utf8), mustFail: true))
        variants.append(
            variant(
                "100,000 dotted key parts", bytes + Array(("\n" + String(repeating: "a.", count: 100_000) + "a = 1\n").utf8),
                mustFail: true))
        variants.append(
            variant(
                "a header of 100,000 parts", bytes + Array(("\n[" + String(repeating: "a.", count: 100_000) + "a]\n").utf8),
                mustFail: true))
        variants.append(variant("a header starting with #", Array("[#\n".utf8) + bytes, mustFail: true))
        variants.append(variant("[ alone on a line", bytes + Array("\n[\n".utf8), mustFail: true))
        variants.append(variant("[[[ header", bytes + Array("\n[[[a]]\n".utf8), mustFail: true))
        var folder = Variant("\(path): a directory in its place", files: base, folders: [path], mustFail: true)
        folder.files[path] = nil
        variants.append(folder)
        return variants
    }

    // MARK: - the directory

    private static func directoryMutations(_ files: [String: String]) -> [Variant] {
        let base = files.mapValues { Array($0.utf8) }
        var variants: [Variant] = []
        func without(_ prefix: String) -> [String: [UInt8]] { base.filter { !$0.key.hasPrefix(prefix) } }
        variants.append(Variant("customers/ missing", files: without("customers/"), mustFail: true))
        variants.append(Variant("customers/ empty", files: without("customers/"), folders: ["customers"]))
        var customersFile = without("customers/")
        customersFile["customers"] = Array("name = \"x\"\n".utf8)
        variants.append(Variant("a file where customers/ should be", files: customersFile, mustFail: true))
        variants.append(Variant("groups/ missing", files: without("groups/"), mustFail: true))
        var groupsFile = without("groups/")
        groupsFile["groups"] = Array("name = \"x\"\n".utf8)
        variants.append(Variant("a file where groups/ should be", files: groupsFile, mustFail: true))
        variants.append(Variant("switchd.toml missing", files: without("switchd.toml")))
        variants.append(Variant("a folder named customers/x.toml", files: base, folders: ["customers/x.toml"], mustFail: true))
        var nested = base
        nested["customers/sub/y.toml"] = Array("garbage = = =".utf8)
        variants.append(Variant("a sub-folder in customers/ (not read)", files: nested))
        var odd = base
        odd["customers/new\nline.toml"] = Array("name = \"N\"\ncm = 3\ndomains = [\"n.example\"]\ncolour = 1\n".utf8)
        variants.append(Variant("a file name with a newline", files: odd, mustFail: true))
        return variants
    }
}

extension StringProtocol {
    var trimmingSpaces: String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }

    /// FNV-1a, stable across runs (String.hashValue is seeded per process).
    var hashValueStable: UInt64 {
        utf8.reduce(0xcbf2_9ce4_8422_2325) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 }
    }
}

/// A small deterministic generator (SplitMix64), so that the garbage is the same in every run.
struct SeededRandom: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
