/// What `numbering.toml` says, after its keys were checked: the E.164 country of this PBX, the
/// emergency numbers and where they go, and the call classes that trunks and extensions allow.
/// Cross-file rules (an extension or access code against an emergency number) are the compiler's.
package struct NumberingSpec: Sendable {
    /// The class of a number that matches no prefix of `[classes]`.
    package static let localClass = "local"
    /// The class of a `+` number outside the own country code; it exists whatever `[classes]` says.
    package static let internationalClass = "international"
    /// Left out of a trunk's classes when it has no `allow`, with `internationalClass`.
    package static let premiumClass = "premium"
    /// A class mask is 64 bits wide.
    package static let maximumClasses = 64
    package static let maximumEmergencyNumbers = 100

    package let file: String
    /// Digits, 1-3, not starting with 0 ("44"); "" when absent (then every + number is international)
    /// or invalid (its diagnostic is logged).
    package var countryCode: String = ""
    /// Digits, 0-4 ("0"): what replaces +countryCode when a national number is classified.
    package var nationalPrefix: String = ""
    package var emergencyNumbers: [DialString] = []
    /// Where every emergency call goes; `{number}`, if present, is the emergency number. Nil without numbers.
    package var emergencyGateway: URITemplate?
    /// `[classes]` in key order (TOMLKit keeps keys sorted).
    package var classes: [CallClassSpec] = []

    package init(file: String) {
        self.file = file
    }

    /// Every class a trunk or an extension may allow: local, international, then the others of
    /// `[classes]` in key order. The index of a name here is its bit in a class mask.
    package var classNames: [String] {
        var names = [Self.localClass, Self.internationalClass]
        for spec in classes where !names.contains(spec.name) { names.append(spec.name) }
        return names
    }
}

/// One entry of `[classes]`: a number dialled after a trunk code is in the class of its longest
/// matching prefix.
package struct CallClassSpec: Sendable {
    package let name: String
    package let prefixes: [DialString]
}

/// The classes one trunk or one extension may call, by name as written (`allow = [...]`), or nil for
/// the default: every class but international and premium.
package struct ClassAllowanceSpec: Sendable {
    package let names: [String]?

    package init(names: [String]?) {
        self.names = names
    }
}
