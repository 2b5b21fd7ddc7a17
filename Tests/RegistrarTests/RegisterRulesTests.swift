// RFC 3261 §10.3 steps 6-8, one row per rule: the bindings before, the REGISTER, the exact outcome,
// and what memory and the store hold afterwards (a refused request leaves both as they were).
import Testing

@testable import Registrar

/// When every row's REGISTER arrives; the existing bindings were loaded at t0.
private let n = t0 + 100

struct RuleRow: Sendable, CustomTestStringConvertible {
    var name: String
    var existing: [Binding] = []
    var request: RegisterRequest
    var outcome: RegisterOutcome
    /// The bindings afterwards; nil: unchanged.
    var after: [Binding]?

    var testDescription: String { name }
}

private func ok(_ bindings: (Binding, Int)...) -> RegisterOutcome {
    .ok(bindings: bindings.map { RegisteredBinding(binding: $0.0, expiresIn: $0.1) }, evicted: [])
}

/// A binding this row's REGISTER (call-1, CSeq 2, at n) writes.
private func fresh(_ contact: String = phoneContact, cseq: UInt32 = 2, expiry: Double = 3_600, q: Double? = nil) -> Binding {
    binding(contact, cseq: cseq, expiresAt: n + expiry, q: q, updatedAt: n)
}

let expiryRows: [RuleRow] = [
    RuleRow(
        name: "no expires anywhere: defaultExpires (3600)", request: request([.uri(phoneContact)]),
        outcome: ok((fresh(), 3_600)), after: [fresh()]),
    RuleRow(
        name: "the Expires header when the Contact has no expires", request: request([.uri(phoneContact)], expires: 120),
        outcome: ok((fresh(expiry: 120), 120)), after: [fresh(expiry: 120)]),
    RuleRow(
        name: "the Contact's expires beats the Expires header",
        request: request([.uri(phoneContact, expires: 300)], expires: 120),
        outcome: ok((fresh(expiry: 300), 300)), after: [fresh(expiry: 300)]),
    RuleRow(
        name: "a Contact expires below minExpires: 423, nothing changes", existing: [binding()],
        request: request([.uri(phoneContact, expires: 30)]), outcome: .intervalTooBrief(minExpires: 60)),
    RuleRow(
        name: "an Expires header below minExpires: 423", request: request([.uri(phoneContact)], expires: 59),
        outcome: .intervalTooBrief(minExpires: 60), after: []),
    RuleRow(
        name: "exactly minExpires is accepted", request: request([.uri(phoneContact, expires: 60)]),
        outcome: ok((fresh(expiry: 60), 60)), after: [fresh(expiry: 60)]),
    RuleRow(
        name: "above maxExpires: shortened to 7200", request: request([.uri(phoneContact, expires: 10_000)]),
        outcome: ok((fresh(expiry: 7_200), 7_200)), after: [fresh(expiry: 7_200)]),
    RuleRow(
        name: "an Int.max expires is shortened, not overflowed", request: request([.uri(phoneContact, expires: Int.max)]),
        outcome: ok((fresh(expiry: 7_200), 7_200)), after: [fresh(expiry: 7_200)]),
    RuleRow(
        name: "expires=0 removes the binding", existing: [binding(callID: "old")],
        request: request([.uri(phoneContact, expires: 0)]), outcome: ok(), after: []),
    RuleRow(
        name: "Expires: 0 removes the Contacts without their own expires", existing: [binding()],
        request: request([.uri(phoneContact)], expires: 0), outcome: ok(), after: []),
    RuleRow(
        name: "expires=0 of a contact not bound changes nothing else", existing: [binding(deskContact)],
        request: request([.uri(phoneContact, expires: 0)]), outcome: ok((binding(deskContact), 3_500)),
        after: [binding(deskContact)]),
]

