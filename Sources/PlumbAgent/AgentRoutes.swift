import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import PlumbCore
import PlumbStore
import PlumbWebhooks

/// The agent's HTTP endpoints (SPEC §7).
struct AgentRoutes {
    let reconcilers: [Reconciler]
    let keeper: LeaseKeeper
    let store: any StateStore
    let metrics: AgentMetrics
    let configuration: AgentConfiguration
    let deliveries = DeliveryLog()
    let logger: Logger
    let notifier: Notifier
    let bus: EventBus
    let origins: WebhookOrigins
    static let maxBody = 1 << 20

    func router() -> Router<BasicRequestContext> {
        let router = Router()
        // 503 while the store does not answer or failed its integrity check: the agent can
        // record nothing, so a supervisor or load balancer should know.
        router.get("healthz") { _, _ in
            await keeper.health.available ? text(.ok, "ok\n") : text(.serviceUnavailable, "store unavailable\n")
        }
        router.get("metrics") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4"], body: .init(byteBuffer: ByteBuffer(string: metrics.text())))
        }
        router.get("events") { request, _ in events(request) }
        router.get("status") { _, _ in try json(await status()) }
        router.get("runs") { _, _ in try json(try await store.runs(limit: 100)) }
        router.get("runs/:id") { request, context in
            guard let id = context.parameters.get("id").flatMap(Int64.init), let run = try await store.run(id) else {
                return Response(status: .notFound, body: .init(byteBuffer: ByteBuffer(string: "no such run\n")))
            }
            if Self.wantsHTML(request) { return html(RunPage.render(run)) }
            return try json(run)
        }
        router.get("plans/:id") { _, context in
            guard let id = context.parameters.get("id"), let markdown = try await reviewMarkdown(id) else {
                return Response(status: .notFound, body: .init(byteBuffer: ByteBuffer(string: "no review plan with that id yet\n")))
            }
            return Response(status: .ok, headers: [.contentType: "text/markdown; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: markdown)))
        }
        router.get("/") { _, _ in
            // A store that cannot list runs or drift still gets its page, red, saying why.
            let status = await status()
            var drift: [String: DriftReport] = [:]
            for name in status.stacks.compactMap(\.stack) { drift[name] = try? await store.latestDrift(stack: name) }
            return html(StatusPage.render(status: status, runs: (try? await store.runs(limit: 30)) ?? [], drift: drift))
        }
        for source in [WebhookEvent.Source.github, .gitlab, .gitea] {
            router.post("hooks/\(source.rawValue)") { request, _ in
                try await webhook(source, request)
            }
        }
        return router
    }

    func status() async -> AgentStatus {
        var stacks: [StackStatus] = []
        for reconciler in reconcilers { stacks.append(await reconciler.currentStatus()) }
        return AgentStatus(agent: configuration.agentID, store: await keeper.health, stacks: stacks)
    }

    /// A review's id in the store: the request's id for a one-stack agent with a store of
    /// its own; `ID@STACK` when the agent follows several stacks or shares its store (pull
    /// request 5 of one repository is not pull request 5 of another).
    func recordID(_ id: String, _ reconciler: Reconciler) async -> String {
        let alone = reconcilers.count == 1 && store.coordinator is LocalCoordinator
        return alone ? id : "\(id)@\(await reconciler.status.stack ?? reconciler.stack.repo)"
    }

    /// `/plans/ID`: the one stack's plan, or every stack's in turn.
    func reviewMarkdown(_ id: String) async throws -> String? {
        if let plan = try await store.reviewPlan(id: id) { return plan.markdown }
        var parts: [String] = []
        for reconciler in reconcilers {
            guard let stack = await reconciler.status.stack, let plan = try await store.reviewPlan(id: "\(id)@\(stack)") else { continue }
            parts.append("## Stack \(stack)\n\n" + plan.markdown)
        }
        return parts.isEmpty ? nil : parts.joined(separator: "\n")
    }

    /// The stacks that follow `branch` of the event's repository: when the event names a
    /// repository some stacks' URLs match, only those; otherwise (local paths, GitLab's
    /// numeric ids) every stack on that branch, at the cost of a fetch that finds nothing.
    func following(_ branch: String, repository: String? = nil) -> [Reconciler] {
        let onBranch = reconcilers.filter { $0.stack.branch == branch }
        guard let repository else { return onBranch }
        let named = onBranch.filter { $0.stack.follows(repository: repository) }
        return named.isEmpty ? onBranch : named
    }

    /// Verify first, then parse, then act. Never more than 1 MiB read.
    func webhook(_ source: WebhookEvent.Source, _ request: Request) async throws -> Response {
        var request = request
        let buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: Self.maxBody)
        } catch {
            metrics.recordWebhook(source: source.rawValue, result: "too_large")
            return text(.contentTooLarge, "body over 1 MiB\n")
        }
        let body = Array(buffer.readableBytesView)
        let headers = request.headers
        func header(_ name: String) -> String? { HTTPField.Name(name).flatMap { headers[$0] } }
        guard let secret = configuration.webhookSecret, !secret.isEmpty else {
            metrics.recordWebhook(source: source.rawValue, result: "unauthorized")
            return text(.unauthorized, "webhooks need PLUMB_WEBHOOK_SECRET\n")
        }
        let verified: Bool
        let eventName: String
        let delivery: String?
        switch source {
        case .github:
            verified = WebhookSignature.verifyGitHub(header("X-Hub-Signature-256"), body: body, secret: secret)
            eventName = header("X-GitHub-Event") ?? ""
            delivery = header("X-GitHub-Delivery")
        case .gitea:
            verified = WebhookSignature.verifyGitea(header("X-Gitea-Signature"), body: body, secret: secret)
            eventName = header("X-Gitea-Event") ?? header("X-Forgejo-Event") ?? ""
            delivery = header("X-Gitea-Delivery") ?? header("X-Forgejo-Delivery")
        case .gitlab:
            verified = WebhookSignature.verifyGitLab(header("X-Gitlab-Token"), secret: secret)
            eventName = header("X-Gitlab-Event") ?? ""
            delivery = header("X-Gitlab-Event-UUID") ?? header("Idempotency-Key")
        }
        guard verified else {
            metrics.recordWebhook(source: source.rawValue, result: "unauthorized")
            return text(.unauthorized, "bad signature\n")
        }
        let event: WebhookEvent
        do {
            event = try WebhookEvent.parse(source: source, event: eventName, body: body)
        } catch {
            metrics.recordWebhook(source: source.rawValue, result: "malformed")
            return text(.badRequest, "\(error)\n")
        }
        if let delivery, !(await deliveries.firstTime("\(source.rawValue):\(delivery)")) {
            metrics.recordWebhook(source: source.rawValue, result: "duplicate")
            return text(.ok, "already handled\n")
        }
        metrics.recordWebhook(source: source.rawValue, result: "accepted")
        switch event {
        case .ping:
            return text(.ok, "pong\n")
        case .push(let branch, let after, let repository) where !following(branch, repository: repository).isEmpty:
            let stacks = following(branch, repository: repository)
            origins.record(commit: after, source: source, repository: repository)
            for reconciler in stacks { reconciler.trigger(.headMoved(.webhook, head: after)) }
            return await accepted(stacks, commit: after)
        case .merged(_, let base) where !following(base).isEmpty:
            for reconciler in following(base) { reconciler.trigger(.headMoved(.webhook, head: nil)) }
            return await accepted(following(base), commit: nil)
        case .review(let id, let head, let headBranch, let base, let repository) where !following(base, repository: repository).isEmpty:
            let stacks = following(base, repository: repository), logger = self.logger, notifier = self.notifier
            for reconciler in stacks {
                let recordID = await recordID(id, reconciler)
                Task {
                    do {
                        let plan = try await reconciler.review(id: id, recordID: recordID, head: head, headBranch: headBranch, base: base)
                        if let repository {
                            await notifier.postReview(source: source, repository: repository, number: id, recordID: recordID, markdown: plan.markdown)
                        }
                    } catch {
                        logger.error("review plan failed", metadata: ["request": "\(id)", "error": "\(error)"])
                    }
                }
            }
            return text(.accepted, "planning \(id)\n")
        default:
            return text(.accepted, "nothing to do\n")
        }
    }

    private func text(_ status: HTTPResponse.Status, _ body: String) -> Response {
        Response(status: status, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: body)))
    }
}

func json(_ value: some Encodable) throws -> Response {
    Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: try JSONOutput.encode(value))))
}
