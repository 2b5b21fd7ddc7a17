// Values the registrar tests share: one AOR, one source, a fixed clock, and builders with defaults so
// each table row states only what it is about.
@testable import Registrar

let acme201 = AddressOfRecord(customerID: "acme", extensionNumber: "201")
let acme202 = AddressOfRecord(customerID: "acme", extensionNumber: "202")
let t0 = 1_800_000_000.0
/// The REGISTERs' source, and the host of the contacts the rule tables use.
let phoneIP = "192.0.2.10"
let phoneContact = "sip:201@192.0.2.10:5060"
let deskContact = "sip:201@192.0.2.10:5062"

func request(
    _ contacts: [RegisterRequest.Contact], aor: AddressOfRecord = acme201, callID: String = "call-1", cseq: UInt32 = 2,
    expires: Int? = nil, sourceIP: String = phoneIP, sourcePort: UInt16 = 5060, userAgent: String? = "Phone/1.0"
) -> RegisterRequest {
    RegisterRequest(
        aor: aor, callID: callID, cseq: cseq, contacts: contacts, expires: expires, sourceIP: sourceIP, sourcePort: sourcePort,
        transport: "UDP", userAgent: userAgent)
}

func binding(
    _ contact: String = phoneContact, aor: AddressOfRecord = acme201, target: String? = nil, callID: String = "call-1",
    cseq: UInt32 = 1, expiresAt: Double = t0 + 3_600, q: Double? = nil, source: String = "192.0.2.10:5060",
    userAgent: String? = "Phone/1.0", updatedAt: Double = t0
) -> Binding {
    Binding(
        aor: aor, contact: contact, target: target ?? contact, callID: callID, cseq: cseq, expiresAt: expiresAt, q: q,
        source: source, transport: "UDP", userAgent: userAgent, updatedAt: updatedAt)
}

func settings(maxContacts: Int = 10, natRewrite: Bool = true) -> RegistrarSettings {
    var settings = RegistrarSettings()
    settings.maxContacts = maxContacts
    settings.natRewrite = natRewrite
    return settings
}

/// A location service over a memory store holding `existing`; the store is returned to read back.
func service(
    _ existing: [Binding] = [], settings: RegistrarSettings = settings(), now: Double = t0
) throws -> (LocationService, MemoryBindingStore) {
    let store = MemoryBindingStore(existing)
    return (try LocationService(settings: settings, store: store, now: now), store)
}

/// What the store holds, in a stable order for comparison.
func stored(_ store: any BindingStore) throws -> [Binding] {
    try store.load().sorted { ($0.aor.description, $0.contact) < ($1.aor.description, $1.contact) }
}

func sortedByContact(_ bindings: [Binding]) -> [Binding] {
    bindings.sorted { ($0.aor.description, $0.contact) < ($1.aor.description, $1.contact) }
}

extension RegisterOutcome {
    /// The bindings of an `.ok`, nil otherwise.
    var bindings: [Binding]? {
        guard case .ok(let bindings, _) = self else { return nil }
        return bindings.map(\.binding)
    }
}
