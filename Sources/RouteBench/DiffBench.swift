import Foundation
import Routing

/// `switchd diff`'s own cost on the generated plan (the loads excluded): the plan against itself,
/// against a copy with one customer's range cut in half (its group members reach it too), and against
/// a copy whose numbering changed (then every caller with a trunk is explored).
enum DiffBench {
    static func run(directory: String, plan: DialPlan, measure: (() throws -> Void) throws -> (wall: Double, cpu: Double)) throws
    {
        func report(_ label: String, _ other: DialPlan) throws {
            var changes = 0
            let time = try measure { changes = DialPlan.diff(plan, other).changes.count }
            print(
                "diff \(label): \(changes) changes in \(String(format: "%.3f", time.wall)) s wall, \(String(format: "%.3f", time.cpu)) s CPU"
            )
        }
        try report("against itself", plan)
        let customer = "\(directory)/customers/c5.toml"
        let original = try String(contentsOfFile: customer, encoding: .utf8)
        try original.replacingOccurrences(of: "\"3000-3999\"", with: "\"3000-3499\"").write(
            toFile: customer, atomically: true, encoding: .utf8)
        try report("one range cut", try ConfigLoader.load(directory: directory).plan)
        try original.write(toFile: customer, atomically: true, encoding: .utf8)
        let numbering = "\(directory)/numbering.toml"
        guard let text = try? String(contentsOfFile: numbering, encoding: .utf8) else { return }
        try text.replacingOccurrences(of: "mobile = [\"07\"]", with: "mobile = [\"07\", \"06\"]").write(
            toFile: numbering, atomically: true, encoding: .utf8)
        try report("a class prefix added (every caller explored)", try ConfigLoader.load(directory: directory).plan)
        try text.write(toFile: numbering, atomically: true, encoding: .utf8)
    }
}
