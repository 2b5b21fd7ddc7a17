import Config

/// Where an extension or trunk entry sends a call, laid out flat for the hot path: one contiguous
/// array indexed like `entries`, so a redirect reads one array slot instead of chasing the entry
/// object, its template object and the template's piece array (three cache misses on a large plan).
struct RouteTarget: Sendable {
    /// The URI up to the first placeholder, or the whole URI when it has none.
    let prefix: String
    /// The rest after a single placeholder ("" when none).
    let suffix: String
    let hasPlaceholder: Bool
    /// Set only when the URI has several placeholders: then the general template renders it.
    let general: URITemplate?
    let isRange: Bool
    /// An extension without a contact in the conf: only its registered phones can take a call.
    let isRegisteredOnly: Bool
    /// The entry's key ("201", "100-199", trunk code), for the reason text.
    let key: String

    /// The classes a trunk may carry (nil for extensions), and their mask copied here so that the hot
    /// path's check reads the slot it already holds.
    let allowance: ClassAllowance?
    let allowedClasses: UInt64

    init(entry: DialEntry) {
        switch entry.kind {
        case .extensionContact(let contact, let isRange):
            self.init(template: contact, isRange: isRange, isRegisteredOnly: contact == nil, key: entry.key, allowance: nil)
        case .trunk(let gateway, let allowance):
            self.init(template: gateway, isRange: false, isRegisteredOnly: false, key: entry.key, allowance: allowance)
        case .accessCode:
            self.init(template: nil, isRange: false, isRegisteredOnly: false, key: entry.key, allowance: nil)
        }
    }

    init(template: URITemplate?, isRange: Bool, isRegisteredOnly: Bool, key: String, allowance: ClassAllowance?) {
        self.isRange = isRange
        self.isRegisteredOnly = isRegisteredOnly
        self.key = key
        self.allowance = allowance
        allowedClasses = allowance?.mask ?? 0
        let pieces = template?.pieces ?? []
        let placeholders = pieces.filter { $0 == .placeholder }.count
        func literal(_ piece: URITemplate.Piece?) -> String {
            if case .literal(let text) = piece { return text }
            return ""
        }
        if placeholders == 0 {
            prefix = template?.text ?? ""
            suffix = ""
            hasPlaceholder = false
            general = nil
        } else if placeholders == 1, let at = pieces.firstIndex(of: .placeholder) {
            prefix = pieces[..<at].map { literal($0) }.joined()
            suffix = pieces[(at + 1)...].map { literal($0) }.joined()
            hasPlaceholder = true
            general = nil
        } else {
            prefix = ""
            suffix = ""
            hasPlaceholder = true
            general = template
        }
    }

    @inline(__always)
    func render(_ value: Substring) -> String {
        guard hasPlaceholder else { return prefix }
        if let general { return general.render(value) }
        var result = prefix
        result.reserveCapacity(prefix.utf8.count + value.utf8.count + suffix.utf8.count)
        result += value
        result += suffix
        return result
    }
}
