import Foundation

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
    /// A file's bytes, or nil when it cannot be read.
    func bytes(ofFile relativePath: String) -> [UInt8]?
}

public enum ConfigEntry: Sendable, Equatable {
    case missing
    case file
    case folder
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
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: absolute(relativePath), isDirectory: &isFolder) else { return .missing }
        return isFolder.boolValue ? .folder : .file
    }

    public func names(inFolder relativePath: String) -> [String]? {
        try? FileManager.default.contentsOfDirectory(atPath: absolute(relativePath))
    }

    public func bytes(ofFile relativePath: String) -> [UInt8]? {
        FileManager.default.contents(atPath: absolute(relativePath)).map { [UInt8]($0) }
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

    public func bytes(ofFile relativePath: String) -> [UInt8]? {
        files[relativePath]
    }
}
