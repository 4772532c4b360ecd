import CLibGit2
import Foundation

/// A commit's identity and provenance.
public struct GitCommit: Sendable, Hashable {
    /// The full 40-hex id.
    public var id: String
    public var author: String
    public var email: String
    public var subject: String
}

extension GitRepository {
    /// The commit a ref names: a branch, tag, commit id, `refs/pull/N/head`, `HEAD~2`…
    public func resolve(_ ref: String) throws -> GitCommit {
        try locked {
            var object: OpaquePointer?
            // Branches of a mirror live in refs/heads; a bare name falls back to it.
            let result = git_revparse_single(&object, handle, ref)
            guard result >= 0, let object else {
                let error = GitError.last(result, "resolve \(ref)")
                throw GitError(code: .notFound, operation: "resolve \(ref)", message: "no branch, tag or commit named '\(ref)' (\(error.message))")
            }
            defer { git_object_free(object) }
            var peeled: OpaquePointer?
            try GitError.check("resolve \(ref) to a commit") { git_object_peel(&peeled, object, GIT_OBJECT_COMMIT) }
            defer { git_object_free(peeled) }
            guard let oid = git_object_id(peeled) else { throw GitError(code: .notFound, operation: "resolve \(ref)", message: "no commit") }
            return try commit(oid)
        }
    }

    /// Must be called with the lock held.
    private func commit(_ oid: UnsafePointer<git_oid>) throws -> GitCommit {
        var commit: OpaquePointer?
        try GitError.check("read commit") { git_commit_lookup(&commit, handle, oid) }
        defer { git_commit_free(commit) }
        let author = git_commit_author(commit)
        return GitCommit(
            id: Self.hex(oid),
            author: author?.pointee.name.map { String(cString: $0) } ?? "",
            email: author?.pointee.email.map { String(cString: $0) } ?? "",
            subject: git_commit_summary(commit).map { String(cString: $0) } ?? "")
    }

    /// Every blob in the commit's tree: path → blob id and whether it is executable. One
    /// walk of the tree.
    public func files(at commitID: String) throws -> [String: GitBlobEntry] {
        try locked {
            var oid = try Self.oid(commitID)
            var commit: OpaquePointer?
            try GitError.check("read commit \(commitID.prefix(12))") { git_commit_lookup(&commit, handle, &oid) }
            defer { git_commit_free(commit) }
            var tree: OpaquePointer?
            try GitError.check("read tree of \(commitID.prefix(12))") { git_commit_tree(&tree, commit) }
            defer { git_tree_free(tree) }
            let collector = FileCollector()
            let payload = Unmanaged.passUnretained(collector).toOpaque()
            try GitError.check("walk tree of \(commitID.prefix(12))") {
                git_tree_walk(
                    tree, GIT_TREEWALK_PRE,
                    { root, entry, payload in
                        guard let entry, let payload, git_tree_entry_type(entry) == GIT_OBJECT_BLOB else { return 0 }
                        let collector = Unmanaged<FileCollector>.fromOpaque(payload).takeUnretainedValue()
                        let name = String(cString: git_tree_entry_name(entry))
                        let prefix = root.map { String(cString: $0) } ?? ""
                        let executable = git_tree_entry_filemode(entry) == GIT_FILEMODE_BLOB_EXECUTABLE
                        collector.files[prefix + name] = GitBlobEntry(id: GitRepository.hex(git_tree_entry_id(entry)), executable: executable)
                        return 0
                    }, payload)
            }
            return collector.files
        }
    }

    /// A blob's bytes.
    public func blob(_ id: String) throws -> Data {
        try locked {
            var oid = try Self.oid(id)
            var blob: OpaquePointer?
            try GitError.check("read blob \(id.prefix(12))") { git_blob_lookup(&blob, handle, &oid) }
            defer { git_blob_free(blob) }
            let size = Int(git_blob_rawsize(blob))
            guard size > 0, let bytes = git_blob_rawcontent(blob) else { return Data() }
            return Data(bytes: bytes, count: size)
        }
    }

    /// The best common ancestor of two commits.
    public func mergeBase(_ one: String, _ two: String) throws -> String {
        try locked {
            var a = try Self.oid(one)
            var b = try Self.oid(two)
            var out = git_oid()
            try GitError.check("merge base of \(one.prefix(12)) and \(two.prefix(12))") { git_merge_base(&out, handle, &a, &b) }
            return Self.hex(&out)
        }
    }

    static func oid(_ hex: String) throws -> git_oid {
        var oid = git_oid()
        try GitError.check("parse commit id \(hex)") { git_oid_fromstr(&oid, hex) }
        return oid
    }

    static func hex(_ oid: UnsafePointer<git_oid>?) -> String {
        guard let oid, let text = git_oid_tostr_s(oid) else { return "" }
        return String(cString: text)
    }
}

/// Gathers paths during `git_tree_walk`, whose callback is a C function.
private final class FileCollector {
    var files: [String: GitBlobEntry] = [:]
}

/// A file of a commit's tree.
public struct GitBlobEntry: Sendable, Hashable {
    public var id: String
    public var executable: Bool
}

extension GitRepository {
    /// Paths that differ between two commits' trees (both sides of a rename, as a delete and
    /// an add).
    public func changedPaths(from old: String, to new: String) throws -> Set<String> {
        try locked {
            var oldOID = try Self.oid(old)
            var newOID = try Self.oid(new)
            var oldCommit: OpaquePointer?
            var newCommit: OpaquePointer?
            try GitError.check("read commit \(old.prefix(12))") { git_commit_lookup(&oldCommit, handle, &oldOID) }
            defer { git_commit_free(oldCommit) }
            try GitError.check("read commit \(new.prefix(12))") { git_commit_lookup(&newCommit, handle, &newOID) }
            defer { git_commit_free(newCommit) }
            var oldTree: OpaquePointer?
            var newTree: OpaquePointer?
            try GitError.check("read tree of \(old.prefix(12))") { git_commit_tree(&oldTree, oldCommit) }
            defer { git_tree_free(oldTree) }
            try GitError.check("read tree of \(new.prefix(12))") { git_commit_tree(&newTree, newCommit) }
            defer { git_tree_free(newTree) }
            var diff: OpaquePointer?
            try GitError.check("diff \(old.prefix(12))..\(new.prefix(12))") { git_diff_tree_to_tree(&diff, handle, oldTree, newTree, nil) }
            defer { git_diff_free(diff) }
            var paths: Set<String> = []
            for index in 0..<git_diff_num_deltas(diff) {
                guard let delta = git_diff_get_delta(diff, index) else { continue }
                if let path = delta.pointee.old_file.path { paths.insert(String(cString: path)) }
                if let path = delta.pointee.new_file.path { paths.insert(String(cString: path)) }
            }
            return paths
        }
    }
}
