/// How `plumb agent` runs (SPEC §7).
public struct AgentConfiguration: Sendable {
    /// The repository to follow: a path (read in place) or a URL (mirrored under `state`).
    public var repo: String
    public var branch: String = "main"
    public var interval: Duration = .seconds(60)
    public var driftInterval: Duration = .seconds(600)
    public var host: String = "127.0.0.1"
    public var port: Int = 8080
    public var stateDirectory: String = ".plumb"
    public var heal = false
    public var requireReviewedPlan = false
    /// `PLUMB_WEBHOOK_SECRET`; webhooks are refused (401) without one.
    public var webhookSecret: String?
    public var environment: [String: String] = [:]

    public init(repo: String) {
        self.repo = repo
    }
}
