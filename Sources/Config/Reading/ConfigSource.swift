import Foundation
import Glibc

/// Where the files of a configuration directory come from. The loader only lists folders and reads
/// files through this, so that a test or the fuzzer can hand it file contents from memory instead of a
/// disk, and so that every way a read can fail is one of these answers, never an exception.
public protocol ConfigSource: Sendable {
    /// The directory's name as diagnostics print it (`conf`), without a trailing slash.
    var displayName: String { get }
    /// What is at `relativePath` ("" is the directory itself; "customers/acme.toml").
    func entry(at relativePath: String) -> ConfigEntry
    /// The names in a folder, or nil when it is not a readable folder.
    func names(inFolder relativePath: String) -> [String]?
    /// A file's bytes, reading no more than `maximumSize` + 1 of them: a larger file is refused without
    /// being read whole (a symbolic link to /dev/zero would never end).
    func read(file relativePath: String, maximumSize: Int) -> FileRead
}

public enum ConfigEntry: Sendable, Equatable {
    case missing
    /// A regular file (or a symbolic link to one).
    case file
    case folder
    /// Neither: a FIFO, a device or a socket. Reading one could block a reload for ever.
    case special
}

public enum FileRead: Sendable, Equatable {
    case contents([UInt8])
    /// Larger than the maximum asked for; `size` when it is known.
    case tooLarge(size: Int?)
    /// Why it could not be read (the system's words, e.g. "Permission denied").
    case unreadable(String)
}

/// A configuration directory on disk.
public struct DirectorySource: ConfigSource {
    public let displayName: String

    public init(path: String) {
        var name = path
        while name.count > 1, name.hasSuffix("/") { name.removeLast() }
        displayName = name
    }

    private func absolute(_ relativePath: String) -> String {
        relativePath.isEmpty ? displayName : "\(displayName)/\(relativePath)"
    }

    public func entry(at relativePath: String) -> ConfigEntry {
        var status = stat()
        // stat, not lstat: a symbolic link counts as what it points to; a dangling one is missing.
        guard stat(absolute(relativePath), &status) == 0 else { return .missing }
        switch status.st_mode & S_IFMT {
        case S_IFDIR: return .folder
        case S_IFREG: return .file
        default: return .special
        }
    }

    public func names(inFolder relativePath: String) -> [String]? {
        try? FileManager.default.contentsOfDirectory(atPath: absolute(relativePath))
    }

    public func read(file relativePath: String, maximumSize: Int) -> FileRead {
        // O_NONBLOCK: should the file have become a FIFO since `entry` looked, opening it must not wait
        // for a writer. O_CLOEXEC: the daemon starts no programs, but a descriptor must never leak into one.
        let descriptor = open(absolute(relativePath), O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard descriptor >= 0 else { return .unreadable(String(cString: strerror(errno))) }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { return .unreadable(String(cString: strerror(errno))) }
        guard status.st_mode & S_IFMT == S_IFREG else { return .unreadable("not a regular file") }
        if Int(status.st_size) > maximumSize { return .tooLarge(size: Int(status.st_size)) }
        // Room for what fstat says plus one byte, to notice a file that grew; more only if it did.
        var bytes = [UInt8](repeating: 0, count: max(0, Int(status.st_size)) + 1)
        var count = 0
        while count <= maximumSize {
            if count == bytes.count {
                bytes.append(contentsOf: repeatElement(0, count: min(bytes.count, maximumSize + 1 - count)))
            }
            let got = bytes.withUnsafeMutableBytes { buffer -> Int in
                guard let base = buffer.baseAddress else { return 0 }
                return Glibc.read(descriptor, base + count, buffer.count - count)
            }
            if got == 0 { break }
            if got < 0 {
                if errno == EINTR { continue }
                return .unreadable(String(cString: strerror(errno)))
            }
            count += got
        }
        // The file grew past the maximum between fstat and read.
        if count > maximumSize { return .tooLarge(size: nil) }
        bytes.removeSubrange(count...)
        return .contents(bytes)
    }
}

/// A configuration directory held in memory: relative path → file contents. Folders exist when a file
/// lies inside them or when they are listed in `folders` (an empty `customers/`, or a folder where a
/// file should be).
public struct InMemorySource: ConfigSource {
    public let displayName: String
    public var files: [String: [UInt8]]
    public var folders: Set<String>

