import Foundation
import PlumbCore
import Yams

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
/// Errors name the file, line and column.
public enum AgentConfigurationFile {
    public struct Invalid: Error, CustomStringConvertible {
        public var description: String
    }

    static let topKeys = ["listen", "webhook_listen", "public_read", "state", "store", "agent_id", "concurrency", "lease_interval", "stacks",
                          "git_connect_timeout", "git_stall_timeout", "retain"]
    static let stackKeys = ["name", "repo", "branch", "root", "interval", "drift_interval", "heal", "require_reviewed_plan", "forge"]

    public static func load(path: String) throws -> AgentConfiguration {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw Invalid(description: "\(path): cannot read the agent configuration")
        }
        return try parse(text, file: path)
    }

    public static func parse(_ text: String, file: String) throws -> AgentConfiguration {
        let reader = Reader(file: file)
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: text, .basic) else {
                throw Invalid(description: "\(file): empty; it needs at least `stacks:`")
            }
            root = node
        } catch let error as YamlError {
            // Yams quotes the offending line, which may be the store URL with its password:
            // only the position and the problem are told.
            switch error {
            case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _), .composer(_, let problem, let mark, _):
                throw Invalid(description: "\(file):\(mark.line):\(mark.column): not valid YAML: \(problem)")
            default:
                throw Invalid(description: "\(file): not valid YAML")
            }
        }
        var configuration = AgentConfiguration(stacks: [])
        var names: Set<String> = []
        for (key, value) in try reader.mapping(root, allowed: topKeys, what: "the agent configuration") {
            switch key {
            case "listen": (configuration.host, configuration.port) = try reader.listen(value)
            case "webhook_listen":
                let (host, port) = try reader.listen(value)
                configuration.doors.webhookListen = ListenAddress(host: host, port: port)
            case "public_read": configuration.doors.publicRead = try reader.bool(value, key)
            case "state": configuration.stateDirectory = try reader.string(value, key)
            case "store": configuration.store = try reader.string(value, key)
            case "agent_id": configuration.agentID = try reader.string(value, key)
            case "concurrency": configuration.concurrency = try reader.int(value, key, range: 1...64)
            case "lease_interval":
                configuration.leaseInterval = try reader.duration(value, key)
                guard configuration.leaseInterval <= AgentConfiguration.maximumLeaseInterval else {
                    throw reader.error(value, "lease_interval may be at most 5s: a lease unconfirmed for 10 s is given up")
                }
            case "git_connect_timeout": configuration.gitConnectTimeout = try reader.duration(value, key)
            case "git_stall_timeout": configuration.gitStallTimeout = try reader.duration(value, key)
            case "retain": configuration.retention = try reader.duration(value, key)
            default:
                guard case .sequence(let items) = value, !items.isEmpty else {
                    throw reader.error(value, "stacks must be a list of at least one stack")
                }
                for item in items {
                    let stack = try reader.stack(item)
                    guard let name = stack.name else { throw reader.error(item, "every stack needs a name") }
                    guard names.insert(name).inserted else { throw reader.error(item, "two stacks are named \(name)") }
                    configuration.stacks.append(stack)
                }
            }
        }
        guard !configuration.stacks.isEmpty else { throw reader.error(root, "the agent configuration needs `stacks:`") }
        return configuration
    }

    struct Reader {
        let file: String

        func error(_ node: Node, _ message: String) -> Invalid {
            Invalid(description: "\(file):\(node.mark?.line ?? 1):\(node.mark?.column ?? 1): \(message)")
        }

        func mapping(_ node: Node, allowed: [String], what: String) throws -> [(String, Node)] {
            guard case .mapping(let mapping) = node else { throw error(node, "\(what) must be a mapping") }
            return try mapping.map { key, value in
                guard let name = key.string, allowed.contains(name) else {
                    throw error(key, "unknown key '\(key.string ?? "?")' in \(what); known: \(allowed.joined(separator: ", "))")
                }
                return (name, value)
            }
        }

        func string(_ node: Node, _ key: String) throws -> String {
            guard case .scalar(let scalar) = node, !scalar.string.isEmpty,
                  scalar.style != .plain || !["~", "null", "Null", "NULL"].contains(scalar.string)
            else { throw error(node, "\(key) must be a non-empty string") }
            return scalar.string
        }

        func int(_ node: Node, _ key: String, range: ClosedRange<Int>) throws -> Int {
            guard let value = Int(try string(node, key)), range.contains(value) else {
                throw error(node, "\(key) must be a whole number from \(range.lowerBound) to \(range.upperBound)")
            }
            return value
        }

        func bool(_ node: Node, _ key: String) throws -> Bool {
            switch try string(node, key) {
            case "true": return true
            case "false": return false
            default: throw error(node, "\(key) must be true or false")
            }
        }

        func duration(_ node: Node, _ key: String) throws -> Duration {
            guard let duration = DurationText.parse(try string(node, key)), duration > .zero else {
                throw error(node, "\(key) must be a duration such as 30s, 5m or 1h")
            }
            return duration
        }

        func listen(_ node: Node) throws -> (String, Int) {
            guard let address = AgentConfiguration.listenAddress(try string(node, "listen")) else {
                throw error(node, "listen and webhook_listen take HOST:PORT, e.g. 127.0.0.1:8080")
            }
            return address
        }

        func stack(_ node: Node) throws -> StackConfiguration {
            let entries = try mapping(node, allowed: AgentConfigurationFile.stackKeys, what: "a stack")
            guard let repo = entries.first(where: { $0.0 == "repo" }) else { throw error(node, "a stack needs repo:") }
            var stack = StackConfiguration(repo: try string(repo.1, "repo"))
            for (key, value) in entries {
                switch key {
                case "name":
                    let name = try string(value, key)
                    guard name.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) }) else {
                        throw error(value, "stack name '\(name)' may hold only letters, digits, '-', '_' and '.'")
                    }
                    stack.name = name
                case "branch": stack.branch = try string(value, key)
                case "root":
                    let parts = try string(value, key).split(separator: "/").filter { $0 != "." }
                    guard !parts.contains("..") else { throw error(value, "root must stay inside the repository") }
                    stack.root = parts.joined(separator: "/")
                case "interval": stack.interval = try duration(value, key)
                case "drift_interval": stack.driftInterval = try duration(value, key)
                case "heal": stack.heal = try bool(value, key)
                case "require_reviewed_plan": stack.requireReviewedPlan = try bool(value, key)
                case "forge":
                    guard let forge = ForgeRepository(try string(value, key)) else {
                        throw error(value, "forge takes github:OWNER/REPO, gitlab:GROUP/PROJECT or gitea:OWNER/REPO")
                    }
                    stack.forge = forge
                default: break
                }
            }
            return stack
        }
    }
}
