/// The HA1 hashes of one extension, as `switchd passwd` prints them: H(ext ":" realm ":" password) for
/// SHA-256 and/or MD5, never the password itself.
public struct StoredCredential: Sendable, Equatable {
    public var sha256: String?
    public var md5: String?

    public init(sha256: String?, md5: String?) {
        self.sha256 = sha256
        self.md5 = md5
    }
}

/// Reads a customer's `[credentials]` table.
enum CredentialParser {
    static let keys = ["sha256", "md5"]

    static func parse(_ table: TOMLSection, extensions: [ExtensionSpec], log: inout DiagnosticLog) -> [String: StoredCredential] {
        var result: [String: StoredCredential] = [:]
        let numbers = ExtensionNumbers(extensions)
        for (ext, _) in table.entries {
            let label = table.qualified(ext)
            guard
                let entry = table.section(
                    ext, typeHint: "an inline table, e.g. { sha256 = \"...\", md5 = \"...\" } (see switchd passwd)", in: &log)
            else {
                continue
            }
            entry.rejectUnknownKeys(known: keys, in: &log)
            guard numbers.contains(ext) else {
                log.error(
                    table.file,
                    "\(label): \(DiagnosticText.quoted(ext)) is not an extension of this customer; credentials belong to extensions"
                )
                continue
            }
            var credential = StoredCredential(sha256: nil, md5: nil)
            for (key, length) in [("sha256", 64), ("md5", 32)] {
                guard let value = entry.string(key, typeHint: "a quoted hex digest printed by switchd passwd", in: &log) else {
                    continue
                }
                let hex = value.lowercased()
                guard hex.utf8.count == length, hex.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) })
                else {
                    log.error(
                        table.file,
                        "\(entry.qualified(key)) must be \(length) hex digits (an HA1 printed by switchd passwd), not \(DiagnosticText.quoted(value))"
                    )
                    continue
                }
                if key == "sha256" { credential.sha256 = hex } else { credential.md5 = hex }
            }
            if !entry.has("sha256") && !entry.has("md5") {
                log.error(table.file, "\(label) needs sha256 and/or md5 (run: switchd passwd --customer ID \(ext))")
            }
            if credential.sha256 != nil || credential.md5 != nil {
                result[ext] = credential
            }
        }
        return result
    }

}

/// The numbers of a customer's extensions, singles and ranges, for "is this one of them?" in O(log n).
package struct ExtensionNumbers: Sendable {
    private let singles: Set<String>
    package let ranges: ExtensionRangeIndex

    package init(_ extensions: [ExtensionSpec]) {
        var singles = Set<String>()
        var ranges: [ExtensionRange] = []
        for spec in extensions {
            switch spec.numbers {
            case .single(let number): singles.insert(number.text)
            case .range(let range): ranges.append(range)
            }
        }
        self.singles = singles
        self.ranges = ExtensionRangeIndex(ranges)
    }

    /// A single extension, or a number inside one of the ranges.
    package func contains(_ number: String) -> Bool {
        if singles.contains(number) { return true }
        guard let dialString = DialString(number) else { return false }
        return ranges.contains(dialString)
    }
}
