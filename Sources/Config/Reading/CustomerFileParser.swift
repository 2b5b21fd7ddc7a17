import Addressing
import TOMLKit

/// Reads `customers/<id>.toml` into a `CustomerSpec`, reporting every problem of that one file.
enum CustomerFileParser {
    static let knownKeys = [
        "name", "cm", "domains", "access_code", "group", "networks", "extensions", "trunks", "outbound", "credentials",
    ]
    static let trunkKeys = ["gateway", "allow", "e164"]
    /// The extension value for registered phones only, in place of a contact URI.
    static let registeredOnly = "registered"

    /// Returns nil when a required part is unusable; the problems are in `log` either way. `classNames`
    /// are the call classes numbering.toml defines, nil when that file is unusable (then the names in
    /// `allow` are not checked: the numbering file's own errors fail the load).
    static func parse(_ root: TOMLSection, id: String, classNames: [String]?, log: inout DiagnosticLog) -> CustomerSpec? {
        let file = root.file
        root.rejectUnknownKeys(known: knownKeys, in: &log)
        var usable = true

        _ = root.requireKey("name", hint: "the customer's display name, e.g. name = \"Acme Corp\"", in: &log)
        let name = root.string("name", typeHint: "a quoted string", in: &log)
        if name?.isEmpty == true { log.error(file, "name must not be empty") }

        var cm = 0
        if root.requireKey("cm", hint: "the call manager number, an integer >= 1, e.g. cm = 3", in: &log) {
            if let value = root.integer("cm", typeHint: "an integer >= 1, e.g. cm = 3", in: &log) {
                if value >= 1 { cm = value } else { log.error(file, "cm must be an integer >= 1, not \(value)") }
            }
        }
        if cm == 0 { usable = false }

        var domains: [String] = []
        if root.requireKey(
            "domains", hint: "the SIP domains of this customer's callers, e.g. domains = [\"acme.example\"]", in: &log),
            let values = root.stringArray(
                "domains", typeHint: "an array of quoted domain names, e.g. [\"acme.example\"]", in: &log)
        {
            if values.isEmpty { log.error(file, "domains must not be empty: list at least one SIP domain") }
            for domain in values {
                if isHostName(domain) {
                    domains.append(domain.lowercased())
                } else {
                    log.error(file, "domains: \(DiagnosticText.quoted(domain)) is not a valid domain name")
                }
            }
        }

        let accessCodeHint = "a quoted string of digits, e.g. \"071\""
        var accessCode: DialString?
        if let code = root.string("access_code", typeHint: accessCodeHint, in: &log) {
            // Carried as absent when it fails: only a checked DialString reaches the compiler.
            accessCode = DialString(code, maximumLength: 6, digitsOnly: true)
            if accessCode == nil {
                log.error(file, "access_code must be 1 to 6 digits, e.g. \"071\", not \(DiagnosticText.quoted(code))")
            }
        }
        let group = root.string("group", typeHint: "the quoted id of a file in groups/, e.g. \"harbor\"", in: &log)
        if group != nil, !root.has("access_code") {
            log.error(file, "missing required key access_code: a customer in a group needs one, e.g. access_code = \"71\"")
        }

        var networks: [IPNetwork] = []
        for text in root.stringArray("networks", typeHint: "an array of quoted CIDR networks, e.g. [\"10.1.0.0/16\"]", in: &log)
            ?? []
        {
            switch IPNetwork.parse(text) {
            case .success(let network): networks.append(network)
            case .failure(.hostBitsSet(let suggestion)):
                log.error(file, "networks: \(DiagnosticText.quoted(text)) has host bits set; did you mean \"\(suggestion)\"?")
            case .failure(.badPrefixLength):
                log.error(
                    file, "networks: \(DiagnosticText.quoted(text)) has an invalid prefix length (0-32 for IPv4, 0-128 for IPv6)")
            case .failure(.notAnAddress):
                log.error(
                    file,
                    "networks: \(DiagnosticText.quoted(text)) is not a CIDR network such as \"10.1.0.0/16\" or \"2001:db8::/32\"")
            }
        }

        var extensions: [ExtensionSpec] = []
        if let table = root.section("extensions", typeHint: "a table of extension = \"contact URI\" entries", in: &log) {
            for (key, value) in table.entries {
                if let spec = parseExtension(key: key, value: value, in: table, log: &log) {
                    extensions.append(spec)
                }
            }
        }

        var trunks: [TrunkSpec] = []
        if let table = root.section("trunks", typeHint: "a table of [trunks.\"CODE\"] sections", in: &log) {
            for (code, _) in table.entries {
                if let trunk = parseTrunk(code: code, in: table, classNames: classNames, log: &log) {
                    if trunk.e164, let first = trunks.first(where: \.e164) {
                        log.error(
                            file,
                            "\(table.qualified(code)).e164: only one trunk of a customer may carry E.164 numbers, and \(table.qualified(first.code.text)) already does"
                        )
                        continue
                    }
                    trunks.append(trunk)
                }
            }
        }

        var outbound: [OutboundSpec] = []
        if let table = root.section(
            "outbound", typeHint: "a table of [outbound.\"EXT\"] sections with allow = [\"CLASS\", ...]", in: &log)
        {
            outbound = OutboundParser.parse(table, extensions: extensions, classNames: classNames, log: &log)
        }

        var credentials: [String: StoredCredential] = [:]
        if let table = root.section(
            "credentials", typeHint: "a table of \"EXT\" = { sha256 = \"...\", md5 = \"...\" } entries", in: &log)
        {
            credentials = CredentialParser.parse(table, extensions: extensions, log: &log)
        }

        guard usable, let name else { return nil }
        return CustomerSpec(
            id: id, file: file, name: name, cm: cm, domains: domains, accessCode: accessCode, group: group,
            networks: networks, extensions: extensions, trunks: trunks, outbound: outbound, credentials: credentials)
    }

