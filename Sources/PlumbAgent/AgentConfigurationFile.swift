import Foundation
import PlumbCore

/// Reads an agent configuration file (`plumb agent --config FILE`, Docs/agent.md):
///
/// ```yaml
/// listen: 127.0.0.1:8080
/// webhook_listen: 0.0.0.0:8081   # optional: only /hooks/* and /healthz
/// public_read: false             # serve reads without PLUMB_API_TOKEN off loopback
/// state: /var/lib/plumb
/// store: postgres://plumb@db.internal/plumb
/// concurrency: 2
/// retain: 30d
/// git_connect_timeout: 10s
/// git_stall_timeout: 60s
/// stacks:
///   - name: dns-production
///     repo: https://git.example.com/infra/dns.git
///     branch: main
///     root: production
/// ```
///
/// Read with the loader's `YAMLReader`, so its errors read like every document's
/// (`file:line:column: error: …; hint`) and all of them are told at once. Yams's own words
/// quote the offending line, which may be the store URL with its password: the reader tells
/// only the position and the problem.
public enum AgentConfigurationFile {
    public struct Invalid: Error, CustomStringConvertible {
        public var diagnostics: [Diagnostic]
        public var description: String { DiagnosticsError(diagnostics).description }

        init(_ diagnostics: [Diagnostic]) { self.diagnostics = diagnostics }
        init(file: String, _ message: String) {
            self.init([Diagnostic(.io, at: SourceLocation(file: file, line: 1, column: 1), message)])
        }
    }

    static let topKeys = [
        "listen", "webhook_listen", "public_read", "state", "store", "agent_id", "concurrency", "lease_interval", "stacks",
        "git_connect_timeout", "git_stall_timeout", "retain",
    ]
    static let stackKeys = ["name", "repo", "branch", "root", "interval", "drift_interval", "heal", "require_reviewed_plan", "forge"]

    public static func load(path: String) throws -> AgentConfiguration {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw Invalid(file: path, "cannot read the agent configuration")
        }
        return try parse(text, file: path)
    }

    public static func parse(_ text: String, file: String) throws -> AgentConfiguration {
        let reader = YAMLReader(file: file)
        let documents = reader.documents(text)
        guard let root = documents.first else {
            if reader.diagnostics.isEmpty {
                reader.error(
                    .missingKey, at: SourceLocation(file: file, line: 1, column: 1), "the agent configuration is empty",
                    hint: "it needs at least `stacks:`")
            }
            throw Invalid(reader.diagnostics.items)
        }
        var configuration = AgentConfiguration(stacks: [])
        var names: Set<String> = []
        var sawStacks = false
        for entry in reader.mapping(root, "the agent configuration", allowed: topKeys) ?? [] {
            let (key, value) = (entry.key, entry.value)
            switch key {
            case "listen": if let (host, port) = reader.listen(value, key) { (configuration.host, configuration.port) = (host, port) }
            case "webhook_listen":
                if let (host, port) = reader.listen(value, key) { configuration.doors.webhookListen = ListenAddress(host: host, port: port) }
            case "public_read": if let flag = reader.bool(value, key) { configuration.doors.publicRead = flag }
            case "state": if let state = reader.text(value, key) { configuration.stateDirectory = state }
            case "store": if let store = reader.text(value, key) { configuration.store = store }
            case "agent_id": if let id = reader.text(value, key) { configuration.agentID = id }
            case "concurrency": if let count = reader.int(value, key, range: 1...64) { configuration.concurrency = count }
            case "lease_interval":
                guard let interval = reader.duration(value, key) else { continue }
                guard interval <= AgentConfiguration.maximumLeaseInterval else {
                    reader.error(.invalidValue, value, "lease_interval may be at most 5s", hint: "a lease unconfirmed for 10 s is given up")
                    continue
                }
                configuration.leaseInterval = interval
            case "git_connect_timeout": if let timeout = reader.duration(value, key) { configuration.gitConnectTimeout = timeout }
            case "git_stall_timeout": if let timeout = reader.duration(value, key) { configuration.gitStallTimeout = timeout }
            case "retain": if let window = reader.duration(value, key) { configuration.retention = window }
            default:
                sawStacks = true
                guard case .sequence(let items, _) = value, !items.isEmpty else {
                    reader.error(.wrongType, value, "stacks must be a list of at least one stack")
                    continue
                }
                for item in items {
                    guard let stack = reader.stack(item) else { continue }
                    guard let name = stack.name else {
                        reader.error(.missingKey, item, "every stack needs a name")
                        continue
                    }
                    guard names.insert(name).inserted else {
                        reader.error(.duplicate, item, "two stacks are named \(name)", hint: "give each stack its own name")
                        continue
                    }
                    configuration.stacks.append(stack)
                }
            }
        }
        if !sawStacks, reader.diagnostics.isEmpty {
            reader.error(.missingKey, root, "the agent configuration needs `stacks:`", hint: "list at least one stack with name: and repo:")
        }
        guard reader.diagnostics.isEmpty else { throw Invalid(reader.diagnostics.items) }
        return configuration
    }
}

