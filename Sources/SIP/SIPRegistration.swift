// What a REGISTER says beyond any other request (RFC 3261 §10.2): its Contacts with their `expires`
// and `q`, the Expires header, and the User-Agent. Parsed only for REGISTER: an INVITE's Contact is
// never read, so the hot path pays nothing for it.

/// One Contact of a REGISTER.
public struct SIPContact: Sendable, Equatable {
    /// The URI inside `<...>`, or the addr-spec up to its parameters.
    public var uri: String
    /// The `expires` parameter (delta-seconds), when present.
    public var expires: UInt32?
    /// The `q` parameter (0...1), when present.
    public var q: Double?

    public init(uri: String, expires: UInt32? = nil, q: Double? = nil) {
        self.uri = uri
        self.expires = expires
        self.q = q
    }
}

public struct SIPRegistration: Sendable, Equatable {
    public enum Contacts: Sendable, Equatable {
        /// `Contact: *` (valid only alone; the registrar also requires `Expires: 0`).
        case wildcard
        /// Possibly empty: a REGISTER without Contact is a query.
        case list([SIPContact])
    }

    public var contacts: Contacts
    /// The Expires header (delta-seconds), when present.
    public var expires: UInt32?
    public var userAgent: String?

    public init(contacts: Contacts, expires: UInt32?, userAgent: String?) {
        self.contacts = contacts
        self.expires = expires
        self.userAgent = userAgent
    }
}

extension SIPRegistration {
    /// delta-seconds larger than 2^32-1 are taken as 2^32-1 (RFC 3261 §20.19); the registrar caps
    /// them at max_expires anyway.
    static func deltaSeconds(_ bytes: ArraySlice<UInt8>) -> UInt32? {
        let digits = bytes.trimmedWhitespace()
        guard !digits.isEmpty, digits.allSatisfy(ASCII.isDigit) else { return nil }
        return UInt32(digits.parseDecimal(limit: UInt64(UInt32.max)) ?? UInt64(UInt32.max))
    }

    /// The REGISTER's Contacts, Expires and User-Agent, or the problem that makes it a 400.
    static func parse(_ scanned: ScannedMessage) -> Result<SIPRegistration, SIPRequestProblem> {
        var expires: UInt32?
        if let raw = scanned.firstBytes(.expires) {
            guard let value = deltaSeconds(raw[...]) else { return .failure(.malformed("Invalid Expires")) }
            expires = value
        }
        var contacts: [SIPContact] = []
        var wildcards = 0
        for value in scanned.values(.contact) {
            for element in splitContactList(value[...]) {
                if element.count == 1, element.first == ASCII.star {
                    wildcards += 1
                    continue
                }
                guard let contact = parseContact(element) else { return .failure(.malformed("Malformed Contact Header")) }
                contacts.append(contact)
            }
        }
        let list: Contacts
        switch (wildcards, contacts.isEmpty) {
        case (0, _): list = .list(contacts)
        case (1, true): list = .wildcard
        default: return .failure(.malformed("Invalid Wildcard Contact"))
        }
        let userAgent = scanned.first(.userAgent)
        return .success(SIPRegistration(contacts: list, expires: expires, userAgent: userAgent))
    }

    /// Splits a Contact value on commas outside quoted strings and `<...>` (a URI may hold commas).
    static func splitContactList(_ value: ArraySlice<UInt8>) -> [ArraySlice<UInt8>] {
        var parts: [ArraySlice<UInt8>] = []
        var start = value.startIndex, index = value.startIndex
        var inQuote = false, inBrackets = false
        while index < value.endIndex {
            let byte = value[index]
            if inQuote {
                if byte == ASCII.backslash { index += 1 } else if byte == ASCII.quote { inQuote = false }
            } else if inBrackets {
                if byte == ASCII.gt { inBrackets = false }
            } else if byte == ASCII.quote {
                inQuote = true
            } else if byte == ASCII.lt {
                inBrackets = true
            } else if byte == ASCII.comma {
                parts.append(value[start..<index].trimmedWhitespace())
                start = index + 1
            }
            index += 1
        }
        parts.append(value[start..<value.endIndex].trimmedWhitespace())
        return parts.filter { !$0.isEmpty }
    }

    /// One contact-param: a name-addr or addr-spec with `expires` and `q` read from its parameters.
    static func parseContact(_ element: ArraySlice<UInt8>) -> SIPContact? {
        guard let parts = NameAddrParts(Array(element)), !parts.uriText.isEmpty,
            SIPURI.parse(parts.uriText) != nil
        else { return nil }
        var contact = SIPContact(uri: parts.uriText.utf8String)
        if let text = parts.param("expires") {
            guard let value = deltaSeconds(Array(text.utf8)[...]) else { return nil }
            contact.expires = value
        }
        if let text = parts.param("q") {
            guard let value = qValue(text) else { return nil }
            contact.q = value
        }
        return contact
    }

    /// qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] )  (RFC 3261 §25.1)
    static func qValue(_ text: String) -> Double? {
        let bytes = Array(text.utf8)
        guard let first = bytes.first, first == 0x30 || first == 0x31 else { return nil }
        if bytes.count == 1 { return first == 0x31 ? 1 : 0 }
        guard bytes[1] == 0x2E, bytes.count <= 5 else { return nil }
        let decimals = bytes[2...]
        guard decimals.allSatisfy(ASCII.isDigit), first == 0x30 || decimals.allSatisfy({ $0 == 0x30 }) else { return nil }
        guard first == 0x30 else { return 1 }
        var thousandths = 0
        for (position, digit) in decimals.enumerated() {
            thousandths += Int(digit - 0x30) * [100, 10, 1][position]
        }
        return Double(thousandths) / 1_000
    }
}
