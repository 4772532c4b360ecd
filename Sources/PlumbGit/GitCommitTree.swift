import Foundation
import PlumbCore

/// A desired-state repository read straight from a commit's object database: no work tree.
public struct GitCommitTree: SourceTree {
    public let repository: GitRepository
    public let commit: GitCommit
    /// path → blob id, from one walk of the commit's tree.
    let blobs: [String: GitBlobEntry]
    let name: String
    /// The folder the stack lives in, `""` for the repository's root; paths are relative to it.
    public let root: String

    public init(repository: GitRepository, commit: GitCommit, name: String, root: String = "") throws {
        self.repository = repository
        self.commit = commit
        self.name = name
        self.root = root
        let all = try repository.files(at: commit.id)
        if root.isEmpty {
            blobs = all
        } else {
            let prefix = root + "/"
            var inside: [String: GitBlobEntry] = [:]
            for (path, entry) in all where path.hasPrefix(prefix) { inside[String(path.dropFirst(prefix.count))] = entry }
            blobs = inside
        }
    }

    public var label: String { root.isEmpty ? "\(name)@\(commit.id.prefix(12))" : "\(name)@\(commit.id.prefix(12)):\(root)" }

    /// A path of the repository as this tree sees it, or nil when it lies outside `root`.
    public func relative(_ repositoryPath: String) -> String? {
        guard !root.isEmpty else { return repositoryPath }
        let prefix = root + "/"
        return repositoryPath.hasPrefix(prefix) ? String(repositoryPath.dropFirst(prefix.count)) : nil
    }

    public var defaultStackName: String { name }

    public func files(under directory: String) throws -> [String] {
        let prefix = directory.hasSuffix("/") ? directory : directory + "/"
        return blobs.keys.filter { $0.hasPrefix(prefix) }.sorted()
    }

    public func read(_ path: String) throws -> Data? {
        guard let entry = blobs[path] else { return nil }
        return try repository.blob(entry.id)
    }

    /// The blob id: equal ids mean equal bytes, so a parsed document can be reused.
    public func contentID(_ path: String) -> String? { blobs[path]?.id }

    /// Writes the commit's files into `directory` (once per commit), so command checks can
    /// run in the repository root of exactly the commit being applied.
    public func export(to directory: String) throws {
        let marker = (directory as NSString).appendingPathComponent(".plumb-export-complete")
        if FileManager.default.fileExists(atPath: marker) { return }
        for (path, entry) in blobs {
            let target = (directory as NSString).appendingPathComponent(path)
            try FileManager.default.createDirectory(atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try repository.blob(entry.id).write(to: URL(fileURLWithPath: target))
            if entry.executable {
                try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: target)
            }
        }
        _ = FileManager.default.createFile(atPath: marker, contents: nil)  // without it, the next run exports again
    }
}
