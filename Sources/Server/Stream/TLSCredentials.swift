import Config
import NIOSSL
import Synchronization

/// The certificate and key TLS connections are served with. Loaded at start; a reload (`SIGHUP`) loads
/// them again, for connections accepted from then on, and a broken file keeps the old ones serving.
public final class TLSCredentials: Sendable {
    private let current: Mutex<NIOSSLContext>

    init(_ settings: TLSSettings, configDirectory: String) throws(TLSLoadError) {
        current = Mutex(try Self.context(settings, configDirectory: configDirectory))
    }

    var context: NIOSSLContext { current.withLock { $0 } }

    /// Replaces the credentials, or throws and keeps the old ones.
    func reload(_ settings: TLSSettings, configDirectory: String) throws(TLSLoadError) {
        let context = try Self.context(settings, configDirectory: configDirectory)
        current.withLock { $0 = context }
    }

    /// Reads both PEM files and checks that they make a server context (the key must match the
    /// certificate): what `switchd check` runs too.
    public static func validate(_ settings: TLSSettings, configDirectory: String) throws(TLSLoadError) {
        _ = try context(settings, configDirectory: configDirectory)
    }

    static func context(_ settings: TLSSettings, configDirectory: String) throws(TLSLoadError) -> NIOSSLContext {
        let certificatePath = resolve(settings.certificate, in: configDirectory)
        let keyPath = resolve(settings.privateKey, in: configDirectory)
        let chain: [NIOSSLCertificate]
        do {
            chain = try NIOSSLCertificate.fromPEMFile(certificatePath)
        } catch {
            throw TLSLoadError(key: "certificate", path: certificatePath, reason: "is not a readable PEM certificate (\(error))")
        }
        guard !chain.isEmpty else {
            throw TLSLoadError(key: "certificate", path: certificatePath, reason: "holds no PEM certificate")
        }
        let key: NIOSSLPrivateKey
        do {
            key = try NIOSSLPrivateKey(file: keyPath, format: .pem)
        } catch {
            throw TLSLoadError(key: "private_key", path: keyPath, reason: "is not a readable PEM private key (\(error))")
        }
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        configuration.minimumTLSVersion = .tlsv12
        do {
            return try NIOSSLContext(configuration: configuration)
        } catch {
            throw TLSLoadError(key: "private_key", path: keyPath, reason: "does not match the certificate (\(error))")
        }
    }

    /// Relative paths are read from the configuration directory, like the binding store's.
    static func resolve(_ path: String, in directory: String) -> String {
        path.hasPrefix("/") ? path : "\(directory)/\(path)"
    }
}

/// A `[tls]` file that cannot serve: which key, which file, why.
public struct TLSLoadError: Error, Equatable, CustomStringConvertible {
    public let key: String
    public let path: String
    public let reason: String

    public var description: String { path.isEmpty ? "tls: \(reason)" : "tls.\(key): \(path): \(reason)" }

    /// A `tls:` listen address (from `--listen`) without `[tls]` in the conf.
    static let missingSection = TLSLoadError(
        key: "certificate", path: "", reason: "a tls: listen address needs [tls] certificate and private_key in switchd.toml")
}
