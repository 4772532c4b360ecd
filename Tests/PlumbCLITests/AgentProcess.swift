import Foundation
import PlumbAgent
import PlumbHTTP
import PlumbTestSupport
import PlumbWebhooks
import Testing

/// `plumb agent` running as a process against a real repository, on a free port.
final class AgentProcess: @unchecked Sendable {
    let process: Process
    let port: Int
    let state: URL
    let http = HTTPClient(maxConcurrent: 16)
    static let secret = "test-secret"
    /// `PLUMB_API_TOKEN` when the test set one: `get` sends it unless told not to.
    let token: String?
    /// The `--webhook-listen` port, when one was asked for.
    private(set) var webhookPort: Int?

    convenience init(repo: URL, state: URL, extra: [String] = [], environment extraEnvironment: [String: String] = [:]) throws {
        try self.init(
            arguments: ["--repo", repo.path, "--interval", "60s", "--drift-interval", "1s"] + extra, state: state,
            environment: extraEnvironment)
    }

    /// `plumb agent ARGUMENTS --listen 127.0.0.1:0 --state STATE`.
    init(arguments: [String], state: URL, environment extraEnvironment: [String: String] = [:]) throws {
        self.state = state
        token = extraEnvironment["PLUMB_API_TOKEN"]
        process = Process()
        process.executableURL = PlumbProcess.binary
        process.arguments = ["agent"] + arguments + ["--listen", "127.0.0.1:0", "--state", state.path]
        var environment = ProcessInfo.processInfo.environment
        environment["PLUMB_WEBHOOK_SECRET"] = Self.secret
        environment.merge(extraEnvironment) { _, new in new }
        process.environment = environment
        try FileManager.default.createDirectory(at: state, withIntermediateDirectories: true)
        let out = state.appendingPathComponent("agent.out")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: state.appendingPathComponent("agent.log").path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: state.appendingPathComponent("agent.log"))
        try process.run()
        var found: Int?
        var hooks: Int?
        let deadline = Date().addingTimeInterval(120)
        let wantsHooks = arguments.contains("--webhook-listen")
        while found == nil || (wantsHooks && hooks == nil), Date() < deadline, process.isRunning {
            Thread.sleep(forTimeInterval: 0.05)
            let text = (try? String(contentsOf: out, encoding: .utf8)) ?? ""
            if let range = text.range(of: "listening on http://127.0.0.1:") {
                found = Int(text[range.upperBound...].prefix { $0.isNumber })
            }
            if let range = text.range(of: "webhooks on http://127.0.0.1:") {
                hooks = Int(text[range.upperBound...].prefix { $0.isNumber })
            }
        }
        guard let found else {
            process.terminate()
            throw AgentStartFailure(log: (try? String(contentsOf: state.appendingPathComponent("agent.log"), encoding: .utf8)) ?? "")
        }
        port = found
        webhookPort = hooks
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    struct AgentStartFailure: Error, CustomStringConvertible {
        var log: String
        var description: String { "the agent did not start:\n\(log)" }
    }

    /// GET `path`, with the agent's token when it has one and `authenticated` holds.
    func get(_ path: String, authenticated: Bool = true, headers: [(name: String, value: String)] = [], port: Int? = nil) async throws -> HTTPResponse
    {
        var headers = headers
        if authenticated, let token { headers.append((name: "Authorization", value: "Bearer \(token)")) }
        return try await http.send(HTTPRequest(url: "http://127.0.0.1:\(port ?? self.port)\(path)", headers: headers, timeout: .seconds(60)))
    }

    func json(_ path: String) async throws -> [String: Any] {
        let response = try await get(path)
        return (try JSONSerialization.jsonObject(with: response.body)) as? [String: Any] ?? [:]
    }

    /// A GitHub webhook, signed unless `signature` overrides it.
    func github(
        _ event: String, _ body: String, delivery: String? = UUID().uuidString, signature: String? = nil, port: Int? = nil
    ) async throws -> HTTPResponse {
        let bytes = Array(body.utf8)
        var headers = [
            (name: "X-GitHub-Event", value: event),
            (name: "X-Hub-Signature-256", value: signature ?? "sha256=" + WebhookSignature.sign(bytes, secret: Self.secret)),
            (name: "Content-Type", value: "application/json"),
        ]
        if let delivery { headers.append((name: "X-GitHub-Delivery", value: delivery)) }
        return try await http.send(
            HTTPRequest(
                method: "POST", url: "http://127.0.0.1:\(port ?? self.port)/hooks/github", headers: headers, body: Data(bytes), timeout: .seconds(120)
            ))
    }

    /// Polls `/status` until `condition` holds (or 120 s pass: a loaded CI machine runs many
    /// agents, servers and builds at once).
    func waitForStatus(_ condition: ([String: Any]) -> Bool) async throws -> [String: Any] {
        let deadline = Date().addingTimeInterval(120)
        var status: [String: Any] = [:]
        while Date() < deadline {
            status = try await json("/status")
            if condition(status) { return status }
            try await Task.sleep(for: .milliseconds(100))
        }
        return status
    }

    /// The agent's resident set (VmRSS), in KB.
    func residentKilobytes() -> Int { status("VmRSS") }

    /// The agent's peak resident set so far (VmHWM), in KB.
    func peakResidentKilobytes() -> Int { status("VmHWM") }

    private func status(_ field: String) -> Int {
        let text = (try? String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8)) ?? ""
        let line = text.split(separator: "\n").first { $0.hasPrefix(field + ":") } ?? ""
        return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
    }

    /// SIGTERM, then the exit status. An agent that does not exit 0 leaves the end of its
    /// log in the test output, so a failure seen only in CI can be read there.
    func stop() -> Int32 {
        process.terminate()
        process.waitUntilExit()
        if process.terminationStatus != 0 {
            let log = (try? String(contentsOf: state.appendingPathComponent("agent.log"), encoding: .utf8)) ?? ""
            print("agent exited \(process.terminationStatus); the end of its log:\n" + log.split(separator: "\n").suffix(30).joined(separator: "\n"))
        }
        return process.terminationStatus
    }
}
