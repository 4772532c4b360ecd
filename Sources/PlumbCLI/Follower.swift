import Foundation
import PlumbAgent
import PlumbHTTP

/// The waiting behind `plumb follow`: subscribe to the agent's events for the commit first
/// (with every held event replayed, so a run already under way or finished is seen), then
/// ask the history for a run of the commit that finished before the agent's memory of
/// events begins, and otherwise wait for the run's end. A lost connection is retried until
/// the deadline, so a restarting (or not yet started) agent is waited for too.
struct Follower: Sendable {
    let agent: String
    let token: String?
    let commit: String
    let stack: String?
    let deadline: ContinuousClock.Instant
    let output: FollowOutput
    let http = HTTPClient(maxConcurrent: 3, connectTimeout: .seconds(2))

    enum Input: Sendable {
        case connected
        case event(AgentEvent)
        case streamEnded(String)
        /// The agent refused the stream (401, 403, 404): waiting longer will not help.
        case refused(String)
        case history(FinishedRun)
        case timedOut
    }

    func run() async -> Int32 {
        output.header(commit: commit, agent: agent, stack: stack)
        let (inputs, sink) = AsyncStream.makeStream(of: Input.self)
        let lastID = Locked<Int>(0)
        let timer = Task {
            try? await Task.sleep(until: deadline, clock: .continuous)
            sink.yield(.timedOut)
        }
        var stream = subscribe(after: 0, sink: sink, lastID: lastID)
        defer {
            timer.cancel()
            stream.cancel()
        }
        var askedHistory = false
        var sawRun = false
        var lastError: String?
        for await input in inputs {
            switch input {
            case .connected:
                guard !askedHistory else { continue }
                askedHistory = true
                Task { if let run = await finishedRun() { sink.yield(.history(run)) } }
            case .event(let event):
                guard event.stack == stack || stack == nil else { continue }
                output.show(event)
                if event.type == .runStarted || event.type == .runFinished { sawRun = true }
                if event.type == .runFinished { return event.exitCode ?? 1 }
            case .history(let run):
                // Events already seen describe the newest run better than the history's row.
                guard !sawRun else { continue }
                output.show(run)
                return run.exitCode
            case .refused(let error):
                output.failed(error)
                return 1
            case .streamEnded(let error):
                lastError = error
                // After a reconnect the history may hold a run the lost stream did not show.
                askedHistory = false
                guard ContinuousClock.now < deadline else { continue }
                try? await Task.sleep(for: .milliseconds(500))
                stream = subscribe(after: lastID.withLock { $0 }, sink: sink, lastID: lastID)
            case .timedOut:
                output.timedOut(lastError: lastError)
                return FollowCommand.timedOut
            }
        }
        return FollowCommand.timedOut
    }

    private var authorization: [(name: String, value: String)] {
        token.map { [(name: "Authorization", value: "Bearer \($0)")] } ?? []
    }

    /// One connection to `/events`, feeding `sink` until it ends.
    private func subscribe(after: Int, sink: AsyncStream<Input>.Continuation, lastID: Locked<Int>) -> Task<Void, Never> {
        var query = "commit=\(commit)"
        if let stack, let escaped = stack.addingPercentEncoding(withAllowedCharacters: .alphanumerics) { query += "&stack=\(escaped)" }
        var request = HTTPRequest(
            url: "\(agent)/events?\(query)",
            headers: authorization + [(name: "Accept", value: "text/event-stream"), (name: "Last-Event-ID", value: "\(after)")],
            timeout: ContinuousClock.now.duration(to: deadline))
        let parser = Locked(ServerSentEventParser())
        let connected = Locked(false)
        request.onBodyChunk = { data in
            if connected.withLock({ value in
                defer { value = true }
                return !value
            }) {
                sink.yield(.connected)
            }
            for message in parser.withLock({ $0.feed(data) }) {
                guard let event = try? AgentEvent.decoder.decode(AgentEvent.self, from: Data(message.data.utf8)) else { continue }
                lastID.withLock { $0 = max($0, event.id) }
                sink.yield(.event(event))
            }
        }
        let http = self.http
        return Task {
            do {
                let response = try await http.send(request)
                if (400..<500).contains(response.status), response.status != 408, response.status != 429 {
                    sink.yield(.refused("\(agent)/events answered HTTP \(response.status)\(response.status == 401 ? ": set PLUMB_API_TOKEN" : "")"))
                } else {
                    sink.yield(.streamEnded(response.isSuccess ? "the agent closed the event stream" : "the agent answered HTTP \(response.status)"))
                }
            } catch is CancellationError {
            } catch {
                sink.yield(.streamEnded("\(error)"))
            }
        }
    }

    /// The newest finished run of the commit in the agent's history, if any; a commit the
    /// agent recorded as applied without a run (nothing of the stack changed) counts as one.
    private func finishedRun() async -> FinishedRun? {
        let remaining = ContinuousClock.now.duration(to: deadline)
        guard remaining > .zero,
            let response = try? await http.send(HTTPRequest(url: "\(agent)/runs?commit=\(commit)", headers: authorization, timeout: remaining)),
            response.isSuccess,
            let runs = try? JSONDecoder().decode([FinishedRun].self, from: response.body)
        else { return nil }
        return runs.filter { run in
            run.commit?.id.hasPrefix(commit) == true && run.finishedAt != nil && (stack == nil || run.stack == stack)
        }.max { $0.id < $1.id }
    }
}

/// What `/runs` says of one run: only the fields `follow` reads, so a history with newer
/// fields or statuses still decodes.
struct FinishedRun: Sendable, Decodable {
    struct Commit: Sendable, Decodable { var id: String }

    var id: Int64
    var stack: String
    var status: String
    var commit: Commit?
    var applied: [String]
    var error: String?
    var finishedAt: String?

    enum CodingKeys: String, CodingKey {
        case id, stack, status, commit, applied, error
        case finishedAt = "finished_at"
    }

    /// SPEC §5 and §8.4: 0 applied or nothing to do, 1 nothing changed, 3 part-way, 4 reverted.
    var exitCode: Int32 {
        switch status {
        case "succeeded", "unchanged": 0
        case "reverted": 4
        case "failed", "interrupted": applied.isEmpty ? 1 : 3
        default: 1
        }
    }
}
