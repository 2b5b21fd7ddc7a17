// `switchd check`: exit 0 and a one-line summary, or exit 1 and every problem on stderr.
import Foundation
import Testing

@Suite("switchd check")
struct CheckCommandTests {
    @Test("a valid directory: exit 0, the summary on stdout, nothing on stderr")
    func valid() throws {
        try withConf(cliConf) { conf in
            let result = try Switchd.run(["check", "--conf", conf])
            #expect(result.status == 0, "\(result)")
            #expect(result.stdout == "\(conf): OK: 3 customers, 1 group, 202 extensions, 2 trunks\n")
            #expect(result.stderr == "")
        }
    }

    @Test("the sample conf/ passes, and --conf defaults to conf")
    func sample() throws {
        let result = try Switchd.run(["check"], in: Switchd.packageRoot)
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout == "conf: OK: 4 customers, 1 group, 425 extensions, 4 trunks, 1 emergency number, 5 call classes\n")
        #expect(result.stderr == "")
    }

    @Test("an invalid directory: exit 1, every problem of every file on stderr, nothing on stdout")
    func invalid() throws {
        var files = cliConf
        files["customers/acme.toml"] = "acces_code = \"7\"\n" + cliConf["customers/acme.toml"]!
        files["customers/globex.toml"] = cliConf["customers/globex.toml"]!.replacingOccurrences(of: "cm = 3", with: "cm = 4")
        files["customers/initech.toml"] = "name = \"Initech\"\ncm = 3\ndomains = [\"initech.example\"\n"
        try withConf(files) { conf in
            let result = try Switchd.run(["check", "--conf", conf])
            #expect(result.status == 1, "\(result)")
            #expect(result.stdout == "")
            #expect(
                result.stderr == """
                    \(conf)/customers/acme.toml: error: unknown key acces_code; did you mean access_code?
                    \(conf)/customers/initech.toml:3:30: error: Error while parsing array: encountered end-of-file
                    \(conf)/groups/harbor.toml: error: group harbor has customers on different CMs: acme (cm 3), globex (cm 4); a group lives on one call manager
                    3 errors

                    """)
        }
    }

    @Test("a directory that does not exist: exit 1")
    func missing() throws {
        let result = try Switchd.run(["check", "--conf", "/nonexistent/switchd-conf"])
        #expect(result.status == 1, "\(result)")
        #expect(result.stdout == "")
        #expect(result.stderr == "/nonexistent/switchd-conf: error: configuration directory not found\n1 error\n")
    }
}
