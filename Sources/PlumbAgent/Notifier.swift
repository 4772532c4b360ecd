import Foundation
import Logging
import PlumbCore
import PlumbHTTP
import PlumbWebhooks

/// Review plans as one pull-request comment (created, then updated in place). Commit
/// statuses and chat notifications are `Feedback`'s.
///
/// Configured from the environment: `PLUMB_GITHUB_TOKEN` (+ `PLUMB_GITHUB_API_URL`, default
/// https://api.github.com), `PLUMB_GITEA_TOKEN` + `PLUMB_GITEA_API_URL`, `PLUMB_GITLAB_TOKEN`
/// (+ `PLUMB_GITLAB_API_URL`, default https://gitlab.com/api/v4).
struct Notifier: Sendable {
    let http = HTTPClient(maxConcurrent: 2)
    let environment: [String: String]
    let logger: Logger

    init(environment: [String: String], logger: Logger) {
        self.environment = environment
        self.logger = logger
    }

    /// Posts or updates the comment marked with `recordID` (one per stack when the agent
    /// follows several in one repository).
    func postReview(source: WebhookEvent.Source, repository: String, number: String, recordID: String, markdown: String) async {
        guard let forge = commentAPI(source: source, repository: repository, number: number) else { return }
        do {
            let marker = Self.reviewMarker(recordID)
            let existing = try await findComment(url: forge.list, auth: forge.auth, authHeader: forge.authHeader, marker: marker, bodyKey: "body")
            let body = try JSONSerialization.data(withJSONObject: ["body": markdown])
            if let id = existing {
                try await send(forge.updateMethod, forge.comment(id), auth: forge.auth, authHeader: forge.authHeader, body: body)
            } else {
                try await send("POST", forge.list, auth: forge.auth, authHeader: forge.authHeader, body: body)
            }
        } catch {
            logger.error("could not post the review plan", metadata: ["request": "\(number)", "error": "\(error)"])
        }
    }

    /// Where a forge keeps a pull request's comments and how to authenticate there; nil
    /// when no token is configured for it.
    private struct CommentAPI {
        var list: String
        var comment: (Int) -> String
        var updateMethod: String
        var auth: String
        var authHeader: String
    }

    private func commentAPI(source: WebhookEvent.Source, repository: String, number: String) -> CommentAPI? {
        switch source {
        case .github, .gitea:
            let tokenKey = source == .github ? "PLUMB_GITHUB_TOKEN" : "PLUMB_GITEA_TOKEN"
            let api =
                environment[source == .github ? "PLUMB_GITHUB_API_URL" : "PLUMB_GITEA_API_URL"]
                ?? (source == .github ? "https://api.github.com" : nil)
            guard let token = environment[tokenKey], let api else { return nil }
            return CommentAPI(
                list: "\(api)/repos/\(repository)/issues/\(number)/comments",
                comment: { "\(api)/repos/\(repository)/issues/comments/\($0)" }, updateMethod: "PATCH",
                auth: source == .github ? "Bearer \(token)" : "token \(token)", authHeader: "Authorization")
        case .gitlab:
            guard let token = environment["PLUMB_GITLAB_TOKEN"] else { return nil }
            let api = environment["PLUMB_GITLAB_API_URL"] ?? "https://gitlab.com/api/v4"
            let notes = "\(api)/projects/\(repository)/merge_requests/\(number)/notes"
            return CommentAPI(list: notes, comment: { "\(notes)/\($0)" }, updateMethod: "PUT", auth: token, authHeader: "PRIVATE-TOKEN")
        }
    }

    /// Marks a review plan's comment, so later events edit it instead of adding another.
    static func reviewMarker(_ id: String) -> String { "<!-- plumb:review \(id) -->" }

    private func findComment(url: String, auth: String, authHeader: String, marker: String, bodyKey: String) async throws -> Int? {
        let response = try await http.send(HTTPRequest(url: url + "?per_page=100", headers: headers(auth, authHeader), timeout: .seconds(15)))
        guard response.isSuccess, let comments = try JSONSerialization.jsonObject(with: response.body) as? [[String: Any]] else { return nil }
        return comments.first { ($0[bodyKey] as? String)?.contains(marker) == true }?["id"] as? Int
    }

    private func send(_ method: String, _ url: String, auth: String, authHeader: String, body: Data) async throws {
        var headers = headers(auth, authHeader)
        headers.append((name: "Content-Type", value: "application/json"))
        let response = try await http.send(HTTPRequest(method: method, url: url, headers: headers, body: body, timeout: .seconds(15)))
        guard response.isSuccess else {
            throw NotifyError(description: "\(method) \(url): HTTP \(response.status)")
        }
    }

    private func headers(_ auth: String, _ name: String) -> [(name: String, value: String)] {
        [(name: name, value: auth), (name: "Accept", value: "application/json"), (name: "User-Agent", value: "plumb-agent")]
    }

    struct NotifyError: Error, CustomStringConvertible {
        var description: String
    }
}