extension YAMLReader {
    /// A non-empty string that is not YAML's null (`state: ~` is a mistake, not a path).
    fileprivate func text(_ node: YAMLNode, _ key: String) -> String? {
        if let scalar = node.scalar, scalar.style == .plain, ["~", "null", "Null", "NULL"].contains(scalar.text) {
            error(.missingKey, node, "\(key) must be a non-empty string", hint: "remove the key to take the default")
            return nil
        }
        return string(node, key)
    }

    fileprivate func duration(_ node: YAMLNode, _ key: String) -> Duration? {
        guard let text = text(node, key) else { return nil }
        guard let duration = DurationText.parse(text), duration > .zero else {
            error(.invalidValue, node, "\(key) must be a duration such as 30s, 5m or 1h, not '\(text)'")
            return nil
        }
        return duration
    }

    fileprivate func listen(_ node: YAMLNode, _ key: String) -> (String, Int)? {
        guard let text = text(node, key) else { return nil }
        guard let address = AgentConfiguration.listenAddress(text) else {
            error(.invalidValue, node, "\(key) takes HOST:PORT, e.g. 127.0.0.1:8080")
            return nil
        }
        return address
    }

    /// One entry of `stacks:`, or nil after reporting what is wrong with it.
    fileprivate func stack(_ node: YAMLNode) -> StackConfiguration? {
        guard let entries = mapping(node, "a stack", allowed: AgentConfigurationFile.stackKeys) else { return nil }
        guard let repoEntry = entries.first(where: { $0.key == "repo" }) else {
            error(.missingKey, node, "a stack needs repo:", hint: "the repository's URL or path")
            return nil
        }
        guard let repo = text(repoEntry.value, "repo") else { return nil }
        var stack = StackConfiguration(repo: repo)
        var valid = true
        func take<T>(_ value: T?, _ set: (T) -> Void) {
            if let value { set(value) } else { valid = false }
        }
        for entry in entries {
            let (key, value) = (entry.key, entry.value)
            switch key {
            case "name":
                guard let name = text(value, key) else {
                    valid = false
                    continue
                }
                guard name.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) }) else {
                    error(.invalidValue, value, "stack name '\(name)' may hold only letters, digits, '-', '_' and '.'")
                    valid = false
                    continue
                }
                stack.name = name
            case "branch": take(text(value, key)) { stack.branch = $0 }
            case "root":
                guard let root = text(value, key) else {
                    valid = false
                    continue
                }
                let parts = root.split(separator: "/").filter { $0 != "." }
                guard !parts.contains("..") else {
                    error(.invalidValue, value, "root must stay inside the repository")
                    valid = false
                    continue
                }
                stack.root = parts.joined(separator: "/")
            case "interval": take(duration(value, key)) { stack.interval = $0 }
            case "drift_interval": take(duration(value, key)) { stack.driftInterval = $0 }
            case "heal": take(bool(value, key)) { stack.heal = $0 }
            case "require_reviewed_plan": take(bool(value, key)) { stack.requireReviewedPlan = $0 }
            case "forge":
                guard let text = text(value, key) else {
                    valid = false
                    continue
                }
                guard let forge = ForgeRepository(text) else {
                    error(.invalidValue, value, "forge takes github:OWNER/REPO, gitlab:GROUP/PROJECT or gitea:OWNER/REPO")
                    valid = false
                    continue
                }
                stack.forge = forge
            default: break
            }
        }
        return valid ? stack : nil
    }
}
