import CLibGit2
import Foundation

/// A git repository opened through libgit2. It owns its handle: nothing outside this module
/// sees a libgit2 pointer, and every object it looks up is freed before the call returns.
///
/// libgit2 objects must not be used from two threads at once, so every operation holds the
/// lock; the class is `@unchecked Sendable` on that basis.
public final class GitRepository: @unchecked Sendable {
    let handle: OpaquePointer
    let lock = NSLock()
    /// Where the repository lives on disk (a work tree's `.git`, or a bare directory).
    public let path: String
    /// Given to the remote when it asks (see `GitCredentials`); empty for a local repository.
    var credentials = GitCredentials()

    private static let initialized: Bool = {
        git_libgit2_init()
        return true
    }()

    private init(handle: OpaquePointer) {
        self.handle = handle
        path = git_repository_path(handle).map { String(cString: $0) } ?? ""
    }

    deinit {
        git_repository_free(handle)
    }

    /// Opens a repository in place: a work tree (or any folder inside it) or a bare one.
    public static func open(path: String) throws -> GitRepository {
        _ = initialized
        var repository: OpaquePointer?
        try GitError.check("open \(path)") { git_repository_open_ext(&repository, path, 0, nil) }
        guard let repository else { throw GitError(code: .notARepository, operation: "open \(path)", message: "no repository") }
        return GitRepository(handle: repository)
    }

    /// A bare mirror of `url` under `directory`, created on first use and fetched on every
    /// call (every ref, including `refs/pull/*`, as the remote has them).
    /// `url` carries no user information: `credentials` are handed over when asked for.
    public static func mirror(
        url: String, into directory: String, options: GitFetchOptions = GitFetchOptions(),
        credentials: GitCredentials = GitCredentials()
    ) throws -> GitRepository {
        let repository = try openMirror(url: url, into: directory, credentials: credentials)
        try repository.fetch(options: options)
        return repository
    }

    /// The bare mirror of `url` under `directory`, created (empty) when missing; not fetched.
    /// An existing mirror's remote is set to `url`, so one made with a token in its URL loses it.
    public static func openMirror(url: String, into directory: String, credentials: GitCredentials = GitCredentials()) throws -> GitRepository {
        _ = initialized
        let repository: GitRepository
        if FileManager.default.fileExists(atPath: (directory as NSString).appendingPathComponent("HEAD")) {
            repository = try open(path: directory)
            try GitError.check("set the remote's URL") { git_remote_set_url(repository.handle, "origin", url) }
        } else {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            var handle: OpaquePointer?
            try GitError.check("init mirror \(directory)") { git_repository_init(&handle, directory, 1) }
            guard let handle else { throw GitError(code: .other(-1), operation: "init mirror", message: "no repository") }
            repository = GitRepository(handle: handle)
            var remote: OpaquePointer?
            try GitError.check("add remote \(url)") {
                git_remote_create_with_fetchspec(&remote, handle, "origin", url, "+refs/*:refs/*")
            }
            git_remote_free(remote)
        }
        repository.credentials = credentials
        return repository
    }

    func locked<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }
}
