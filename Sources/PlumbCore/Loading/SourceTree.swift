import Foundation

/// Where a desired-state repository's files come from: a directory, or a commit of a git
/// repository (the git module provides that one). Paths are relative to the repository root
/// and use `/`.
public protocol SourceTree: Sendable {
    /// Names the source in messages: a directory path, or `repo@commit`.
    var label: String { get }
    /// The folder name a stack is named after when `plumb.yaml` names none.
    var defaultStackName: String { get }
    /// Every file below `directory`, recursively, sorted; empty when it does not exist.
    func files(under directory: String) throws -> [String]
    /// The file's bytes, or nil when there is no such file.
    func read(_ path: String) throws -> Data?
    /// An id that changes whenever the file's bytes change (a git blob id), or nil. Loaders
    /// reuse what they parsed for an id they have seen.
    func contentID(_ path: String) -> String?
}

extension SourceTree {
    public func contentID(_ path: String) -> String? { nil }
}

/// A desired-state repository on disk (`--root DIR`).
public struct DirectoryTree: SourceTree {
    public let root: URL

    public init(root: String) {
        self.root = URL(fileURLWithPath: root).standardizedFileURL
    }

    public var label: String { root.path }

    public var defaultStackName: String { root.lastPathComponent }

    public func files(under directory: String) throws -> [String] {
        let base = root.appendingPathComponent(directory)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: base.path, isDirectory: &isDirectory),
            isDirectory.boolValue
        else { return [] }
        guard
            let enumerator = FileManager.default.enumerator(
                at: base, includingPropertiesForKeys: [.isRegularFileKey, .isSymbolicLinkKey], options: [.skipsHiddenFiles])
        else { return [] }
        var result: [String] = []
        let prefix = root.path.hasSuffix("/") ? root.path : root.path + "/"
        for case let url as URL in enumerator {
            let values = try? url.resourceValues(forKeys: [.isRegularFileKey, .isSymbolicLinkKey])
            if values?.isSymbolicLink == true {
                // Linked files are listed (and `read` refuses the ones that leave the root);
                // linked folders are not followed.
                var isDirectory: ObjCBool = false
                guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
            } else if values?.isRegularFile != true {
                continue
            }
            let path = url.standardizedFileURL.path
            if path.hasPrefix(prefix) { result.append(String(path.dropFirst(prefix.count))) }
        }
        return result.sorted()
    }

    public func read(_ path: String) throws -> Data? {
        let url = root.appendingPathComponent(path)
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        // A symbolic link may point anywhere; what it points at must still be inside the
        // root, or a desired-state repository could make Plumb read any file it can.
        let target = url.resolvingSymlinksInPath().path
        let base = root.resolvingSymlinksInPath().path
        guard target == base || target.hasPrefix(base.hasSuffix("/") ? base : base + "/") else {
            throw SourceTreeError.outsideRoot(path: path, target: target)
        }
        return try Data(contentsOf: url)
    }
}

/// Why a file of a source tree cannot be read.
public enum SourceTreeError: Error, Equatable, CustomStringConvertible {
    case outsideRoot(path: String, target: String)

    public var description: String {
        switch self {
        case .outsideRoot(let path, let target):
            return "\(path) is a symbolic link to \(target), outside the repository: refused"
        }
    }
}

/// A repository held in memory as bytes (path → contents): what fuzzing and the hostile-input
/// tests feed the loader, invalid UTF-8 included.
public struct BytesTree: SourceTree {
    public var files: [String: Data]
    public let label: String

    public init(_ files: [String: Data], label: String = "memory") {
        self.files = files
        self.label = label
    }

    public var defaultStackName: String { label }

    public func files(under directory: String) throws -> [String] {
        files.keys.filter { $0.hasPrefix(directory + "/") }.sorted()
    }

    public func read(_ path: String) throws -> Data? { files[path] }
}