    private static func parseExtension(
        key: String, value: TOMLValueConvertible, in table: TOMLSection, log: inout DiagnosticLog
    ) -> ExtensionSpec? {
        let file = table.file
        let label = table.qualified(key)
        guard let contactText = value.string else {
            log.error(
                file,
                "\(label) must be a quoted sip: URI, e.g. \"sip:201@10.1.0.21:5060\", or \"registered\", not \(TOMLSection.describe(value.type))"
            )
            return nil
        }
        let numbers: ExtensionSpec.Numbers
        switch ExtensionRange.parse(key) {
        case .success(let range):
            numbers = .range(range)
        case .failure(.notTwoNumbers):
            log.error(file, "\(label): a range must be two numbers of 1 to 10 digits, e.g. \"100-199\"")
            return nil
        case .failure(.differentLengths(let low, let high)):
            log.error(file, "\(label): both ends of a range must have the same length (\(low) and \(high) digits)")
            return nil
        case .failure(.reversed):
            log.error(file, "\(label): the range's first number must not be greater than its last")
            return nil
        case nil:
            guard let single = DialString(key) else {
                log.error(
                    file, "\(label): an extension must be 1 to 10 characters of 0-9, * and #, or a range such as \"100-199\"")
                return nil
            }
            numbers = .single(single)
        }
        // Not a URI: a URI always has a scheme and a colon, so the word cannot be mistaken for one.
        if contactText == registeredOnly { return ExtensionSpec(key: key, numbers: numbers, contact: nil) }
        switch URITemplate.parse(contactText, placeholder: "ext") {
        case .success(let contact):
            return ExtensionSpec(key: key, numbers: numbers, contact: contact)
        case .failure(let error):
            let hint = error == .notSIP ? ", or \"\(registeredOnly)\" for registered phones only" : ""
            log.error(
                file,
                "\(label): contact \(DiagnosticText.quoted(contactText)) \(URITemplate.explain(error, placeholder: "ext"))\(hint)"
            )
            return nil
        }
    }

    private static func parseTrunk(code: String, in trunks: TOMLSection, classNames: [String]?, log: inout DiagnosticLog)
        -> TrunkSpec?
    {
        let file = trunks.file
        guard
            let trunk = trunks.section(
                code, typeHint: "a table with a gateway key, e.g. [trunks.\"9\"] gateway = \"sip:{number}@gw.example\"", in: &log)
        else {
            return nil
        }
        trunk.rejectUnknownKeys(known: trunkKeys, in: &log)
        let dialString = DialString(code)
        if dialString == nil {
            log.error(file, "\(trunks.qualified(code)): a trunk code must be 1 to 10 characters of 0-9, * and #")
        }
        let allow = OutboundParser.allowedClasses(in: trunk, classNames: classNames, log: &log)
        let e164 = trunk.bool("e164", typeHint: "true or false (true: this trunk carries +E.164 numbers)", in: &log) ?? false
        guard
            trunk.requireKey("gateway", hint: "the URI calls are sent to, e.g. gateway = \"sip:{number}@gw.example\"", in: &log),
            let gatewayText = trunk.string("gateway", typeHint: "a quoted sip: URI", in: &log)
        else { return nil }
        switch URITemplate.parse(gatewayText, placeholder: "number") {
        case .success(let gateway):
            guard gateway.hasPlaceholder else {
                log.error(
                    file,
                    "\(trunk.qualified("gateway")): \(DiagnosticText.quoted(gatewayText)) must contain {number}, the digits dialled after the trunk code"
                )
                return nil
            }
            if e164, gatewayText.contains("+{number}") {
                log.error(
                    file,
                    "\(trunk.qualified("e164")): the gateway \(DiagnosticText.quoted(gatewayText)) puts a + before {number}, and an E.164 number brings its own (write {number} alone)"
                )
                return nil
            }
            return dialString.map { TrunkSpec(code: $0, gateway: gateway, allow: ClassAllowanceSpec(names: allow), e164: e164) }
        case .failure(let error):
            log.error(
                file,
                "\(trunk.qualified("gateway")): \(DiagnosticText.quoted(gatewayText)) \(URITemplate.explain(error, placeholder: "number"))"
            )
            return nil
        }
    }

    /// A customer domain: an RFC 3261 host (`HostName`), written without the trailing dot a host name
    /// may carry (a From host is matched as written, and nobody writes the dot there).
    static func isHostName(_ text: String) -> Bool {
        HostName.normalized(text) != nil && !text.hasSuffix(".")
    }
}
