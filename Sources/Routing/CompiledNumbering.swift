import Config

/// numbering.toml compiled for routing: the emergency numbers with their gateway, the call classes'
/// prefixes, and how a `+` number reads in the national plan. One per plan; an empty one (no file)
/// has no emergency numbers and puts every number in class local.
final class CompiledNumbering: Sendable {
    static let localIndex = 0
    static let internationalIndex = 1

    /// False without numbering.toml: then reasons say nothing of classes, as before classes existed.
    let isConfigured: Bool
    /// local, international, then `[classes]` in key order; a name's index is its bit in a mask.
    let classNames: [String]
    /// Class prefix → class index.
    let classPrefixes: PrefixTable
    /// The same prefixes as symbol indices (what `switchd diff` walks beside the dial plans), and the
    /// class index of each, in the same order.
    let classPrefixSymbols: [[Int]]
    let classPrefixClasses: [Int]
    /// Emergency number → index in `emergencyNumbers`.
    let emergency: PrefixTable
    let emergencyNumbers: [String]
    let emergencyGateway: RouteTarget?
    /// ASCII digits.
    let countryCode: [UInt8]
    let nationalPrefix: [UInt8]
    /// What a trunk without `allow` carries: every class but international and premium.
    let defaultNames: [String]

    init(_ spec: NumberingSpec?) {
        let names = spec?.classNames ?? NumberingSpec(file: "").classNames
        isConfigured = spec != nil
        classNames = names
        var prefixes = PrefixTable()
        var symbols: [[Int]] = []
        var classes: [Int] = []
        for entry in spec?.classes ?? [] {
            guard let index = names.firstIndex(of: entry.name) else { continue }
            for prefix in entry.prefixes {
                prefixes.insert(prefix.symbols, value: Int32(index))
                symbols.append(prefix.symbols)
                classes.append(index)
            }
        }
        classPrefixes = prefixes
        classPrefixSymbols = symbols
        classPrefixClasses = classes
        var emergency = PrefixTable()
        let numbers = spec?.emergencyNumbers ?? []
        // Without a gateway (already an error) no emergency number is routed.
        if spec?.emergencyGateway != nil {
            for (index, number) in numbers.enumerated() { emergency.insert(number.symbols, value: Int32(index)) }
        }
        self.emergency = emergency
        emergencyNumbers = numbers.map(\.text)
        emergencyGateway = spec?.emergencyGateway.map {
            RouteTarget(template: $0, isRange: false, isRegisteredOnly: false, key: "emergency", allowance: nil)
        }
        countryCode = Array((spec?.countryCode ?? "").utf8)
        nationalPrefix = Array((spec?.nationalPrefix ?? "").utf8)
        defaultNames = names.filter { $0 != NumberingSpec.internationalClass && $0 != NumberingSpec.premiumClass }
    }

    /// The mask of the classes named (names the reader did not know are not in it).
    func mask(of names: [String]) -> UInt64 {
        var mask: UInt64 = 0
        for name in names {
            if let index = classNames.firstIndex(of: name), index < NumberingSpec.maximumClasses { mask |= 1 << UInt64(index) }
        }
        return mask
    }

    /// The classes a trunk carries: as its `allow` says, or the default.
    func allowance(_ spec: ClassAllowanceSpec, holder: String) -> ClassAllowance {
        let names = spec.names ?? defaultNames
        return ClassAllowance(mask: mask(of: names), names: names, holder: holder)
    }

    /// The class of the number `bytes[start...]` (dialled after a trunk code): its longest class prefix.
    @inline(__always)
    func classIndex(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        if classPrefixes.isEmpty { return Self.localIndex }
        let value = classPrefixes.longestPrefix(of: UnsafeBufferPointer(rebasing: bytes[start...])).value
        return value >= 0 ? Int(value) : Self.localIndex
    }

    /// The class of a `+` number (`bytes` = "+" and digits): with the own country code, the class of
    /// national prefix + the rest; else international. One walk, no copy of the number.
    func classIndexOfE164(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
        guard let start = nationalStart(bytes) else { return Self.internationalIndex }
        var cursor = PrefixTable.Cursor()
        var walking = true
        for byte in nationalPrefix where walking { walking = classPrefixes.advance(&cursor, byte) }
        var position = start
        while walking, position < bytes.count {
            walking = classPrefixes.advance(&cursor, bytes[position])
            position += 1
        }
        return cursor.value >= 0 ? Int(cursor.value) : Self.localIndex
    }

    /// Where the national digits of a `+` number begin (after "+" and the country code), when it has
    /// this plan's country code; nil for another country, or when the plan names none.
    private func nationalStart(_ bytes: some Collection<UInt8>) -> Int? {
        guard !countryCode.isEmpty, bytes.dropFirst().starts(with: countryCode) else { return nil }
        return 1 + countryCode.count
    }

    /// Why `number` is in its class, for a reason: "00 is international", "5551234 matches no class
    /// prefix, so it is local", "+442079460000 reads 02079460000 in the national plan: 02 is national".
    func describe(_ number: Substring) -> String {
        let utf8 = Array(number.utf8)
        guard utf8.first == 0x2B else { return describe(utf8, whole: String(number)) }
        guard let start = nationalStart(utf8) else {
            let plan =
                countryCode.isEmpty ? "numbering.toml sets no country_code" : "its country code is not +\(text(countryCode))"
            return "\(number) is \(classNames[Self.internationalIndex]) (\(plan))"
        }
        let national = nationalPrefix + utf8[start...]
        guard !national.isEmpty else {
            return "\(number) is the country code alone: it matches no class prefix, so it is \(classNames[Self.localIndex])"
        }
        return "\(number) reads \(text(national)) in the national plan: \(describe(national, whole: text(national)))"
    }

    private func describe(_ digits: [UInt8], whole: String) -> String {
        let (value, length) = classPrefixes.longestPrefix(of: digits)
        guard value >= 0 else { return "\(whole) matches no class prefix, so it is \(classNames[Self.localIndex])" }
        return "\(text(digits.prefix(length))) is \(classNames[Int(value)])"
    }

    private func text(_ bytes: some Collection<UInt8>) -> String {
        String(decoding: bytes, as: UTF8.self)
    }
}
