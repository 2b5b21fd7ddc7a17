import ArgumentParser
import Dispatch
import Logging
import Routing
import Server

#if canImport(Glibc)
    import Glibc
    import Config
#endif

/// `switchd run`: the SIP daemon, until SIGTERM or SIGINT; SIGHUP reloads the configuration.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Run the SIP redirect server on the configuration directory.")

    @OptionGroup var options: ConfOptions

    @Option(
        name: .customLong("listen"),
        help: ArgumentHelp(
            "Listen on udp:, tcp: or tls:HOST:PORT (repeatable); replaces [server] listen.", valueName: "udp:HOST:PORT"))
    var listen: [String] = []

    @Option(
        name: .customLong("workers"),
        help: ArgumentHelp("Threads draining each listen socket (1-64); replaces [server] workers.", valueName: "N"))
    var workers: Int?

    @Option(
        name: .customLong("metrics-listen"),
        help: ArgumentHelp(
            "Serve /metrics and /health on HOST:PORT, or not at all with \"off\"; replaces [metrics] listen.",
            valueName: "HOST:PORT"))
    var metricsListen: String?

    @Option(name: .customLong("log-level"), help: "trace, debug, info (per-call decisions), notice, warning, error or critical.")
    var logLevel: String = "notice"

    func validate() throws {
        for text in listen {
            if case .failure(let error) = ListenAddress.parse(text) {
                throw ValidationError("--listen \(text) \(error)")
            }
        }
        if let metricsListen, metricsListen != "off", case .failure(let error) = MetricsAddress.parse(metricsListen) {
            throw ValidationError("--metrics-listen \(metricsListen) \(error)")
        }
        if let workers, !ServerSettings.workerRange.contains(workers) {
            let range = ServerSettings.workerRange
            throw ValidationError("--workers must be between \(range.lowerBound) and \(range.upperBound), not \(workers)")
        }
        if Logger.Level(rawValue: logLevel) == nil {
            throw ValidationError("--log-level must be one of \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", "))")
        }
    }

    func run() throws {
        let level = Logger.Level(rawValue: logLevel)!
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "switchd")

        let configuration = try options.load()
        let metrics =
            metricsListen.map { $0 == "off" ? nil : try? MetricsAddress.parse($0).get() } ?? configuration.server.metrics
        let addresses =
            listen.isEmpty
            ? configuration.server.listen
            : listen.compactMap { try? ListenAddress.parse($0).get() }

        let server: SIPServer
        do {
            server = try SIPServer(
                configuration: configuration, configDirectory: options.conf, listen: addresses, workers: workers,
                metrics: metrics, logger: logger)
        } catch {
            // Not only sockets: the workers and the registrar store are checked here too.
            logger.critical("cannot start", metadata: ["error": "\(error)"])
            throw ExitCode.failure
        }
        SignalHandling.install(server: server, logger: logger)
        server.start()
        dispatchMain()
    }
}

/// Signals arrive as Dispatch sources on one serial queue; the default actions are ignored first so
/// that a signal is never delivered the old way.
enum SignalHandling {
    private nonisolated(unsafe) static var sources: [DispatchSourceSignal] = []

    static func install(server: SIPServer, logger: Logger) {
        let queue = DispatchQueue(label: "switchd.signals")
        func on(_ number: Int32, _ action: @escaping @Sendable () -> Void) {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler(handler: action)
            source.resume()
            sources.append(source)
        }
        on(SIGHUP) {
            logger.notice("SIGHUP: reloading the configuration")
            server.reload()
        }
        on(SIGUSR1) { server.reopenDecisionLog() }
        for number in [SIGTERM, SIGINT] {
            on(number) {
                server.stop()
                exit(0)
            }
        }
    }
}
