// DirectorySource on what a disk can hold besides regular files: reading must never block or run on.
import Foundation
import Glibc
import Testing

@testable import Config
@testable import Routing

@Suite("Robustness: files on disk")
struct DiskSourceTests {
    /// A directory with globex (valid) and whatever `prepare` puts in customers/; its diagnostics with the path as CONF.
    func diagnostics(_ prepare: (String) throws -> Void) throws -> [String] {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("switchd-config-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: base.appendingPathComponent("customers"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: base) }
        try Data("name = \"Globex\"\ncm = 3\ndomains = [\"globex.example\"]\n".utf8).write(
            to: base.appendingPathComponent("customers/globex.toml"))
        try prepare(base.path + "/customers")
        do throws(ConfigError) {
            _ = try ConfigLoader.load(directory: base.path)
            return []
        } catch {
            return error.diagnostics.map { $0.description.replacingOccurrences(of: base.path, with: "CONF") }
        }
    }

    @Test("a FIFO is not read (opening it would wait for a writer for ever)")
    func fifo() throws {
        let lines = try diagnostics { customers in
            #expect(mkfifo(customers + "/acme.toml", 0o600) == 0)
        }
        #expect(
            lines == [
                "CONF/customers/acme.toml: error: is not a regular file (a FIFO, device or socket); a configuration file must be a plain TOML file"
            ])
    }

    @Test("a symbolic link to /dev/zero is not read (it never ends)")
    func devZero() throws {
        let lines = try diagnostics { customers in
            try FileManager.default.createSymbolicLink(atPath: customers + "/acme.toml", withDestinationPath: "/dev/zero")
        }
        #expect(
            lines == [
                "CONF/customers/acme.toml: error: is not a regular file (a FIFO, device or socket); a configuration file must be a plain TOML file"
            ])
    }

    @Test("a 6 MB file is refused by its size, without being read whole")
    func large() throws {
        let lines = try diagnostics { customers in
            try Data(repeating: 0x23, count: 6 * 1024 * 1024).write(to: URL(fileURLWithPath: customers + "/acme.toml"))
        }
        #expect(lines == ["CONF/customers/acme.toml: error: is 6291456 bytes; a configuration file may be at most 4194304 bytes"])
    }

    @Test("a file of exactly 4 MiB is read")
    func atTheLimit() throws {
        let lines = try diagnostics { customers in
            var text = Data("name = \"Acme\"\ncm = 3\ndomains = [\"acme.example\"]\n#".utf8)
            text.append(Data(repeating: 0x78, count: ConfigFiles.maximumFileSize - text.count - 1))
            text.append(0x0A)
            try text.write(to: URL(fileURLWithPath: customers + "/acme.toml"))
        }
        #expect(lines == [])
    }

    @Test("a dangling symbolic link and a directory named like a file")
    func danglingAndFolder() throws {
        let lines = try diagnostics { customers in
            try FileManager.default.createSymbolicLink(
                atPath: customers + "/acme.toml", withDestinationPath: customers + "/nowhere")
            try FileManager.default.createDirectory(atPath: customers + "/hooli.toml", withIntermediateDirectories: false)
        }
        #expect(
            lines == [
                "CONF/customers/acme.toml: error: cannot be read: no such file",
                "CONF/customers/hooli.toml: error: is a directory, not a TOML file",
            ])
    }
}
