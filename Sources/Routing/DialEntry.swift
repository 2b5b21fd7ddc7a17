import Config

/// Something a customer can dial: one of its extensions (or extension ranges), one of its trunk codes,
/// or the access code of another customer of its group.
///
/// A final class, not a struct: the hot path reads entries by index, and copying a struct with several
/// string and template fields out of the array costs a retain per field.
final class DialEntry: Sendable {
    enum Kind: Sendable {
        /// A nil contact: registered phones only (`"registered"` in the conf).
        case extensionContact(URITemplate?, isRange: Bool)
        /// The gateway, and the call classes the trunk may carry.
        case trunk(URITemplate, ClassAllowance)
        /// Dialling this code continues in the extensions of customer `member`.
        case accessCode(member: Int32)
    }

    let kind: Kind
    /// The customer whose file defines this entry (for an access code: the member it leads to).
    let owner: Int32
    /// As written in the file: "201", "100-199", a trunk code or an access code.
    let key: String

    init(kind: Kind, owner: Int32, key: String) {
        self.kind = kind
        self.owner = owner
        self.key = key
    }
}

extension DialEntry {
    /// Names the entry and its file for conflict messages: `extension "201" (conf/customers/acme.toml)`.
    func label(customers: [CompiledCustomer]) -> String {
        let file = customers[Int(owner)].file
        switch kind {
        case .extensionContact(_, let isRange):
            return isRange ? "extension range \"\(key)\" (\(file))" : "extension \"\(key)\" (\(file))"
        case .trunk:
            return "trunk code \"\(key)\" (\(file))"
        case .accessCode:
            return "access code \"\(key)\" (\(file))"
        }
    }
}
