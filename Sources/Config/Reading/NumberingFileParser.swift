/// Reads `numbering.toml`: the country code and national prefix, `[emergency]` and `[classes]`. A value
/// that fails its check is left out and reported, so the load fails.
enum NumberingFileParser {
    static let knownKeys = ["country_code", "national_prefix", "emergency", "classes"]
    static let emergencyKeys = ["numbers", "gateway"]

    static func parse(_ root: TOMLSection, log: inout DiagnosticLog) -> NumberingSpec {
        let file = root.file
        var spec = NumberingSpec(file: file)
        root.rejectUnknownKeys(known: knownKeys, in: &log)

        // Optional: without it every + number is international.
        let countryHint = "a quoted string of 1 to 3 digits, e.g. country_code = \"44\""
        if let code = root.string("country_code", typeHint: countryHint, in: &log) {
            if isDigits(code, length: 1...3), code.utf8.first != 0x30 {
                spec.countryCode = code
            } else {
                log.error(
                    file,
                    "country_code must be 1 to 3 digits not starting with 0, e.g. \"44\", not \(DiagnosticText.quoted(code))")
            }
        }
        if let prefix = root.string(
            "national_prefix", typeHint: "a quoted string of 0 to 4 digits, e.g. national_prefix = \"0\"", in: &log)
        {
            if isDigits(prefix, length: 0...4) {
                spec.nationalPrefix = prefix
            } else {
                log.error(file, "national_prefix must be 0 to 4 digits, e.g. \"0\", not \(DiagnosticText.quoted(prefix))")
            }
        }
        if let emergency = root.section(
            "emergency", typeHint: "a table with numbers and gateway, e.g. [emergency] numbers = [\"999\", \"112\"]", in: &log)
        {
            parseEmergency(emergency, into: &spec, log: &log)
        }
        if let classes = root.section(
            "classes", typeHint: "a table of class = [\"PREFIX\", ...] entries, e.g. international = [\"00\"]", in: &log)
        {
            spec.classes = parseClasses(classes, log: &log)
        }
        if spec.classNames.count > NumberingSpec.maximumClasses {
            log.error(
                file,
                "classes: \(spec.classNames.count) classes with local and international; at most \(NumberingSpec.maximumClasses) are possible"
            )
        }
        return spec
    }

    private static func parseEmergency(_ section: TOMLSection, into spec: inout NumberingSpec, log: inout DiagnosticLog) {
        let file = section.file
        section.rejectUnknownKeys(known: emergencyKeys, in: &log)
        let numbersKey = section.qualified("numbers")
        var numbers: [DialString] = []
        var seen: Set<DialString> = []
        let texts =
            section.stringArray("numbers", typeHint: "an array of quoted numbers, e.g. [\"999\", \"112\"]", in: &log) ?? []
        // A handful in any country; a cap keeps a file of 300,000 numbers from making every check slow.
        if texts.count > NumberingSpec.maximumEmergencyNumbers {
            log.error(
                file,
                "\(numbersKey): \(texts.count) numbers; at most \(NumberingSpec.maximumEmergencyNumbers) emergency numbers are possible"
            )
            return
        }
        for text in texts {
            guard let number = DialString(text, maximumLength: 10) else {
                log.error(file, "\(numbersKey): \(DiagnosticText.quoted(text)) must be 1 to 10 characters of 0-9, * and #")
                continue
            }
            guard seen.insert(number).inserted else {
                log.error(file, "\(numbersKey): \"\(text)\" is listed twice")
                continue
            }
            numbers.append(number)
        }
        spec.emergencyNumbers = numbers
        let gatewayKey = section.qualified("gateway")
        guard section.has("gateway") else {
            if !numbers.isEmpty {
                log.error(
                    file,
                    "missing required key \(gatewayKey) (where emergency calls go, e.g. gateway = \"sip:{number}@emergency-gw.example\")"
                )
            }
            return
        }
        guard let text = section.string("gateway", typeHint: "a quoted sip: URI", in: &log) else { return }
        // {number} is optional: a gateway may take every emergency call at one address.
        switch URITemplate.parse(text, placeholder: "number") {
        case .success(let gateway):
            spec.emergencyGateway = gateway
        case .failure(let error):
            log.error(file, "\(gatewayKey): \(DiagnosticText.quoted(text)) \(URITemplate.explain(error, placeholder: "number"))")
        }
    }

    private static func parseClasses(_ section: TOMLSection, log: inout DiagnosticLog) -> [CallClassSpec] {
        let file = section.file
        var owners: [DialString: String] = [:]
        var classes: [CallClassSpec] = []
        let maximum = NumberingSpec.maximumClasses - 2
        let entries = section.entries
        if entries.count > maximum {
            // local and international take two of the 64 bits of a class mask.
            log.error(file, "classes: \(entries.count) classes; at most \(maximum) are possible besides local and international")
            return []
        }
        for (name, _) in entries {
            let key = section.qualified(name)
            guard isClassName(name) else {
                log.error(file, "\(key): a class name is 1 to 32 lower-case letters, digits, _ and -, e.g. international")
                continue
            }
            guard let texts = section.stringArray(name, typeHint: "an array of quoted prefixes, e.g. [\"00\"]", in: &log) else {
                continue
            }
            var prefixes: [DialString] = []
            for text in texts {
                guard let prefix = DialString(text, maximumLength: 10) else {
                    log.error(file, "\(key): prefix \(DiagnosticText.quoted(text)) must be 1 to 10 characters of 0-9, * and #")
                    continue
                }
                if let owner = owners[prefix] {
                    let place = owner == name ? "listed twice in \(key)" : "also in \(section.qualified(owner))"
                    log.error(file, "\(key): prefix \"\(text)\" is \(place); a prefix belongs to one class")
                    continue
                }
                owners[prefix] = name
                prefixes.append(prefix)
            }
            classes.append(CallClassSpec(name: name, prefixes: prefixes))
        }
        return classes
    }

    static func isClassName(_ name: String) -> Bool {
        (1...32).contains(name.utf8.count)
            && name.utf8.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x5F || $0 == 0x2D }
    }

    private static func isDigits(_ text: String, length: ClosedRange<Int>) -> Bool {
        length.contains(text.utf8.count) && text.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
    }
}
