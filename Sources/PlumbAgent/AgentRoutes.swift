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
    let logger: Logger
    let notifier: Notifier
    let bus: EventBus
    let origins: WebhookOrigins
    let replay: ReplayGuard
    let admission: WebhookAdmission
    let reviews: ReviewQueue

    init(
        reconcilers: [Reconciler], keeper: LeaseKeeper, store: any StateStore, metrics: AgentMetrics, configuration: AgentConfiguration,
        logger: Logger, notifier: Notifier, bus: EventBus, origins: WebhookOrigins
    ) {
        self.reconcilers = reconcilers
        self.keeper = keeper
        self.store = store
        self.metrics = metrics
        self.configuration = configuration
        self.logger = logger
        self.notifier = notifier
        self.bus = bus
        self.origins = origins
        let doors = configuration.doors
        replay = ReplayGuard(store: store, window: doors.replayWindow)
        admission = WebhookAdmission(limit: doors.webhookBodiesInFlight, waiting: doors.webhookBodiesWaiting)
        reviews = ReviewQueue(capacity: doors.reviewQueue, workers: doors.reviewWorkers)
    }

    var maxBody: Int { configuration.doors.maxWebhookBody }

    /// Everything, for `--listen`.
    func router() -> Router<BasicRequestContext> {
        let router = Router()
        // First, so every route added below, now or later, needs PLUMB_API_TOKEN when it is set.
        let sessions = SessionCookie(token: configuration.doors.apiToken)
        router.add(middleware: APIAuthentication<BasicRequestContext>(sessions: sessions))
        if let sessions { LoginPage.add(to: router, sessions: sessions) }
        addWebhooks(to: router)
        router.get("metrics") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4"], body: .init(byteBuffer: ByteBuffer(string: metrics.text())))
        }
        router.get("events") { request, _ in events(request) }
        router.get("status") { _, _ in try json(await status()) }
        router.get("runs") { request, _ in
            // `?commit=PREFIX` (`plumb follow`): that commit's runs only, found by the store,
            // not the newest hundred decoded and sent whole.
            guard let commit = request.uri.queryParameters.get("commit") else { return try json(try await store.runs(limit: 100)) }
            guard (4...40).contains(commit.count), commit.allSatisfy(\.isHexDigit) else {
                return Response(status: .badRequest, body: .init(byteBuffer: ByteBuffer(string: "commit takes 4 to 40 hex digits\n")))
            }
            return try json(try await store.runs(limit: 20, commitPrefix: commit.lowercased()))
        }
        router.get("runs/:id") { request, context in
            guard let id = context.parameters.get("id").flatMap(Int64.init), let run = try await store.run(id) else {
                return Response(status: .notFound, body: .init(byteBuffer: ByteBuffer(string: "no such run\n")))
            }
            if Self.wantsHTML(request) { return html(RunPage.render(run)) }
            return try json(run)
        }
        router.get("graph/:stack") { _, context in
            // The stack's network and access at its last applied commit (#22), for the page.
            let name = context.parameters.get("stack")
            for reconciler in reconcilers where await reconciler.status.stack == name {
                guard let svg = try await reconciler.diagramSVG() else { break }
                return Response(status: .ok, headers: [.contentType: "image/svg+xml"], body: .init(byteBuffer: ByteBuffer(string: svg)))
            }
            return text(.notFound, "no diagram for that stack\n")
        }
        router.get("plans/:id") { _, context in
            guard let id = context.parameters.get("id"), let markdown = try await reviewMarkdown(id) else {
                return Response(status: .notFound, body: .init(byteBuffer: ByteBuffer(string: "no review plan with that id yet\n")))
            }
            return Response(
                status: .ok, headers: [.contentType: "text/markdown; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: markdown)))
        }
        router.get("/") { _, _ in
            // A store that cannot list runs or drift still gets its page, red, saying why.
            let status = await status()
            var drift: [String: DriftReport] = [:]
            for name in status.stacks.compactMap(\.stack) { drift[name] = try? await store.latestDrift(stack: name) }
            return html(StatusPage.render(status: status, runs: (try? await store.runs(limit: 30)) ?? [], drift: drift))
        }
        return router
    }

    /// Only `/hooks/*` and `/healthz`, for `--webhook-listen`.
    func webhookRouter() -> Router<BasicRequestContext> {
        let router = Router()
        addWebhooks(to: router)
        return router
    }

    private func addWebhooks(to router: Router<BasicRequestContext>) {
        // 503 while the store does not answer or failed its integrity check: the agent can
        // record nothing, so a supervisor or load balancer should know.
        router.get("healthz") { _, _ in
            await keeper.health.available ? text(.ok, "ok\n") : text(.serviceUnavailable, "store unavailable\n")
        }
        for source in [WebhookEvent.Source.github, .gitlab, .gitea] {
            router.post("hooks/\(source.rawValue)") { request, _ in
                try await webhook(source, request)
            }
        }
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

    /// Refuse what the head alone refuses (as `WebhookGate` does on a live connection), wait
    /// for a body place, read at most `maxBody`, verify, then parse, then act.
    func webhook(_ source: WebhookEvent.Source, _ request: Request) async throws -> Response {
        let headers = request.headers
        func header(_ name: String) -> String? { HTTPField.Name(name).flatMap { headers[$0] } }
        let precheck = RequestPrecheck(secretSet: !(configuration.webhookSecret ?? "").isEmpty, maxWebhookBody: maxBody)
        if let refusal = precheck.refusal(request.head) {
            metrics.recordWebhook(source: source.rawValue, result: refusal.result)
            return text(refusal.status, refusal.message)
        }
        guard await admission.enter() else {
            metrics.recordWebhook(source: source.rawValue, result: "busy")
            var response = text(.serviceUnavailable, "too many webhooks at once; try again\n")
            response.headers[.retryAfter] = "5"
            return response
        }
        do {
            let response = try await admitted(source, request, header)
            await admission.leave()
            return response
        } catch {
            await admission.leave()
            throw error
        }
    }

    private func admitted(_ source: WebhookEvent.Source, _ request: Request, _ header: (String) -> String?) async throws -> Response {
        var request = request
        let buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: maxBody)
        } catch {
            metrics.recordWebhook(source: source.rawValue, result: "too_large")
            return text(.contentTooLarge, "body over \(maxBody) bytes\n")
        }
        let body = Array(buffer.readableBytesView)
        let secret = configuration.webhookSecret ?? ""
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
        do {
            guard try await replay.firstTime(source: source.rawValue, delivery: delivery, event: eventName, body: body) else {
                metrics.recordWebhook(source: source.rawValue, result: "duplicate")
                return text(.ok, "already handled\n")
            }
        } catch {
            // Without the store a replay cannot be told apart: nothing is done, and the
            // forge sees a failed delivery (the poller still finds new commits).
            logger.error("webhook not handled: the store cannot record deliveries", metadata: ["error": "\(error)"])
            metrics.recordWebhook(source: source.rawValue, result: "store_error")
            return text(.serviceUnavailable, "the store cannot record deliveries now\n")
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
            let stacks = following(base, repository: repository)
            let logger = self.logger
            let notifier = self.notifier
            for reconciler in stacks {
                let recordID = await recordID(id, reconciler)
                // Queued, newest head per request: a burst of events is a few plans, not a
                // task each.
                let outcome = await reviews.submit(recordID) {
                    do {
                        let plan = try await reconciler.review(id: id, recordID: recordID, head: head, headBranch: headBranch, base: base)
                        if let repository {
                            await notifier.postReview(source: source, repository: repository, number: id, recordID: recordID, markdown: plan.markdown)
                        }
                    } catch {
                        logger.error("review plan failed", metadata: ["request": "\(id)", "error": "\(error)"])
                    }
                }
                if outcome == .full {
                    metrics.recordWebhook(source: source.rawValue, result: "busy")
                    return text(.serviceUnavailable, "too many review plans waiting; try again\n")
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
