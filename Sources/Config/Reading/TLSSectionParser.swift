/// Reads `[tls]` of `switchd.toml`: the two PEM paths, both required. Whether the files hold a usable
/// certificate and key is checked where they are loaded (the TLS library is the Server's), at start,
/// at `switchd check` and at every reload.
enum TLSSectionParser {
    static let keys = ["certificate", "private_key"]

    static func parse(_ section: TOMLSection, log: inout DiagnosticLog) -> TLSSettings? {
        section.rejectUnknownKeys(known: keys, in: &log)
        var paths: [String] = []
        for key in keys {
            guard section.table[key] != nil else {
                log.error(
                    section.file,
                    "\(section.qualified(key)) is required: the path of a PEM file, e.g. \(key) = \"tls/\(key == "certificate" ? "cert" : "key").pem\""
                )
                continue
            }
            guard let path = section.string(key, typeHint: "a quoted file path", in: &log) else { continue }
            guard !path.isEmpty, !path.contains("\0") else {
                log.error(section.file, "\(section.qualified(key)) must be a file path, not \(DiagnosticText.quoted(path))")
                continue
            }
            paths.append(path)
        }
        guard paths.count == 2 else { return nil }
        return TLSSettings(certificate: paths[0], privateKey: paths[1])
    }
}