let wildcardRows: [RuleRow] = [
    RuleRow(
        name: "Contact: * with Expires: 0 removes every binding",
        existing: [binding(callID: "a"), binding(deskContact, callID: "b")],
        request: request([.wildcard], expires: 0), outcome: ok(), after: []),
    RuleRow(
        name: "Contact: * without Expires: invalid", existing: [binding(callID: "a")], request: request([.wildcard]),
        outcome: .invalidWildcard),
    RuleRow(
        name: "Contact: * with Expires: 3600: invalid", existing: [binding(callID: "a")],
        request: request([.wildcard], expires: 3_600), outcome: .invalidWildcard),
    RuleRow(
        name: "Contact: * beside another Contact: invalid", existing: [binding(callID: "a")],
        request: request([.wildcard, .uri(deskContact)], expires: 0), outcome: .invalidWildcard),
    RuleRow(
        name: "Contact: * with a binding's Call-ID and a CSeq not higher: out of order", existing: [binding(cseq: 5)],
        request: request([.wildcard], cseq: 5, expires: 0), outcome: .outOfOrder),
    RuleRow(
        name: "Contact: * with a binding's Call-ID and a higher CSeq removes it", existing: [binding(cseq: 5)],
        request: request([.wildcard], cseq: 6, expires: 0), outcome: ok(), after: []),
    RuleRow(
        name: "no Contact: a query lists the bindings and changes nothing",
        existing: [binding(), binding(deskContact, q: 0.5)], request: request([]),
        outcome: ok((binding(), 3_500), (binding(deskContact, q: 0.5), 3_500))),
]

let sequenceRows: [RuleRow] = [
    RuleRow(
        name: "same Call-ID, higher CSeq: updated", existing: [binding(cseq: 5)],
        request: request([.uri(phoneContact)], cseq: 6, expires: 600),
        outcome: ok((fresh(cseq: 6, expiry: 600), 600)), after: [fresh(cseq: 6, expiry: 600)]),
    RuleRow(
        name: "same Call-ID, same CSeq: out of order", existing: [binding(cseq: 5)],
        request: request([.uri(phoneContact)], cseq: 5), outcome: .outOfOrder),
    RuleRow(
        name: "same Call-ID, lower CSeq: out of order", existing: [binding(cseq: 5)],
        request: request([.uri(phoneContact)], cseq: 4), outcome: .outOfOrder),
    RuleRow(
        name: "same Call-ID, same CSeq, expires=0: out of order (removals too)", existing: [binding(cseq: 5)],
        request: request([.uri(phoneContact, expires: 0)], cseq: 5), outcome: .outOfOrder),
    RuleRow(
        name: "another Call-ID, lower CSeq: updated (a rebooted phone)", existing: [binding(callID: "old", cseq: 50)],
        request: request([.uri(phoneContact)], cseq: 2), outcome: ok((fresh(), 3_600)), after: [fresh()]),
    RuleRow(
        name: "one Contact out of order refuses the whole request", existing: [binding(deskContact, cseq: 5)],
        request: request([.uri(phoneContact), .uri(deskContact)], cseq: 5), outcome: .outOfOrder),
    RuleRow(
        name: "one Contact too brief refuses the whole request",
        request: request([.uri(phoneContact), .uri(deskContact, expires: 10)]), outcome: .intervalTooBrief(minExpires: 60),
        after: []),
    RuleRow(
        name: "two Contacts, each its own expiry and q, in lookup order",
        request: request([.uri(phoneContact, expires: 600, q: 0.7), .uri(deskContact)]),
        outcome: ok((fresh(deskContact), 3_600), (fresh(expiry: 600, q: 0.7), 600)),
        after: [fresh(deskContact), fresh(expiry: 600, q: 0.7)]),
    RuleRow(
        name: "a refresh without q clears the old q", existing: [binding(q: 0.3)], request: request([.uri(phoneContact)]),
        outcome: ok((fresh(), 3_600)), after: [fresh()]),
    RuleRow(
        name: "a Contact named twice: its last occurrence counts",
        request: request([.uri(phoneContact, expires: 600), .uri(phoneContact, expires: 900)]),
        outcome: ok((fresh(expiry: 900), 900)), after: [fresh(expiry: 900)]),
    RuleRow(
        name: "an expired binding counts as absent (its CSeq no longer guards)",
        existing: [binding(cseq: 9, expiresAt: t0 + 50)], request: request([.uri(phoneContact)], cseq: 2),
        outcome: ok((fresh(), 3_600)), after: [fresh()]),
]