    public init(displayName: String = "conf", files: [String: [UInt8]], folders: Set<String> = []) {
        self.displayName = displayName
        self.files = files
        self.folders = folders
    }

    public func entry(at relativePath: String) -> ConfigEntry {
        if relativePath.isEmpty || folders.contains(relativePath) { return .folder }
        if files[relativePath] != nil { return .file }
        let prefix = relativePath + "/"
        return files.keys.contains { $0.hasPrefix(prefix) } || folders.contains { $0.hasPrefix(prefix) } ? .folder : .missing
    }

    public func names(inFolder relativePath: String) -> [String]? {
        guard entry(at: relativePath) == .folder else { return nil }
        let prefix = relativePath.isEmpty ? "" : relativePath + "/"
        var names = Set<String>()
        for path in Array(files.keys) + Array(folders) where path.hasPrefix(prefix) && path.count > prefix.count {
            if let first = path.dropFirst(prefix.count).split(separator: "/", omittingEmptySubsequences: false).first,
                !first.isEmpty
            {
                names.insert(String(first))
            }
        }
        return Array(names)
    }

    public func read(file relativePath: String, maximumSize: Int) -> FileRead {
        guard let bytes = files[relativePath] else { return .unreadable("No such file or directory") }
        return bytes.count > maximumSize ? .tooLarge(size: bytes.count) : .contents(bytes)
    }
}

extension InMemorySource {
    /// The files of the config fuzzer's inputs, in the order they appear in one input.
    package static let fuzzLayout = [
        "switchd.toml", "groups/harbor.toml", "customers/acme.toml", "customers/globex.toml", "customers/umbrella.toml",
        // Last, so that seeds written before it existed still mean the same files.
        "numbering.toml",
    ]
    /// Separates the files in one input: ASCII RS, a control character no valid TOML file holds, and a
    /// single byte, which libFuzzer inserts and removes easily.
    package static let fuzzSeparator: UInt8 = 0x1E

    /// A small configuration directory from one fuzz input, for Sources/ConfigFuzz and the test that
    /// replays its findings (one definition, so both read an input alike): the bytes split at
    /// `fuzzSeparator` give the files of `fuzzLayout` in turn (missing parts: no file). A part that is
    /// exactly "-" leaves its file out, one that is exactly "/" puts a folder in its place, so that
    /// absent and misplaced files are reached as well as every content. groups/harbor.toml is the
    /// group the sample's acme and globex name, so the sample conf's files are valid seeds.
    package init(fuzzInput bytes: [UInt8]) {
        var files: [String: [UInt8]] = [:]
        var folders: Set<String> = []
        let parts = bytes.split(
            separator: Self.fuzzSeparator, maxSplits: Self.fuzzLayout.count - 1, omittingEmptySubsequences: false)
        for (path, part) in zip(Self.fuzzLayout, parts) {
            switch Array(part) {
            case [0x2D]: continue
            case [0x2F]: folders.insert(path)
            default: files[path] = Array(part)
            }
        }
        self.init(displayName: "conf", files: files, folders: folders)
    }

    /// The inverse of `init(fuzzInput:)` for files of `fuzzLayout` (seeds are written with it).
    package static func fuzzInput(_ files: [String: String]) -> [UInt8] {
        var bytes: [UInt8] = []
        for (index, path) in fuzzLayout.enumerated() {
            if index > 0 { bytes.append(fuzzSeparator) }
            bytes += files[path].map { Array($0.utf8) } ?? [0x2D]
        }
        return bytes
    }
}
