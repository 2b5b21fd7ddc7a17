// Locates and loads the RFC 4475 torture messages shared by the project
// (../shared/sip-torture relative to the package root), as raw bytes.
import Foundation

enum TortureCorpus {
    /// <package root>/../shared/sip-torture, found from this file's path.
    static let directory: URL = {
        let packageRoot = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent()  // SIPTests
            .deletingLastPathComponent()  // Tests
            .deletingLastPathComponent()  // package root
        return packageRoot.deletingLastPathComponent().appendingPathComponent("shared/sip-torture")
    }()

    static func bytes(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: directory.appendingPathComponent(name + ".dat")))
    }

    /// Every `.dat` file name (without extension), sorted.
    static var names: [String] {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return files.filter { $0.hasSuffix(".dat") }.map { String($0.dropLast(4)) }.sorted()
    }
}

/// Builds a CRLF message from lines (the test texts are written with "\n"-free arrays).
func message(_ lines: [String], body: String = "") -> [UInt8] {
    Array((lines.joined(separator: "\r\n") + "\r\n\r\n" + body).utf8)
}
