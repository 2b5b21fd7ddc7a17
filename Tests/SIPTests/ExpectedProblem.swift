@testable import SIP

/// The parser's problem behind a refusal the tables write as status and phrase: 505 is the protocol
/// version, and every 400 names its problem in the phrase (the server's catalog makes the mapping).
func expectedProblem(status: Int, reason: String) -> SIPRequestProblem {
    status == 505 ? .versionNotSupported : .malformed(reason)
}
