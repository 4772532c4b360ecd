import Foundation
import PlumbHTTP
import PlumbWebhooks

/// One commit status (SPEC §8.3), as a value: what to tell the forge about a commit, and the
/// request that tells it in that forge's API.
public struct CommitStatus: Sendable, Hashable {
    public enum State: String, Sendable, Hashable {
        case pending, success, failure, error
    }

    public var repository: ForgeRepository
    public var commit: String
    public var state: State
    /// `plumb/STACK`.
    public var context: String
    /// One line; forges cut long ones (GitHub at 140 characters), so it is cut first.
    public var description: String
    public var targetURL: String?

    public init(repository: ForgeRepository, commit: String, state: State, context: String, description: String, targetURL: String?) {
        self.repository = repository
        self.commit = commit
        self.state = state
        self.context = context
        let line = description.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        self.description = line.count > 140 ? String(line.prefix(139)) + "…" : line
        self.targetURL = targetURL
    }

    /// The state of a finished run's status.
    public static func state(of outcome: AgentEvent.Outcome?) -> State {
        switch outcome {
        case .succeeded?, .unchanged?: .success
        case .failed?, .invalid?, .reverted?, .held?: .failure
        case .error?, nil: .error
        }
    }

    /// The request for this status, or nil when no token is configured for its forge.
    ///
    /// - GitHub: `POST {api}/repos/OWNER/REPO/statuses/SHA`, `Authorization: Bearer`, states
    ///   pending / success / failure / error.
    /// - GitLab: `POST {api}/projects/ID/statuses/SHA` (ID: the project id or its URL-encoded
    ///   path), `PRIVATE-TOKEN`, states pending / running / success / failed / canceled, the
    ///   context in `name`.
    /// - Gitea / Forgejo: `POST {api}/repos/OWNER/REPO/statuses/SHA`, `Authorization: token`,
    ///   states pending / success / error / failure / warning.
    public func request(environment: [String: String]) -> HTTPRequest? {
        var body: [String: String] = ["state": state.rawValue, "description": description]
        if let targetURL { body["target_url"] = targetURL }
        let url: String
        var headers: [(name: String, value: String)] = [
            (name: "Content-Type", value: "application/json"), (name: "User-Agent", value: "plumb-agent"),
        ]
        switch repository.forge {
        case .github:
            guard let token = environment["PLUMB_GITHUB_TOKEN"], !token.isEmpty else { return nil }
            let api = Self.trimmed(environment["PLUMB_GITHUB_API_URL"] ?? "https://api.github.com")
            url = "\(api)/repos/\(repository.path)/statuses/\(commit)"
            headers += [
                (name: "Authorization", value: "Bearer \(token)"), (name: "Accept", value: "application/vnd.github+json"),
                (name: "X-GitHub-Api-Version", value: "2022-11-28"),
            ]
            body["context"] = context
        case .gitlab:
            guard let token = environment["PLUMB_GITLAB_TOKEN"], !token.isEmpty else { return nil }
            let api = Self.trimmed(environment["PLUMB_GITLAB_API_URL"] ?? "https://gitlab.com/api/v4")
            let project =
                repository.path.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~")))
                ?? repository.path
            url = "\(api)/projects/\(project)/statuses/\(commit)"
            headers += [(name: "PRIVATE-TOKEN", value: token), (name: "Accept", value: "application/json")]
            body["name"] = context
            // GitLab has no `failure` or `error` state: both are `failed`.
            if state == .failure || state == .error { body["state"] = "failed" }
        case .gitea:
            guard let token = environment["PLUMB_GITEA_TOKEN"], !token.isEmpty, let apiURL = environment["PLUMB_GITEA_API_URL"] else { return nil }
            url = "\(Self.trimmed(apiURL))/repos/\(repository.path)/statuses/\(commit)"
            headers += [(name: "Authorization", value: "token \(token)"), (name: "Accept", value: "application/json")]
            body["context"] = context
        }
        let data = (try? JSONSerialization.data(withJSONObject: body, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
        return HTTPRequest(method: "POST", url: url, headers: headers, body: data, timeout: .seconds(15))
    }

    private static func trimmed(_ url: String) -> String {
        var url = url
        while url.hasSuffix("/") { url.removeLast() }
        return url
    }
}
