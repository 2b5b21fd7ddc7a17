import Config

/// An emergency number must stay dialable bare from every phone: no extension (single or inside a
/// range) and no access code of a group member may equal it, be a prefix of it, or start with it.
/// Trunk codes are exempt (trunk 9 beside emergency 911 is the US norm): emergency numbers are decided
/// before the trunks.
enum EmergencyConflicts {
    static func check(_ specs: [CustomerSpec], groups: Set<String>, numbering: NumberingSpec, log: inout DiagnosticLog) {
        let numbers = numbering.emergencyNumbers
        guard !numbers.isEmpty else { return }
        // Single extensions (up to millions of them) are walked through a table of the emergency
        // numbers, one step per character; only a conflict found looks at the numbers one by one.
        var table = PrefixTable()
        for (index, number) in numbers.enumerated() { table.insert(number.symbols, value: Int32(index)) }
        let suffix = "; an emergency number must stay dialable bare"
        for spec in specs {
            for ext in spec.extensions {
                switch ext.numbers {
                case .single(let number):
                    guard table.isRelated(number.symbols) else { continue }
                    for emergency in numbers {
                        guard let relation = relation(number.text, emergency.text) else { continue }
                        log.error(spec.file, "extension \"\(number)\" \(relation) (\(numbering.file))\(suffix)")
                    }
                case .range(let range):
                    for emergency in numbers {
                        guard let relation = relation(range, ext.key, emergency) else { continue }
                        log.error(spec.file, "extension range \"\(ext.key)\" \(relation) (\(numbering.file))\(suffix)")
                    }
                }
            }
            if let code = spec.accessCode, let group = spec.group, groups.contains(group) {
                for emergency in numbers {
                    guard let relation = relation(code.text, emergency.text) else { continue }
                    log.error(spec.file, "access code \"\(code)\" \(relation) (\(numbering.file))\(suffix)")
                }
            }
        }
    }

    /// How a dial string stands to an emergency number, as the end of a sentence about the string.
    static func relation(_ number: String, _ emergency: String) -> String? {
        if number == emergency { return "is the emergency number \"\(emergency)\"" }
        if emergency.hasPrefix(number) { return "is a prefix of the emergency number \"\(emergency)\"" }
        if number.hasPrefix(emergency) { return "starts with the emergency number \"\(emergency)\"" }
        return nil
    }

    /// The same for the numbers of a range: checked block by block, never expanded.
    static func relation(_ range: ExtensionRange, _ key: String, _ emergency: DialString) -> String? {
        let width = range.low.symbols.count
        let digits = emergency.symbols
        for block in RangeDecomposition.blocks(range) {
            let fixed = block.prefix
            let shared = min(fixed.count, digits.count)
            guard Array(fixed.prefix(shared)) == Array(digits.prefix(shared)) else { continue }
            // The block's free positions take any digit: the emergency number's characters there must be digits.
            guard digits[shared..<min(width, digits.count)].allSatisfy({ $0 < 10 }) else { continue }
            if width == digits.count { return "contains the emergency number \"\(emergency)\"" }
            if width > digits.count { return "has numbers that start with the emergency number \"\(emergency)\"" }
            return "holds \"\(emergency.text.prefix(width))\", a prefix of the emergency number \"\(emergency)\""
        }
        return nil
    }
}
