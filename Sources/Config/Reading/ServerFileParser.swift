import Auth

/// Reads `switchd.toml`: `[server]`, `[limits]`, `[auth]`, `[registrar]`, `[tls]`, `[log]` and `[metrics]`. A value that fails its check keeps the
/// default and is reported, so the load fails; nothing wrong is ever served silently.
enum ServerFileParser {
    static func parse(_ root: TOMLSection, log: inout DiagnosticLog) -> ServerSettings {
        let path = root.file
        root.rejectUnknownKeys(known: ["server", "limits", "auth", "registrar", "tls", "log", "metrics"], in: &log)
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
            if let texts = server.stringArray(
                "listen", typeHint: "an array of \"udp:HOST:PORT\", \"tcp:HOST:PORT\" or \"tls:HOST:PORT\" strings", in: &log)
            {
                if texts.isEmpty {
                    log.error(path, "server.listen must name at least one address, e.g. [\"udp:127.0.0.1:5060\"]")
                }
                settings.listen = []
                for text in texts {
                    switch ListenAddress.parse(text) {
                    case .success(let address): settings.listen.append(address)
                    case .failure(let error): log.error(path, "server.listen: \(DiagnosticText.quoted(text)) \(error)")
                    }
                }
            }
        }
        if let tls = root.section("tls", typeHint: "a table with certificate and private_key", in: &log) {
            settings.tls = TLSSectionParser.parse(tls, log: &log)
        }
        if settings.tls == nil, let address = settings.listen.first(where: { $0.transport == .tls }) {
            log.error(
                path,
                "server.listen: \"\(address)\" needs [tls] certificate = \"PATH\" and private_key = \"PATH\" (PEM files)")
        }
        if let section = root.section("log", typeHint: "a table with decisions = \"PATH\"", in: &log) {
            section.rejectUnknownKeys(known: ["decisions"], in: &log)
            if let file = section.string("decisions", typeHint: "a quoted file path, e.g. \"var/decisions.log\"", in: &log) {
                if file.isEmpty || file.utf8.contains(0) {
                    log.error(path, "log.decisions must be a file path, e.g. \"var/decisions.log\"")
                } else {
                    settings.decisionLog = file
                }
            }
        }
        if let section = root.section("metrics", typeHint: "a table with listen = \"HOST:PORT\"", in: &log) {
            section.rejectUnknownKeys(known: ["listen"], in: &log)
            // An empty [metrics] would serve nothing while the admin believes it monitored.
            if section.requireKey("listen", hint: "\"127.0.0.1:9090\"", in: &log),
                let text = section.string("listen", typeHint: "a quoted \"HOST:PORT\", e.g. \"127.0.0.1:9090\"", in: &log)
            {
                switch MetricsAddress.parse(text) {
                case .success(let address): settings.metrics = address
                case .failure(let error): log.error(path, "metrics.listen: \(DiagnosticText.quoted(text)) \(error)")
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
            auth.rejectUnknownKeys(known: ["nonce_lifetime", "algorithms"], in: &log)
            if let names = auth.stringArray(
                "algorithms", typeHint: "an array of algorithm names, e.g. [\"SHA-256\", \"MD5\"]", in: &log)
            {
                var algorithms: [DigestAlgorithm] = []
                for name in names {
                    // Case-insensitive like the algorithm= token itself (RFC 7616 §3.3).
                    guard let algorithm = DigestAlgorithm.allCases.first(where: { $0.rawValue.uppercased() == name.uppercased() })
                    else {
                        log.error(path, "auth.algorithms: \"\(name)\" is not a digest algorithm switchd offers (SHA-256, MD5)")
                        continue
                    }
                    if algorithms.contains(algorithm) {
                        log.error(path, "auth.algorithms lists \(algorithm.rawValue) twice")
                    } else {
                        algorithms.append(algorithm)
                    }
                }
                if names.isEmpty {
                    log.error(path, "auth.algorithms must name at least one algorithm, e.g. [\"SHA-256\", \"MD5\"]")
                }
                if !algorithms.isEmpty { settings.challengeAlgorithms = algorithms }
            }
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
