import Foundation
import PlumbCore

/// How `plumb agent` runs (SPEC §7): the stacks it follows and what they share.
public struct AgentConfiguration: Sendable {
    public var stacks: [StackConfiguration]
    public var host: String = "127.0.0.1"
    public var port: Int = 8080
    public var stateDirectory: String = ".plumb"
    /// `--store`: nil or `sqlite:PATH` for this machine's SQLite file, `postgres://…` for a
    /// store shared by agents on several machines.
    public var store: String?
    /// Names this agent in the shared history and in lease records.
    public var agentID: String = "\(ProcessInfo.processInfo.hostName)-\(getpid())"
    /// Stacks reconciled at once; the rest wait their turn.
    public var concurrency: Int = 2
    /// How often leases are renewed, agents counted and free stacks taken. At most
    /// `maximumLeaseInterval`: a lease not renewed for `PostgresLease.validity` is no
    /// longer trusted by its holder.
    public var leaseInterval: Duration = .seconds(5)
    public static let maximumLeaseInterval: Duration = .seconds(5)
    /// `PLUMB_WEBHOOK_SECRET`; webhooks are refused (401) without one.
    public var webhookSecret: String?
    /// Tokens, listeners and limits of the HTTP server (SPEC §8.2).
    public var doors = AgentDoors()
    public var environment: [String: String] = [:]
    /// `--git-connect-timeout`: how long connecting to a git remote may take.
    public var gitConnectTimeout: Duration = .seconds(10)
    /// `--git-stall-timeout`: how long a git remote may send nothing during a fetch.
    public var gitStallTimeout: Duration = .seconds(60)
    /// `--retain`: runs, drift reports, review plans and checkouts older than this are pruned
    /// (what retention keeps regardless: `StoreRetention`).
    public var retention: Duration = AgentConfiguration.defaultRetention
    public static let defaultRetention: Duration = .seconds(30 * 86_400)

    public init(stacks: [StackConfiguration]) {
        self.stacks = stacks
    }

    /// `HOST:PORT` (port 0: any free port), as `--listen` and `listen:` take it.
    public static func listenAddress(_ text: String) -> (host: String, port: Int)? {
        ListenAddress(text).map { ($0.host, $0.port) }
    }

    /// One stack, as `plumb agent --repo … --branch …` describes it.
    public init(repo: String) {
        stacks = [StackConfiguration(repo: repo)]
    }
}

/// One stack an agent follows: a folder of a branch of a repository.
public struct StackConfiguration: Sendable, Hashable {
    /// The stack's name. Nil: what `plumb.yaml` (or the repository's name) says. When set,
    /// `plumb.yaml` may not name another.
    public var name: String?
    /// A path (read in place) or a URL (mirrored under the state directory), never with
    /// user information: that is split off into `repoUserInfo` (SPEC §8.1).
    public var repo: String
    /// The user name and token a configured URL carried: git credentials, never shown.
    public var repoUserInfo: URLUserInfo?
    public var branch: String = "main"
    /// The folder of the repository that holds `Desired/`, `Providers/` and `plumb.yaml`;
    /// empty for the repository's root.
    public var root: String = ""
    public var interval: Duration = .seconds(60)
    public var driftInterval: Duration = .seconds(600)
    public var heal = false
    public var requireReviewedPlan = false
    /// Where commit statuses go (`forge: github:OWNER/REPO`, `--forge`); nil: the repository
    /// URL's forge, else the triggering webhook's (SPEC §8.3).
    public var forge: ForgeRepository?

    public init(repo: String) {
        let split = URLUserInfo.split(repo)
        self.repo = split.url
        if split.user != nil || split.password != nil { repoUserInfo = split }
    }

    /// Whether a forge's repository name (`owner/name`, GitLab's `group/project`) names
    /// this stack's repository URL. A local path or a numeric project id names nothing.
    public func follows(repository: String) -> Bool {
        var url = repo.lowercased()
        while url.hasSuffix("/") { url.removeLast() }
        if url.hasSuffix(".git") { url.removeLast(4) }
        let name = repository.lowercased()
        // Forges name repositories `owner/name`; a bare word is no name to match on.
        guard name.contains("/") else { return false }
        return url.hasSuffix("/" + name) || url.hasSuffix(":" + name)
    }
}
