import Foundation
import Routing

/// `RouteBench --reloads N [DIR] [EVERY]`: loads DIR (default conf) N times in-process, as N SIGHUP
/// reloads would, printing the resident set size (VmRSS of /proc/self/status) after the first load and
/// after every EVERY loads (default 1,000), then the growth per load. TOMLKit frees nothing it parses,
/// so this is how much memory each reload of a configuration costs the daemon for good.
enum ReloadLoop {
    static func run(_ arguments: ArraySlice<String>) -> Int32 {
        let count = arguments.first.flatMap { Int($0) } ?? 10_000
        let directory = arguments.dropFirst().first ?? "conf"
        let every = arguments.dropFirst(2).first.flatMap { Int($0) } ?? 1_000
        guard count >= 1, every >= 1 else {
            print("usage: RouteBench --reloads N [DIR] [EVERY]")
            return 2
        }
        var firstRSS = 0
        for load in 1...count {
            do {
                let configuration = try ConfigLoader.load(directory: directory)
                // Keep the plan alive until the next load replaces it, as the daemon's PlanStore does.
                withExtendedLifetime(configuration) {}
            } catch {
                print("cannot load \(directory):\n\(error)")
                return 1
            }
            if load == 1 {
                firstRSS = residentKilobytes()
                print("load 1: RSS \(firstRSS) kB")
            } else if load % every == 0 || load == count {
                print("load \(load): RSS \(residentKilobytes()) kB")
            }
        }
        if count > 1 {
            let growth = Double(residentKilobytes() - firstRSS) * 1024 / Double(count - 1)
            print(String(format: "RSS growth after the first load: %.0f bytes per load", growth))
        }
        return 0
    }

    /// VmRSS of this process in kB, from /proc/self/status.
    static func residentKilobytes() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return -1 }
        for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            return Int(line.split(separator: " ").dropFirst().first ?? "") ?? -1
        }
        return -1
    }
}
