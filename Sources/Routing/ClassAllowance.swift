/// The call classes one trunk, or one extension's `[outbound]` entry, may reach: a mask for the hot
/// path, the names as written for the reason.
final class ClassAllowance: Sendable, Equatable {
    /// Bit i set when class i of `CompiledNumbering.classNames` is allowed.
    let mask: UInt64
    let names: [String]
    /// Who allows them, as the reason names it: "trunk 9 of Acme Corp", "extension 201 of Acme Corp".
    let holder: String

    init(mask: UInt64, names: [String], holder: String) {
        self.mask = mask
        self.names = names
        self.holder = holder
    }

    @inline(__always)
    func allows(_ classIndex: Int) -> Bool {
        mask & (1 << UInt64(classIndex)) != 0
    }

    /// "trunk 9 of Acme Corp allows local, national, mobile".
    var text: String {
        "\(holder) allows \(names.isEmpty ? "no class" : names.joined(separator: ", "))"
    }

    /// Allows nothing; never met in a compiled plan (every trunk has its allowance), it keeps the
    /// hot path free of a force-unwrap.
    static let none = ClassAllowance(mask: 0, names: [], holder: "nobody")

    static func == (lhs: ClassAllowance, rhs: ClassAllowance) -> Bool { lhs === rhs }
}
