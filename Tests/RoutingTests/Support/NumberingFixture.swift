import Testing

@testable import Config
@testable import Routing

/// numbering.toml as issue 12 writes it (a UK plan): emergency 999 and 112, four classes.
let ukNumbering = """
    country_code = "44"
    national_prefix = "0"

    [emergency]
    numbers = ["999", "112"]
    gateway = "sip:{number}@emergency-gw.example"

    [classes]
    international = ["00"]
    premium = ["09", "0871"]
    mobile = ["07"]
    national = ["01", "02", "03"]

    """

/// Group harbor: acme (71; trunk 9 carries local, national, mobile and E.164; extension 201 may also
/// call abroad) and globex (72; trunk 9 without `allow`, so the default). initech (no group) has a
/// trunk 0 that allows nothing.
let numberingFiles: [String: String] = [
    "numbering.toml": ukNumbering,
    "groups/harbor.toml": "name = \"Harbor\"\n",
    "customers/acme.toml": """
    name = "Acme Corp"
    cm = 3
    domains = ["acme.example"]
    group = "harbor"
    access_code = "71"

    [extensions]
    "201" = "sip:201@10.1.0.21"
    "202" = "sip:202@10.1.0.22"
    "300-399" = "sip:{ext}@pbx.acme.example"

    [trunks."9"]
    gateway = "sip:{number}@gw.acme.example"
    allow = ["local", "national", "mobile"]
    e164 = true

    [outbound."201"]
    allow = ["local", "national", "mobile", "international"]

    """,
    "customers/globex.toml": """
    name = "Globex"
    cm = 3
    domains = ["globex.example"]
    group = "harbor"
    access_code = "72"

    [extensions]
    "200-299" = "sip:{ext}@pbx.globex.example"

    [trunks."9"]
    gateway = "sip:{number}@gw.globex.example"

    """,
    "customers/initech.toml": """
    name = "Initech"
    cm = 3
    domains = ["initech.example"]

    [extensions]
    "4000-4099" = "sip:{ext}@pbx.initech.example"

    [trunks."0"]
    gateway = "sip:{number}@gw.initech.example"
    allow = []

    """,
]

/// The US pair: trunk 9 beside emergency 911, valid because emergency numbers are decided first.
let usFiles: [String: String] = [
    "numbering.toml": """
    country_code = "1"
    national_prefix = "1"
    [emergency]
    numbers = ["911"]
    gateway = "sip:{number}@psap.example"
    [classes]
    international = ["011"]
    national = ["1"]

    """,
    "customers/acme.toml": """
    name = "Acme Corp"
    cm = 1
    domains = ["acme.example"]
    [extensions]
    "200-299" = "sip:{ext}@pbx.acme.example"
    [trunks."9"]
    gateway = "sip:{number}@gw.acme.example"

    """,
]

let numberingPlan: DialPlan = fixturePlan(numberingFiles)
let usPlan: DialPlan = fixturePlan(usFiles)

/// One call: who dials (From host and user) and what.
struct CallCase: Sendable, CustomTestStringConvertible {
    let from: String
    let user: String?
    let dialled: String
    let ruriHost: String?
    let expect: Expect

    init(_ from: String, user: String? = "202", _ dialled: String, ruriHost: String? = nil, _ expect: Expect) {
        self.from = from
        self.user = user
        self.dialled = dialled
        self.ruriHost = ruriHost
        self.expect = expect
    }

    var testDescription: String { "\(user ?? "-")@\(from) dials \(dialled.debugDescription) -> \(expect.status)" }

    func route(_ plan: DialPlan) -> Decision {
        guard let caller = plan.caller(fromHost: from) else {
            Issue.record("\(from) is no customer's domain in this plan")
            return Decision(outcome: .notFound, callerID: "-", explanation: .notDialable(dialled: dialled))
        }
        return plan.dial(dialled, as: caller, fromUser: user, requestURIHost: ruriHost)
    }
}
