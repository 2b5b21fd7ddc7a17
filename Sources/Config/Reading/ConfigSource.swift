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
            if count == bytes.count { bytes.append(contentsOf: repeatElement(0, count: min(bytes.count, maximumSize + 1 - count))) }
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
            if let first = path.dropFirst(prefix.count).split(separator: "/", omittingEmptySubsequences: false).first, !first.isEmpty {
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
