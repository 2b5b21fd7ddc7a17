// The location service's costs, in a release build:
//     swift run -c release RegistrarBench                 both measurements below
//     swift run -c release RegistrarBench lookup [AORS]   lookup ns per call, AORS (10,000) x 2 bindings
//     swift run -c release RegistrarBench register [N]    register() per second into SQLite, N (50,000)
// and the process the kill -9 durability test kills:
//     RegistrarBench durability-writer DB [RATE]          registers until killed, one line per 200 OK
import Foundation

let arguments = Array(CommandLine.arguments.dropFirst())
let command = arguments.first ?? "all"
let count = arguments.count > 1 ? Int(arguments[1]) : nil

do {
    switch command {
    case "lookup":
        try LookupBench.run(aors: count ?? 10_000)
    case "register":
        try RegisterBench.run(requests: count ?? 50_000)
    case "all":
        try LookupBench.run(aors: 10_000)
        try RegisterBench.run(requests: 50_000)
    case "durability-writer":
        guard arguments.count > 1 else { throw Usage() }
        try DurabilityWriter.run(path: arguments[1], rate: arguments.count > 2 ? Int(arguments[2]) : nil)
    default:
        throw Usage()
    }
} catch {
    FileHandle.standardError.write(Data("RegistrarBench: \(error)\n".utf8))
    exit(1)
}

struct Usage: Error, CustomStringConvertible {
    var description: String { "usage: RegistrarBench [lookup [AORS] | register [N] | durability-writer DB [RATE]]" }
}
