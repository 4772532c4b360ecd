import Foundation

/// What a webhook says, whatever the forge.
public enum WebhookEvent: Sendable, Equatable {
    case ping
    /// A branch moved. `repository` is the forge's `owner/name` (GitLab: the project's path),
    /// so an agent following several repositories triggers only the stacks of this one.
    case push(branch: String, after: String?, repository: String? = nil)
    /// A pull or merge request opened or updated: its review plan is due. `repository` is
    /// the forge's name for the repository (`owner/name`, or GitLab's project id), for
    /// posting the plan as a comment.
    case review(id: String, head: String?, headBranch: String?, baseBranch: String, repository: String? = nil)
    /// A pull or merge request merged: the branch moved.
    case merged(id: String, baseBranch: String)
    case ignored(String)

    public enum Source: String, Sendable {
        case github, gitlab, gitea
    }

    public struct Malformed: Error, CustomStringConvertible {
        public var description: String
    }

    /// Parses a verified body. Throws `Malformed` when the body is not the JSON the event
    /// type promises.
    public static func parse(source: Source, event: String, body: [UInt8]) throws -> WebhookEvent {
        guard let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] else {
            throw Malformed(description: "the body is not a JSON object")
        }
        switch source {
        case .github, .gitea: return try parseGitHubStyle(event: event, object)
        case .gitlab: return try parseGitLab(event: event, object)
        }
    }

    private static func parseGitHubStyle(event: String, _ object: [String: Any]) throws -> WebhookEvent {
        switch event {
        case "ping": return .ping
        case "push":
            return try push(object, repository: (object["repository"] as? [String: Any])?["full_name"] as? String)
        case "pull_request":
            guard let action = object["action"] as? String,
                let request = object["pull_request"] as? [String: Any],
                let number = (object["number"] as? Int) ?? (request["number"] as? Int),
                let base = (request["base"] as? [String: Any])?["ref"] as? String
            else { throw Malformed(description: "pull_request without action, number or base") }
            let head = request["head"] as? [String: Any]
            switch action {
            case "opened", "synchronize", "reopened", "edited", "synchronized":
                let repository = (object["repository"] as? [String: Any])?["full_name"] as? String
                return .review(
                    id: String(number), head: head?["sha"] as? String, headBranch: head?["ref"] as? String, baseBranch: base, repository: repository)
            case "closed" where request["merged"] as? Bool == true:
                return .merged(id: String(number), baseBranch: base)
            default:
                return .ignored("pull_request \(action)")
            }
        default:
            return .ignored("event \(event)")
        }
    }

    /// A push, as every forge words it: `ref`, `after`; only branches count.
    private static func push(_ object: [String: Any], repository: String?) throws -> WebhookEvent {
        guard let ref = object["ref"] as? String else { throw Malformed(description: "push without ref") }
        guard ref.hasPrefix("refs/heads/") else { return .ignored("push to \(ref)") }
        return .push(branch: String(ref.dropFirst("refs/heads/".count)), after: object["after"] as? String, repository: repository)
    }

    private static func parseGitLab(event: String, _ object: [String: Any]) throws -> WebhookEvent {
        switch event {
        case "Push Hook":
            return try push(object, repository: (object["project"] as? [String: Any])?["path_with_namespace"] as? String)
        case "Merge Request Hook":
            guard let attributes = object["object_attributes"] as? [String: Any],
                let iid = attributes["iid"] as? Int,
                let target = attributes["target_branch"] as? String
            else { throw Malformed(description: "merge request without object_attributes.iid or target_branch") }
            let action = attributes["action"] as? String ?? ""
            switch action {
            case "open", "update", "reopen":
                let head = (attributes["last_commit"] as? [String: Any])?["id"] as? String
                let project = ((object["project"] as? [String: Any])?["id"] as? Int).map(String.init)
                return .review(
                    id: String(iid), head: head, headBranch: attributes["source_branch"] as? String, baseBranch: target, repository: project)
            case "merge":
                return .merged(id: String(iid), baseBranch: target)
            default:
                return .ignored("merge request \(action)")
            }
        case "System Hook", "Test Hook":
            return .ping
        default:
            return .ignored("event \(event)")
        }
    }
}
