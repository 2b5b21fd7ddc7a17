/// What `switchd --version` prints. Raised with each issue that changes what switchd does: the minor
/// number is the last issue resolved.
enum SwitchdVersion {
    static let current = "0.12.0"
    static let text = "switchd \(current)"
}
