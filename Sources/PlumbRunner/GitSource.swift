import Foundation
import PlumbCore
import PlumbGit
import PlumbStore

/// Reading the desired state from a git commit (`--repo URL_OR_PATH --ref REF`).
public enum GitSource {
    public struct Opened: Sendable {
        public var repository: GitRepository
        public var tree: GitCommitTree
        public var source: PlanSource
        public var commit: CommitInfo
    }

    /// A URL (`file://`, `https://`, `ssh://`, `git@host:`) is mirrored into a bare clone
    /// under `--state/git/` and fetched on use; a local path is read in place.
    public static func open(repo given: String, ref: String, stateDirectory: String) throws -> Opened {
        // The URL as it may be shown and stored: without user information (SPEC §8.1).
        let repo = URLUserInfo.redacted(given)
        let repository = try openRepository(given, stateDirectory: stateDirectory)
        do {
            let commit = try resolve(ref, in: repository)
            let tree = try GitCommitTree(repository: repository, commit: commit, name: name(of: repo))
            return Opened(
                repository: repository, tree: tree,
                source: PlanSource(repo: repo, ref: ref, commit: commit.id),
                commit: CommitInfo(id: commit.id, author: "\(commit.author) <\(commit.email)>", subject: commit.subject))
        } catch let error as GitError {
            throw RunnerError(.git, message: "--repo \(repo) --ref \(ref): \(error.message)")
        }
    }

    /// `HEAD` of a fresh bare mirror may name a branch the remote does not have; then the
    /// usual default branches stand in for it.
    public static func resolve(_ ref: String, in repository: GitRepository) throws -> GitCommit {
        do {
            return try repository.resolve(ref)
        } catch let error as GitError where ref == "HEAD" {
            for fallback in ["main", "master"] {
                if let commit = try? repository.resolve(fallback) { return commit }
            }
            throw error
        }
    }

    /// `repo` may carry user information (`https://user:token@host/…`, or given apart in
    /// `userInfo`): it becomes credentials, and the mirror's folder, remote and every
    /// message use the URL without it. `fetch: false` (the agent) opens or creates the
    /// mirror without touching the network: the agent fetches later, with retries, so an
    /// unreachable remote at start is no exit.
    public static func openRepository(
        _ repo: String, stateDirectory: String, userInfo: URLUserInfo? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment, fetch: Bool = true
    ) throws -> GitRepository {
        let split = URLUserInfo.split(repo)
        let url = split.url
        do {
            if isURL(url) {
                let credentials = GitCredentials(
                    username: environment["PLUMB_GIT_USERNAME"] ?? split.user ?? userInfo?.user,
                    password: environment["PLUMB_GIT_PASSWORD"] ?? split.password ?? userInfo?.password,
                    sshKey: environment["PLUMB_GIT_SSH_KEY"])
                let directory = try mirrorDirectory(url, legacy: [repo, userInfo?.original(url)].compactMap { $0 }, stateDirectory: stateDirectory)
                return fetch
                    ? try GitRepository.mirror(url: url, into: directory, credentials: credentials)
                    : try GitRepository.openMirror(url: url, into: directory, credentials: credentials)
            }
            return try GitRepository.open(path: url)
        } catch let error as GitError {
            throw RunnerError(.git, message: "--repo \(url): \(URLUserInfo.redacted(error.description))")
        }
    }

    /// The mirror's folder, named after the URL without user information. A mirror made
    /// before that rule, named after the whole URL, is moved there.
    static func mirrorDirectory(_ url: String, legacy: [String], stateDirectory: String) throws -> String {
        let directory = (stateDirectory as NSString).appendingPathComponent("git/\(mirrorName(url)).git")
        let files = FileManager.default
        for old in legacy.map({ (stateDirectory as NSString).appendingPathComponent("git/\(mirrorName($0)).git") })
        where old != directory && files.fileExists(atPath: old) && !files.fileExists(atPath: directory) {
            do {
                try files.moveItem(atPath: old, toPath: directory)
            } catch {
                throw RunnerError(message: "cannot move the mirror of \(url) to \(directory): \(error.localizedDescription)")
            }
        }
        return directory
    }

    public static func isURL(_ repo: String) -> Bool {
        repo.contains("://") || (repo.contains("@") && repo.contains(":") && !repo.hasPrefix("/"))
    }

    /// The repository's name: the stack name when `plumb.yaml` names none.
    public static func name(of repo: String) -> String {
        var trimmed = repo
        while trimmed.hasSuffix("/") { trimmed.removeLast() }
        var last = String(trimmed.split(whereSeparator: { $0 == "/" || $0 == ":" }).last ?? "repo")
        if last.hasSuffix(".git") { last.removeLast(4) }
        if last.isEmpty || last == "." {
            last = URL(fileURLWithPath: FileManager.default.currentDirectoryPath).lastPathComponent
        }
        return last
    }

    /// A file-system-safe, stable folder name for a mirror.
    static func mirrorName(_ url: String) -> String {
        let safe = url.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "." ? $0 : "_" }
        return String(String(safe).suffix(100))
    }
}
