import Addressing
// Generates a large configuration, then measures how long it takes to load and validate, and how many
// routing decisions one core makes per second. Run it in release:
//     swift run -c release RouteBench [customers] [extensions-per-customer]
//     swift run -c release RouteBench --reloads N [DIR] [EVERY]    (RSS over N in-process loads)
//     swift run -c release RouteBench --without-numbering [customers] [extensions-per-customer]
// After the routing it times `switchd diff` on the plan (DiffBench.swift).
// Defaults: 1,000 customers in 100 groups, 200 single extensions each (200,000) plus a 1,000-number range,
// and numbering.toml (issue 12): emergency 999 and 112, five call classes, every trunk with `allow` and
// `e164 = true`, one extension per customer with an [outbound] override. `--without-numbering` leaves
// them out (the plan of before issue 12, for a before/after comparison on the same calls).
import Foundation
import Routing

var arguments = CommandLine.arguments
// `--reloads N [DIR] [EVERY]`: the memory one reload costs (see ReloadLoop.swift), instead of the benchmark.
if arguments.count > 1, arguments[1] == "--reloads" {
    exit(ReloadLoop.run(arguments.dropFirst(2)))
}
let withNumbering = !arguments.contains("--without-numbering")
arguments.removeAll { $0 == "--without-numbering" }
let customerCount = arguments.count > 1 ? Int(arguments[1]) ?? 1000 : 1000
let extensionsPerCustomer = arguments.count > 2 ? Int(arguments[2]) ?? 200 : 200
let groupSize = 10

let directory = FileManager.default.temporaryDirectory
    .appendingPathComponent("switchd-bench-\(getpid())").path
defer { try? FileManager.default.removeItem(atPath: directory) }

func generate() throws {
    for folder in ["groups", "customers"] {
        try FileManager.default.createDirectory(atPath: "\(directory)/\(folder)", withIntermediateDirectories: true)
    }
    try "[server]\nlisten = [\"udp:127.0.0.1:5060\"]\n".write(
        toFile: "\(directory)/switchd.toml", atomically: true, encoding: .utf8)
    if withNumbering {
        try """
        country_code = "44"
        national_prefix = "0"
        [emergency]
        numbers = ["999", "112"]
        gateway = "sip:{number}@emergency-gw.example"
        [classes]
        international = ["00"]
        premium = ["09", "0871", "0872", "0873"]
        mobile = ["07"]
        national = ["01", "02", "03"]
        freephone = ["0800", "0808"]

        """.write(toFile: "\(directory)/numbering.toml", atomically: true, encoding: .utf8)
    }
    for group in 0..<(customerCount + groupSize - 1) / groupSize {
        try "name = \"Group \(group)\"\n".write(toFile: "\(directory)/groups/g\(group).toml", atomically: true, encoding: .utf8)
    }
    for customer in 0..<customerCount {
        let group = customer / groupSize
        var text = """
            name = "Customer \(customer)"
            cm = \(group % 7 + 1)
            domains = ["c\(customer).example"]
            group = "g\(group)"
            access_code = "8\(customer % groupSize)"

            [extensions]
            "3000-3999" = "sip:{ext}@pbx.c\(customer).example"

            """
        for ext in 0..<extensionsPerCustomer {
            text += "\"\(20000 + ext)\" = \"sip:\(20000 + ext)@10.\(customer / 256 % 256).\(customer % 256).\(ext % 250 + 1)\"\n"
        }
        text += "\n[trunks.\"9\"]\ngateway = \"sip:{number}@gw.c\(customer).example\"\n"
        if withNumbering {
            text += "allow = [\"local\", \"national\", \"mobile\", \"freephone\"]\ne164 = true\n"
            text += "[outbound.\"20000\"]\nallow = [\"local\", \"national\", \"mobile\", \"international\"]\n"
        }
        try text.write(toFile: "\(directory)/customers/c\(customer).toml", atomically: true, encoding: .utf8)
    }
}

/// Wall-clock seconds, and the CPU seconds this thread spent: on a busy machine the wall clock also
/// counts time the thread waited for a core, the CPU time only the work.
func measure(_ body: () throws -> Void) rethrows -> (wall: Double, cpu: Double) {
    func cpuNow() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }
    let start = DispatchTime.now().uptimeNanoseconds
    let cpuStart = cpuNow()
    try body()
    return (Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9, cpuNow() - cpuStart)
}

