import HTTPTypes
import PlumbWebhooks

/// What the agent can refuse from a request's head alone, before one byte of its body is
/// read: a webhook without its signature header (or with no secret to check it against),
/// and a `Content-Length` over the limit. A value, so the rules are unit-tested without a
/// socket; `WebhookGate` applies them on the connection.
struct RequestPrecheck: Sendable {
    var secretSet: Bool
    var maxWebhookBody: Int
    /// Bodies of everything but webhooks: the login form is the only other body the agent reads.
    var maxOtherBody = 64 << 10

    struct Refusal: Sendable, Equatable {
        var status: HTTPResponse.Status
        var message: String
        /// The forge, for `plumb_webhooks_total`, when the path was a webhook's.
        var source: String?
        /// The `result` label of `plumb_webhooks_total`.
        var result: String
    }

    /// The header each forge signs (or, for GitLab, authenticates) its deliveries with.
    static func signatureHeader(_ source: WebhookEvent.Source) -> HTTPField.Name? {
        switch source {
        case .github: HTTPField.Name("X-Hub-Signature-256")
        case .gitea: HTTPField.Name("X-Gitea-Signature")
        case .gitlab: HTTPField.Name("X-Gitlab-Token")
        }
    }

    static func webhookSource(path: String) -> WebhookEvent.Source? {
        let bare = path.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        guard bare.hasPrefix("/hooks/") else { return nil }
        return WebhookEvent.Source(rawValue: String(bare.dropFirst(7)))
    }

    func refusal(_ head: HTTPRequest) -> Refusal? {
        let length = head.headerFields[.contentLength].flatMap { Int($0) }
        guard let source = Self.webhookSource(path: head.path ?? ""), head.method == .post else {
            if let length, length > maxOtherBody {
                return Refusal(status: .contentTooLarge, message: "body over \(maxOtherBody) bytes\n", source: nil, result: "too_large")
            }
            return nil
        }
        guard secretSet else {
            return Refusal(status: .unauthorized, message: "webhooks need PLUMB_WEBHOOK_SECRET\n", source: source.rawValue, result: "unauthorized")
        }
        guard let name = Self.signatureHeader(source), let signature = head.headerFields[name], !signature.isEmpty else {
            return Refusal(status: .unauthorized, message: "no signature\n", source: source.rawValue, result: "unauthorized")
        }
        if let length, length > maxWebhookBody {
            return Refusal(status: .contentTooLarge, message: "body over \(maxWebhookBody) bytes\n", source: source.rawValue, result: "too_large")
        }
        return nil
    }
}
