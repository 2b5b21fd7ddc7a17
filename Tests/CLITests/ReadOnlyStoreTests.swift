// `switchd registrations` and `switchd route` read the daemon's store and change nothing: no write (an
// expired binding is hidden, not removed), no directory or file created, the file's bytes and mtime
// as they were; a missing file is "no bindings", said on stderr by `registrations`.
import Foundation
import Registrar
import Testing

/// Every path under `directory` with its size and modification time: what "untouched" compares.
private func snapshot(_ directory: String) throws -> [String: String] {
    var entries: [String: String] = [:]
    let manager = FileManager.default
    guard let walker = manager.enumerator(atPath: directory) else { return entries }
    for case let relative as String in walker {
        let attributes = try manager.attributesOfItem(atPath: "\(directory)/\(relative)")
        let size = (attributes[.size] as? NSNumber)?.intValue ?? -1
        let modified = (attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? -1
        entries[relative] = "\(size) \(modified)"
    }
    return entries
}

private func phone(_ contact: String, expiresAt: Double, now: Double) -> Binding {
    Binding(
        aor: AddressOfRecord(customerID: "acme", extensionNumber: "201"), contact: contact, target: contact, callID: contact,
        cseq: 1, expiresAt: expiresAt, q: nil, source: "192.0.2.7:5062", transport: "UDP", userAgent: nil, updatedAt: now)
}

private let routeArguments = ["--from", "sip:100@globex.example", "--authenticated", "71201"]

@Suite("read-only store access from the command line")
struct ReadOnlyStoreTests {
    @Test("no store file: '0 bindings', stderr says why, exit 0; nothing is created in the conf directory")
    func missingFile() throws {
        try withConf(cliConf) { conf in
            let before = try snapshot(conf)
            let listed = try Switchd.run(["registrations", "--conf", conf])
            #expect(listed.status == 0, "\(listed)")
            #expect(listed.stdout == "0 bindings\n")
            #expect(
                listed.stderr
                    == "switchd: \(conf)/var/bindings.sqlite does not exist: no bindings (the daemon creates it at its first start)\n"
            )
            let routed = try Switchd.run(["route", "--conf", conf] + routeArguments)
            #expect(routed.status == 0, "\(routed)")
            #expect(routed.stderr == "")
            #expect(!FileManager.default.fileExists(atPath: "\(conf)/var"))
            #expect(try snapshot(conf) == before)
        }
    }

    @Test("a store file: only live bindings shown, the expired one stays in it; bytes, mtime and directory unchanged")
    func fileUntouched() throws {
        var files = cliConf
        files["switchd.toml"] = "[registrar]\nstore = \"sqlite:var/bindings.sqlite\"\n"
        try withConf(files) { conf in
            let path = "\(conf)/var/bindings.sqlite"
            try FileManager.default.createDirectory(atPath: "\(conf)/var", withIntermediateDirectories: true)
            let now = Date().timeIntervalSince1970
            let writer = try SQLiteBindingStore(path: path)
            try writer.write([
                .upsert(phone("sip:201@desk.acme.example", expiresAt: now + 600, now: now)),
                .upsert(phone("sip:201@old.acme.example", expiresAt: now - 60, now: now - 3_660)),
            ])
            try writer.close()
            // An mtime in the past, so that a rewrite within the same second would show.
            try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -3_600)], ofItemAtPath: path)
            let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
            let before = try snapshot(conf)

            let listed = try Switchd.run(["registrations", "--conf", conf])
            #expect(listed.status == 0, "\(listed)")
            #expect(listed.stderr == "")
            let lines = listed.stdout.split(separator: "\n")
            #expect(lines.count == 2)
            #expect(lines.first?.hasPrefix("201@acme\tsip:201@desk.acme.example\t") == true)
            #expect(lines.last == "1 binding")
            let routed = try Switchd.run(["route", "--conf", conf] + routeArguments)
            #expect(routed.status == 0, "\(routed)")
            #expect(routed.stdout.hasPrefix("302 <sip:201@desk.acme.example>;q=1, <sip:201@10.1.0.21:5060>;q=0\n"))

            #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == bytes)
            #expect(try snapshot(conf) == before)
            let reader = try SQLiteBindingStore.reading(path: path)
            defer { try? reader.close() }
            #expect(try reader.load().map(\.contact).sorted() == ["sip:201@desk.acme.example", "sip:201@old.acme.example"])
        }
    }

    @Test("a store the daemon holds open (its -wal exists): its latest commit is listed")
    func writerOpen() throws {
        var files = cliConf
        files["switchd.toml"] = "[registrar]\nstore = \"sqlite:var/bindings.sqlite\"\n"
        try withConf(files) { conf in
            try FileManager.default.createDirectory(atPath: "\(conf)/var", withIntermediateDirectories: true)
            let now = Date().timeIntervalSince1970
            let writer = try SQLiteBindingStore(path: "\(conf)/var/bindings.sqlite")
            defer { try? writer.close() }
            try writer.write([.upsert(phone("sip:201@desk.acme.example", expiresAt: now + 600, now: now))])
            #expect(FileManager.default.fileExists(atPath: "\(conf)/var/bindings.sqlite-wal"))
            let listed = try Switchd.run(["registrations", "--conf", conf])
            #expect(listed.status == 0, "\(listed)")
            #expect(listed.stdout.hasSuffix("\n1 binding\n"))
        }
    }
}
