/// Reads a customer's `[outbound."EXT"]` sections and the `allow` lists of trunks and extensions.
enum OutboundParser {
    static let keys = ["allow"]

    static func parse(_ table: TOMLSection, extensions: [ExtensionSpec], classNames: [String]?, log: inout DiagnosticLog)
        -> [OutboundSpec]
    {
        let file = table.file
        let numbers = ExtensionNumbers(extensions)
        var result: [OutboundSpec] = []
        for (ext, _) in table.entries {
            let label = table.qualified(ext)
            guard
                let entry = table.section(
                    ext, typeHint: "a table with allow = [\"CLASS\", ...], e.g. [outbound.\"201\"] allow = [\"international\"]",
                    in: &log)
            else { continue }
            entry.rejectUnknownKeys(known: keys, in: &log)
            guard let number = DialString(ext) else {
                log.error(file, "\(label): an extension number (1 to 10 characters of 0-9, * and #), not a range or a name")
                continue
            }
            guard numbers.contains(ext) else {
                log.error(file, "\(label): \(DiagnosticText.quoted(ext)) is not an extension of this customer (see [extensions])")
                continue
            }
            guard entry.requireKey("allow", hint: "the classes this extension may call, e.g. allow = [\"national\"]", in: &log),
                let allow = allowedClasses(in: entry, classNames: classNames, log: &log)
            else { continue }
            result.append(OutboundSpec(number: number, allow: allow))
        }
        return result
    }

    /// The `allow` key of `section`: known class names, each once, in the order written; nil when the
    /// key is absent or not an array. Unknown names are reported and left out.
    static func allowedClasses(in section: TOMLSection, classNames: [String]?, log: inout DiagnosticLog) -> [String]? {
        guard
            let names = section.stringArray(
                "allow", typeHint: "an array of class names, e.g. [\"local\", \"national\"]", in: &log)
        else { return nil }
        var result: [String] = []
        for name in names where !result.contains(name) {
            if let classNames, !classNames.contains(name) {
                var message = "\(section.qualified("allow")): unknown call class \(DiagnosticText.quoted(name))"
                if let guess = Spelling.suggestion(for: name, among: classNames) {
                    message += "; did you mean \"\(guess)\"?"
                } else {
                    message += " (classes: \(classNames.joined(separator: ", ")))"
                }
                log.error(section.file, message)
                continue
            }
            result.append(name)
        }
        return result
    }
}
