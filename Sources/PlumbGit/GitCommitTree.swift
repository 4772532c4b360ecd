import Foundation
import PlumbCore

/// A desired-state repository read straight from a commit's object database: no work tree.
public struct GitCommitTree: SourceTree {
    public let repository: GitRepository
    public let commit: GitCommit
    /// path → blob id, from one walk of the commit's tree.
    let blobs: [String: GitBlobEntry]
    let name: String

    public init(repository: GitRepository, commit: GitCommit, name: String) throws {
        self.repository = repository
        self.commit = commit
        self.name = name
        blobs = try repository.files(at: commit.id)
    }

    public var label: String { "\(name)@\(commit.id.prefix(12))" }

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
        FileManager.default.createFile(atPath: marker, contents: nil)
    }
}
