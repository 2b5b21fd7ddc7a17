import TOMLKit

/// Typed access to one TOML table of one file, turning every missing, misspelt or mistyped key into a
/// diagnostic instead of an exception, so that a load reports all problems at once.
struct TOMLSection {
    let table: TOMLTable
    let file: String
    /// Dotted path of this table inside the file ("" for the top level), to name nested keys fully.
    let path: String

    func qualified(_ key: String) -> String {
        let quotedKey = TOMLSection.isBareKey(key) ? key : DiagnosticText.quoted(key)
        return path.isEmpty ? quotedKey : "\(path).\(quotedKey)"
    }

    /// Reports every key that is not in `known`, suggesting the closest known key.
    func rejectUnknownKeys(known: [String], in log: inout DiagnosticLog) {
        for key in table.keys where !known.contains(key) {
            var message = "unknown key \(qualified(key))"
            if let guess = Spelling.suggestion(for: key, among: known) {
                message += "; did you mean \(qualified(guess))?"
            } else {
                message += " (known keys: \(known.joined(separator: ", ")))"
            }
            log.error(file, message)
        }
    }

    func has(_ key: String) -> Bool { table.contains(key: key) }

    func requireKey(_ key: String, hint: String, in log: inout DiagnosticLog) -> Bool {
        if has(key) { return true }
        log.error(file, "missing required key \(qualified(key)) (\(hint))")
        return false
    }

    /// A string value; `typeHint` completes "KEY must be ..." when the value has another type.
    func string(_ key: String, typeHint: String, in log: inout DiagnosticLog) -> String? {
        guard let value = table[key] else { return nil }
        guard let string = value.string else {
            log.error(file, "\(qualified(key)) must be \(typeHint), not \(TOMLSection.describe(value.type))")
            return nil
        }
        return string
    }

    func integer(_ key: String, typeHint: String, in log: inout DiagnosticLog) -> Int? {
        guard let value = table[key] else { return nil }
        guard let integer = value.int else {
            log.error(file, "\(qualified(key)) must be \(typeHint), not \(TOMLSection.describe(value.type))")
            return nil
        }
        return integer
    }

    func bool(_ key: String, typeHint: String, in log: inout DiagnosticLog) -> Bool? {
        guard let value = table[key] else { return nil }
        guard let flag = value.bool else {
            log.error(file, "\(qualified(key)) must be \(typeHint), not \(TOMLSection.describe(value.type))")
            return nil
        }
        return flag
    }

    func stringArray(_ key: String, typeHint: String, in log: inout DiagnosticLog) -> [String]? {
        guard let value = table[key] else { return nil }
        guard let array = value.array else {
            log.error(file, "\(qualified(key)) must be \(typeHint), not \(TOMLSection.describe(value.type))")
            return nil
        }
        var strings: [String] = []
        for (index, element) in array.enumerated() {
            guard let string = element.string else {
                log.error(file, "\(qualified(key))[\(index)] must be a quoted string, not \(TOMLSection.describe(element.type))")
                continue
            }
            strings.append(string)
        }
        return strings
    }

    func section(_ key: String, typeHint: String, in log: inout DiagnosticLog) -> TOMLSection? {
        guard let value = table[key] else { return nil }
        guard let subtable = value.table else {
            log.error(file, "\(qualified(key)) must be \(typeHint), not \(TOMLSection.describe(value.type))")
            return nil
        }
        return TOMLSection(table: subtable, file: file, path: qualified(key))
    }

    /// Every entry of this table, in key order (TOMLKit keeps keys sorted).
    ///
    /// Not TOMLKit's own iterator: it force-unwraps the value it looks up for each key it listed, and a
    /// key TOMLKit cannot look up again (one holding U+0000, which it cuts short) trapped there. The
    /// preflight refuses such keys; a key that still cannot be looked up is left out here, never trapped on.
    var entries: [(key: String, value: TOMLValueConvertible)] {
        table.keys.compactMap { key in table[key].map { (key, $0) } }
    }

    static func describe(_ type: TOMLType) -> String {
        switch type {
        case .string: return "a string"
        case .int: return "an integer"
        case .double: return "a floating-point number"
        case .bool: return "a boolean"
        case .array: return "an array"
        case .table: return "a table"
        case .date, .time, .dateTime: return "a date or time"
        }
    }

    static func isBareKey(_ key: String) -> Bool {
        !key.isEmpty
            && key.utf8.allSatisfy { byte in
                (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                    || byte == 0x5F || byte == 0x2D
            }
    }
}
