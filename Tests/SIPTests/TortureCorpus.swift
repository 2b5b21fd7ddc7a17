// Locates and loads the RFC 4475 torture messages kept in the repository
// (Tests/Fixtures/sip-torture), as raw bytes, each checked against SHA256SUMS.
import Crypto
import Foundation
import Testing

enum TortureCorpus {
    /// <package root>/Tests/Fixtures/sip-torture, found from this file's path.
    static let directory: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // SIPTests
        .deletingLastPathComponent()  // Tests
        .appendingPathComponent("Fixtures/sip-torture", isDirectory: true)

    static let checksumsFile = directory.appendingPathComponent("SHA256SUMS")

    /// The messages the tests use, one per entry of the expectation table: a fixed list rather than a
    /// directory listing, so that a missing file fails the tests that read it instead of shrinking
    /// their loops (`fixturesArePresentIntactAndComplete` checks the list against the folder).
    static var names: [String] { tortureExpectations.map(\.file).sorted() }

    /// The bytes of `name`.dat. Records an issue naming the file and throws when it is missing, not
    /// listed in SHA256SUMS, or its SHA-256 differs (e.g. line endings converted on checkout).
    static func bytes(_ name: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> [UInt8] {
        let file = directory.appendingPathComponent(name + ".dat")
        let data = try #require(
            FileManager.default.contents(atPath: file.path),
            "missing torture fixture \(file.path)", sourceLocation: sourceLocation)
        let listed = try #require(
            try checksums(sourceLocation: sourceLocation)[name + ".dat"],
            "\(file.path) is not listed in \(checksumsFile.path)", sourceLocation: sourceLocation)
        let actual = sha256Hex(data)
        try #require(
            actual == listed,
            "\(file.path) has SHA-256 \(actual), SHA256SUMS says \(listed): the fixture was altered",
            sourceLocation: sourceLocation)
        return [UInt8](data)
    }

    /// SHA256SUMS as file name -> lowercase hex digest (`sha256sum` format: "<hex>  <name>").
    static func checksums(sourceLocation: SourceLocation = #_sourceLocation) throws -> [String: String] {
        let data = try #require(
            FileManager.default.contents(atPath: checksumsFile.path),
            "missing \(checksumsFile.path)", sourceLocation: sourceLocation)
        var sums: [String: String] = [:]
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
            let space = try #require(
                line.firstIndex(of: " "), "malformed line in \(checksumsFile.path): \(line)",
                sourceLocation: sourceLocation)
            // "<hex>  <name>", or "<hex> *<name>" as sha256sum writes in binary mode: the same file.
            var name = line[line.index(after: space)...]
            if name.first == " " || name.first == "*" { name = name.dropFirst() }
            sums[String(name)] = String(line[..<space])
        }
        return sums
    }

    /// The `.dat` files actually in the folder, without extension.
    static func filesPresent(sourceLocation: SourceLocation = #_sourceLocation) throws -> Set<String> {
        try #require(
            FileManager.default.fileExists(atPath: directory.path),
            "missing fixture folder \(directory.path)", sourceLocation: sourceLocation)
        let entries = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        return Set(entries.filter { $0.hasSuffix(".dat") }.map { String($0.dropLast(4)) })
    }

    static func sha256Hex(_ data: Data) -> String {
        SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
    }
}

/// Builds a CRLF message from lines (the test texts are written with "\n"-free arrays).
func message(_ lines: [String], body: String = "") -> [UInt8] {
    Array((lines.joined(separator: "\r\n") + "\r\n\r\n" + body).utf8)
}