func seconds(_ body: () throws -> Void) rethrows -> Double {
    try measure(body).wall
}

let generateTime = try seconds(generate)
print(
    "generated \(customerCount) customers, \(customerCount * extensionsPerCustomer) single extensions in \(String(format: "%.2f", generateTime)) s"
)

var loaded: Configuration?
let loadTime = try measure { loaded = try ConfigLoader.load(directory: directory) }
let plan = loaded!.plan
print(
    "load + validate + compile: \(String(format: "%.3f", loadTime.wall)) s wall, \(String(format: "%.3f", loadTime.cpu)) s CPU (\(plan.summary))"
)

// A mix of what real traffic dials: own extensions, range members, group calls, trunk calls (national,
// international), emergency numbers, E.164 numbers, and the rejections (403 foreign trunk, 404, 484).
// With numbering.toml the international calls are barred (403) but for extension 20000's, and the
// emergency numbers go to the emergency gateway; without it both go out through trunk 9 or are 404.
var calls: [(fromHost: String, fromUser: String, dialled: String)] = []
var generator = SystemRandomNumberGenerator()
for i in 0..<10_000 {
    let customer = Int.random(in: 0..<customerCount, using: &generator)
    let member = customer / groupSize * groupSize + Int.random(in: 0..<groupSize, using: &generator)
    let memberCode = "8\(member % groupSize)"
    let ext = 20000 + Int.random(in: 0..<extensionsPerCustomer, using: &generator)
    let dialled: String
    switch i % 12 {
    case 0, 1: dialled = "\(ext)"
    case 2: dialled = "3\(Int.random(in: 100...999, using: &generator))"
    case 3: dialled = "\(memberCode)\(ext)"
    case 4: dialled = "9004930\(Int.random(in: 100_000...999_999, using: &generator))"
    case 5: dialled = "\(memberCode == "8\(customer % groupSize)" ? "80" : memberCode)9123"
    case 6: dialled = "7777"
    case 7: dialled = "2000"
    case 8: dialled = "902079\(Int.random(in: 100_000...999_999, using: &generator))"
    case 9: dialled = i % 24 == 9 ? "999" : "9112"
    case 10: dialled = "+44207\(Int.random(in: 1_000_000...9_999_999, using: &generator))"
    default: dialled = "907700\(Int.random(in: 100_000...999_999, using: &generator))"
    }
    // Every 10th call from the extension with an [outbound] override.
    let user = i % 10 == 0 ? "20000" : "\(ext)"
    calls.append((fromHost: "c\(customer).example", fromUser: user, dialled: dialled))
}

/// One call as the SIP front routes an admitted caller: the caller looked up by From host, then dialled.
func route(_ call: (fromHost: String, fromUser: String, dialled: String)) -> Decision.Outcome? {
    plan.caller(fromHost: call.fromHost).map { plan.dial(call.dialled, as: $0, fromUser: call.fromUser).outcome }
}

func kind(_ outcome: Decision.Outcome?, emergency: Bool) -> String {
    if emergency { return "emergency" }
    switch outcome {
    case .redirect: return "redirect"
    case .registeredOnly: return "registered phones"
    case .forbidden(.callClassBarred): return "barred"
    case .forbidden: return "foreign trunk"
    case .notFound: return "not found"
    case .addressIncomplete: return "incomplete"
    case nil: return "unknown caller"
    }
}

var outcomeCounts: [String: Int] = [:]
for call in calls {
    let decision = plan.caller(fromHost: call.fromHost).map { plan.dial(call.dialled, as: $0, fromUser: call.fromUser) }
    outcomeCounts[kind(decision?.outcome, emergency: decision?.isEmergency ?? false), default: 0] += 1
}
print(
    "decision mix per 10,000 calls: \(outcomeCounts.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", "))"
)

let rounds = 200
var checksum = 0
let routeTime = measure {
    for _ in 0..<rounds {
        for call in calls { checksum &+= route(call) == nil ? 0 : 1 }
    }
}
let decisions = Double(rounds * calls.count)
print(
    "routing: \(Int(decisions)) decisions on one thread in \(String(format: "%.3f", routeTime.wall)) s wall = \(Int(decisions / routeTime.wall)) decisions/s; \(String(format: "%.3f", routeTime.cpu)) s CPU = \(Int(decisions / routeTime.cpu)) decisions per CPU-second (checksum \(checksum))"
)

try DiffBench.run(directory: directory, plan: plan, measure: measure)
