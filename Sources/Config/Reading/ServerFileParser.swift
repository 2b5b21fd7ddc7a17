/// Reads `switchd.toml`: `[server]`, `[limits]` and `[auth]`. A value that fails its check keeps the
/// default and is reported, so the load fails; nothing wrong is ever served silently.
enum ServerFileParser {
    static func parse(_ root: TOMLSection, log: inout DiagnosticLog) -> ServerSettings {
        let path = root.file
        root.rejectUnknownKeys(known: ["server", "limits", "auth", "registrar"], in: &log)
        var settings = ServerSettings()
        if let server = root.section("server", typeHint: "a table", in: &log) {
            server.rejectUnknownKeys(known: ["listen", "workers"], in: &log)
            if let workers = server.integer("workers", typeHint: "a number of threads, e.g. 1", in: &log) {
                if ServerSettings.workerRange.contains(workers) {
                    settings.workers = workers
                } else {
                    let range = ServerSettings.workerRange
                    log.error(path, "server.workers must be between \(range.lowerBound) and \(range.upperBound), not \(workers)")
                }
            }
            if let texts = server.stringArray("listen", typeHint: "an array of \"udp:HOST:PORT\" strings", in: &log) {
                if texts.isEmpty { log.error(path, "server.listen must name at least one address, e.g. [\"udp:127.0.0.1:5060\"]") }
                settings.listen = []
                for text in texts {
                    switch ListenAddress.parse(text) {
                    case .success(let address): settings.listen.append(address)
                    case .failure(let error): log.error(path, "server.listen: \(DiagnosticText.quoted(text)) \(error)")
                    }
                }
            }
        }
        if let limits = root.section("limits", typeHint: "a table", in: &log) {
            settings.limits = LimitSettingsParser.parse(limits, log: &log)
        }
        if let registrar = root.section("registrar", typeHint: "a table", in: &log) {
            (settings.registrar, settings.bindingStore) = RegistrarSectionParser.parse(registrar, log: &log)
        }
        if let auth = root.section("auth", typeHint: "a table", in: &log) {
            auth.rejectUnknownKeys(known: ["nonce_lifetime"], in: &log)
            if let lifetime = auth.integer("nonce_lifetime", typeHint: "a number of seconds, e.g. 300", in: &log) {
                if (10...86_400).contains(lifetime) {
                    settings.nonceLifetime = lifetime
                } else {
                    log.error(path, "auth.nonce_lifetime must be between 10 and 86400 seconds, not \(lifetime)")
                }
            }
        }
        return settings
    }
}