/// §19.1.4 equality of scheme, userinfo, host and port decides which binding a Contact is.
let identityRows: [RuleRow] = [
    RuleRow(
        name: "scheme and host case, and parameters, do not make another binding: the new text replaces the old",
        existing: [binding("sip:201@Phone.Example:5060;transport=udp", callID: "old")],
        request: request([.uri("SIP:201@phone.example:5060;ob")]),
        outcome: ok((fresh("SIP:201@phone.example:5060;ob"), 3_600)), after: [fresh("SIP:201@phone.example:5060;ob")]),
    RuleRow(
        name: "an absent port is not :5060 (two bindings)", existing: [binding("sip:201@phone.example")],
        request: request([.uri("sip:201@phone.example:5060")]),
        outcome: ok((fresh("sip:201@phone.example:5060"), 3_600), (binding("sip:201@phone.example"), 3_500)),
        after: [binding("sip:201@phone.example"), fresh("sip:201@phone.example:5060")]),
    RuleRow(
        name: "the user part is case-sensitive (two bindings)", existing: [binding("sip:alice@phone.example")],
        request: request([.uri("sip:Alice@phone.example")]),
        outcome: ok((fresh("sip:Alice@phone.example"), 3_600), (binding("sip:alice@phone.example"), 3_500)),
        after: [fresh("sip:Alice@phone.example"), binding("sip:alice@phone.example")]),
]

/// (what is wrong, the Contact, its expires, its q, the problem reported)
private let invalidContacts: [(String, String, Int?, Double?, ContactProblem)] = [
    ("tel:+15551234", "tel:+15551234", nil, nil, .unsupportedScheme),
    ("no scheme", "201@192.0.2.10", nil, nil, .unsupportedScheme),
    ("sip: alone", "sip:", nil, nil, .missingHost),
    ("empty host", "sip:201@", nil, nil, .missingHost),
    ("empty IPv6 host", "sip:201@[]:5060", nil, nil, .missingHost),
    ("port out of range", "sip:201@192.0.2.10:99999", nil, nil, .badPort),
    ("empty port", "sip:201@192.0.2.10:", nil, nil, .badPort),
    ("port not a number", "sip:201@192.0.2.10:50a0", nil, nil, .badPort),
    ("q above 1", phoneContact, nil, 1.5, .qOutOfRange),
    ("q negative", phoneContact, nil, -0.1, .qOutOfRange),
    ("q not a number", phoneContact, nil, .nan, .qOutOfRange),
    ("negative expires", phoneContact, -1, nil, .negativeExpires),
]

let invalidRows: [RuleRow] =
    invalidContacts.map { name, text, expires, q, problem in
        RuleRow(
            name: "invalid Contact (\(name)): refused, nothing changes", existing: [binding(deskContact)],
            request: request([.uri(deskContact), .uri(text, expires: expires, q: q)]), outcome: .invalidContact(text, problem))
    } + [
        RuleRow(
            name: "a negative Expires header: the Contact it applies to is invalid",
            request: request([.uri(phoneContact)], expires: -5),
            outcome: .invalidContact(phoneContact, .negativeExpires), after: [])
    ]

@Suite("REGISTER rules (RFC 3261 §10.3 steps 6-8)")
struct RegisterRulesTests {
    @Test("expiry", arguments: expiryRows) func expiry(row: RuleRow) throws { try check(row) }
    @Test("Contact: * and queries", arguments: wildcardRows) func wildcard(row: RuleRow) throws { try check(row) }
    @Test("Call-ID and CSeq, several Contacts", arguments: sequenceRows) func sequence(row: RuleRow) throws { try check(row) }
    @Test("which binding a Contact is", arguments: identityRows) func identity(row: RuleRow) throws { try check(row) }
    @Test("invalid Contacts", arguments: invalidRows) func invalid(row: RuleRow) throws { try check(row) }

    /// NAT rewriting off: its own suite covers it, and here target == contact keeps rows short.
    private func check(_ row: RuleRow) throws {
        let (service, store) = try service(row.existing, settings: settings(natRewrite: false))
        #expect(service.register(row.request, now: n) == row.outcome)
        #expect(service.flush() == .written)
        let after = sortedByContact(row.after ?? row.existing)
        #expect(try stored(store) == after)
        #expect(sortedByContact(service.lookup(acme201, now: n)) == after)
    }
}
