import Addressing
import Testing

@testable import Config
@testable import Routing

/// The configuration the routing tests dial against.
///
/// Group harbor (CM 3): acme (access code 71), globex (72, restricted networks), hooli (81) and
/// vacant (73, a trunk but no extensions). initech is on CM 3 in no group; umbrella is on CM 5.
let harborFiles: [String: String] = [
    "switchd.toml": """
    [server]
    listen = ["udp:127.0.0.1:5060"]
    """,
    "groups/harbor.toml": """
    name = "Harbor Holdings"
    """,
    "customers/acme.toml": """
    name = "Acme Corp"
    cm = 3
    domains = ["acme.example", "Voice.Acme.Example"]
    group = "harbor"
    access_code = "71"

    [extensions]
    "201" = "sip:201@10.1.0.21:5060"
    "100-199" = "sip:{ext}@pbx.acme.example"
    "150" = "sip:ceo@10.1.0.50:5060"
    "*97" = "sip:voicemail@vm.acme.example"

    [trunks."9"]
    gateway = "sip:{number}@gw.acme.example"

    [trunks."00"]
    gateway = "sips:+{number}@intl.acme.example:5061"
    """,
    "customers/globex.toml": """
    name = "Globex"
    cm = 3
    domains = ["globex.example"]
    group = "harbor"
    access_code = "72"
    networks = ["10.2.0.0/16", "2001:db8:2::/48"]

    [extensions]
    "100-299" = "sip:{ext}@pbx.globex.example"
    "300" = "sip:conference@media.globex.example"

    [trunks."9"]
    gateway = "sip:{number}@gw.globex.example"

    [trunks."05"]
    gateway = "sip:{number}@gw05.globex.example"
    """,
    "customers/hooli.toml": """
    name = "Hooli"
    cm = 3
    domains = ["hooli.example"]
    group = "harbor"
    access_code = "81"

    [extensions]
    "5000" = "sip:5000@10.8.0.1"
    """,
    "customers/vacant.toml": """
    name = "Vacant"
    cm = 3
    domains = ["vacant.example"]
    group = "harbor"
    access_code = "73"

    [trunks."9"]
    gateway = "sip:{number}@gw.vacant.example"
    """,
    "customers/initech.toml": """
    name = "Initech"
    cm = 3
    domains = ["initech.example"]

    [extensions]
    "4000-4099" = "sip:{ext}@pbx.initech.example"

    [trunks."0"]
    gateway = "sip:{number}@gw.initech.example"
    """,
    "customers/umbrella.toml": """
    name = "Umbrella"
    cm = 5
    domains = ["umbrella.example"]

    [extensions]
    "4100" = "sip:4100@10.5.0.10"
    "60-69" = "sip:{ext}@pbx.umbrella.example"
    """,
]

/// Loaded once for all routing tests (a global is initialised lazily and exactly once).
let harborPlan: DialPlan = fixturePlan(harborFiles)

/// What a test expects of a decision: the status, the contact (302 only) and the reason, exactly.
struct Expect: Sendable, CustomStringConvertible {
    let status: Int
    let contact: String?
    let reason: String

    static func redirect(_ contact: String, _ reason: String) -> Expect { Expect(status: 302, contact: contact, reason: reason) }
    static func forbidden(_ reason: String) -> Expect { Expect(status: 403, contact: nil, reason: reason) }
    static func notFound(_ reason: String) -> Expect { Expect(status: 404, contact: nil, reason: reason) }
    static func incomplete(_ reason: String) -> Expect { Expect(status: 484, contact: nil, reason: reason) }

    var description: String { "\(status) \(contact ?? "-") \(reason)" }
}

/// One dialling case: the caller's From host, the digits and the expected decision.
struct Dial: Sendable, CustomTestStringConvertible {
    let from: String
    let dialled: String
    let expect: Expect

    init(_ from: String, _ dialled: String, _ expect: Expect) {
        self.from = from
        self.dialled = dialled
        self.expect = expect
    }

    var testDescription: String { "\(from) dials \(dialled.debugDescription) -> \(expect.status)" }
}

/// Routes as the SIP front does once its trust gate admitted the From host's customer.
func route(from: String, ruriHost: String? = nil, _ dialled: String) -> Decision {
    harborPlan.dial(dialled, fromHost: from, requestURIHost: ruriHost)
}

/// The decision as one comparable value: `#expect(summary(d) == expected.description)` shows both sides.
func summary(_ decision: Decision) -> String {
    "\(decision.status) \(decision.contact ?? "-") \(decision.reason)"
}
