import Foundation
import PlumbAgent
import PlumbHTTP
import PlumbTestSupport
import Testing

extension EndToEnd {
    /// `git commit && git push && plumb follow` as a user types it: a bare repository whose
    /// post-receive hook (scripts/hooks/post-receive) sends the agent a signed push webhook,
    /// a work clone to commit in, and `plumb follow` run in that clone.
    @Suite("plumb follow end to end")
    struct FollowTests {
        /// Runs git in `directory`; returns its output.
        @discardableResult
        static func git(_ arguments: [String], in directory: URL) throws -> String {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["git", "-c", "user.name=Ann Example", "-c", "user.email=ann@example.com"] + arguments
            process.currentDirectoryURL = directory
            let pipe = Pipe()
            process.standardOutput = pipe
            process.standardError = pipe
            try process.run()
            let data = pipe.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            let output = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(process.terminationStatus == 0, "git \(arguments): \(output)")
            return output
        }

        struct Setup {
            let bare: URL
            let clone: URL
            let state: URL

            @discardableResult
            func git(_ arguments: String...) throws -> String {
                try FollowTests.git(arguments, in: clone)
            }

            func edit(_ path: String, _ old: String, _ new: String) throws {
                let url = clone.appendingPathComponent(path)
                let text = try String(contentsOf: url, encoding: .utf8)
                #expect(text.contains(old))
                try Data(text.replacingOccurrences(of: old, with: new).utf8).write(to: url)
            }

            /// Commits everything and pushes (the hook fires during the push); the commit id.
            func commitAndPush(_ message: String) throws -> String {
                try git("add", "-A")
                try git("commit", "-q", "-m", message)
                try git("push", "-q", "origin", "main")
                return try git("rev-parse", "HEAD")
            }

            func follow(_ arguments: [String] = [], agent: AgentProcess?, port: Int? = nil) throws -> PlumbProcess.Output {
                let url = "http://127.0.0.1:\(agent?.port ?? port ?? 9)"
                return try PlumbProcess.run(["follow", "--timeout", "90s"] + arguments, in: clone, environment: ["PLUMB_AGENT_URL": url])
            }
        }

        /// The example desired state pushed to a bare repository with the hook installed.
        func setUp() throws -> Setup {
            let work = try TempRepo.example()
            let bare = work.url.appendingPathComponent("origin.git")
            let clone = work.url.appendingPathComponent("clone")
            try FileManager.default.createDirectory(at: bare, withIntermediateDirectories: true)
            try Self.git(["init", "-q", "--bare", "-b", "main"], in: bare)
            try Self.git(["clone", "-q", bare.path, clone.path], in: work.url)
            for item in ["plumb.yaml", "Providers", "Desired", "scripts"] {
                try FileManager.default.moveItem(at: work.url.appendingPathComponent(item), to: clone.appendingPathComponent(item))
            }
            let setup = Setup(bare: bare, clone: clone, state: work.url.appendingPathComponent("state"))
            let hooks = bare.appendingPathComponent("hooks")
            try FileManager.default.createDirectory(at: hooks, withIntermediateDirectories: true)
            try FileManager.default.copyItem(
                at: PlumbProcess.projectRoot.appendingPathComponent("scripts/hooks/post-receive"),
                to: hooks.appendingPathComponent("post-receive"))
            _ = try setup.commitAndPush("Example desired state")
            return setup
        }

        func startAgent(_ setup: Setup, interval: String = "60s") async throws -> AgentProcess {
            let agent = try AgentProcess(
                arguments: ["--repo", setup.bare.path, "--interval", interval, "--drift-interval", "10m"], state: setup.state)
            try Self.git(["config", "plumb.agentUrl", "http://127.0.0.1:\(agent.port)"], in: setup.bare)
            try Self.git(["config", "plumb.webhookSecret", AgentProcess.secret], in: setup.bare)
            let head = try setup.git("rev-parse", "HEAD")
            _ = try await agent.waitForStatus { $0["last_applied_commit"] as? String == head }
            return agent
        }

        /// What `/events` serves within `seconds` (the stream itself never ends).
        func events(_ agent: AgentProcess, _ query: String, lastEventID: Int?, seconds: Int = 2) async throws -> [AgentEvent] {
            let received = Locked(Data())
            var request = HTTPRequest(
                url: "http://127.0.0.1:\(agent.port)/events?\(query)",
                headers: lastEventID.map { [(name: "Last-Event-ID", value: "\($0)")] } ?? [], timeout: .seconds(Int64(seconds)))
            request.onBodyChunk = { data in received.withLock { $0.append(data) } }
            do {
                _ = try await HTTPClient(maxConcurrent: 1).send(request)
            } catch let error as HTTPError where error.code == .timeout {}
            var parser = ServerSentEventParser()
            return try parser.feed(received.withLock { $0 }).map { try AgentEvent.decoder.decode(AgentEvent.self, from: Data($0.data.utf8)) }
        }

        @Test("a pushed commit streams its chunks and checks: 0 when it passes, 3 when a check fails, 1 when invalid, 5 on timeout")
        func pushAndFollow() async throws {
            let setup = try setUp()
            let agent = try await startAgent(setup)

            try setup.edit("Desired/dns/example.com.yaml", "value: 198.51.100.25", "value: 198.51.100.30")
            let good = try setup.commitAndPush("Move mail2")
            let passed = try setup.follow(agent: agent)
            #expect(passed.status == 0, "\(passed.stdout)\n\(passed.stderr)")
            #expect(passed.stdout.contains("started: \(good.prefix(12)) Move mail2 by Ann Example"))
            #expect(passed.stdout.contains("chunk 1/1: applied"))
            #expect(passed.stdout.contains("~ update dns.record/example.com./mail2/A"))
            #expect(passed.stdout.contains("succeeded: 1 change in 1 chunk; "))
            #expect(passed.stdout.contains("stages: load "))
            #expect(passed.stdout.contains("push to live: "))
            #expect(!passed.stdout.contains("\u{1B}["), "no colour when piped")

            // The webhook's 202 names the stream; the stream replays from Last-Event-ID.
            let push = try await agent.github("push", #"{"ref":"refs/heads/main","after":"\#(good)"}"#)
            #expect(push.status == 202)
            let accepted = try JSONSerialization.jsonObject(with: push.body) as? [String: String]
            #expect(accepted == ["stack": "example", "commit": good, "events": "/events?commit=\(good)"])
            let all = try await events(agent, "commit=\(good)", lastEventID: 0)
            #expect(all.map(\.type.rawValue) == ["run_started", "chunk_applied", "run_finished"])
            #expect(all.allSatisfy { $0.commit == good && $0.stack == "example" })
            #expect(all.last?.outcome == .succeeded && all.last?.exitCode == 0 && all.last?.run != nil)
            let runStarted = try #require(all.first?.id)
            #expect(try await events(agent, "commit=\(good)", lastEventID: runStarted).map(\.type.rawValue) == ["chunk_applied", "run_finished"])
            #expect(try await events(agent, "commit=\(good)&stack=other", lastEventID: 0).isEmpty)
            #expect(try await events(agent, "commit=\(good)", lastEventID: nil, seconds: 1).isEmpty, "no Last-Event-ID: only what happens next")

            try setup.edit("Desired/dns/example.com.yaml", "192.0.2.11", "192.0.2.99")
            let failing = try setup.commitAndPush("Break www")
            let failed = try setup.follow(["--format", "json"], agent: agent)
            #expect(failed.status == 3, "\(failed.stdout)\n\(failed.stderr)")
            let events = failed.stdout.split(separator: "\n").compactMap {
                (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any]
            }
            #expect(events.map { $0["type"] as? String }.contains("check_failed"))
            let end = events.last
            #expect(end?["type"] as? String == "run_finished")
            #expect(end?["outcome"] as? String == "failed" && end?["commit"] as? String == failing)
            #expect((end?["error"] as? String)?.hasPrefix("check www-published failed") == true)

            try setup.git("revert", "--no-edit", "HEAD")
            try setup.git("push", "-q", "origin", "main")
            #expect(try setup.follow(agent: agent).status == 0)

            try FileManager.default.createDirectory(at: setup.clone.appendingPathComponent("Desired/broken"), withIntermediateDirectories: true)
            try Data("records: [unclosed\n".utf8).write(to: setup.clone.appendingPathComponent("Desired/broken/bad.yaml"))
            _ = try setup.commitAndPush("Invalid document")
            let invalid = try setup.follow(agent: agent)
            #expect(invalid.status == 1, "\(invalid.stdout)\n\(invalid.stderr)")
            #expect(invalid.stdout.contains("invalid"))

            #expect(agent.stop() == 0)
            let started = Date()
            let stopped = try PlumbProcess.run(
                ["follow", "--timeout", "2s", "--commit", good], in: setup.clone, environment: ["PLUMB_AGENT_URL": "http://127.0.0.1:\(agent.port)"])
            #expect(stopped.status == 5)
            #expect(Date().timeIntervalSince(started) < 10)
        }

        @Test("a commit only the poll finds is followed too, and a run the agent has forgotten the events of is read from /runs")
        func pollAndHistory() async throws {
            let setup = try setUp()
            var agent = try await startAgent(setup, interval: "1s")
            // No hook: the agent must find the commit by polling, after follow started waiting.
            try Self.git(["config", "--unset", "plumb.agentUrl"], in: setup.bare)
            try setup.edit("Desired/dns/example.com.yaml", "value: 198.51.100.25", "value: 198.51.100.31")
            let polled = try setup.commitAndPush("Found by the poll")
            let output = try setup.follow(agent: agent)
            #expect(output.status == 0, "\(output.stdout)\n\(output.stderr)")
            #expect(output.stdout.contains("chunk 1/1: applied"))

            // A new agent process holds no events of that run: the history answers.
            #expect(agent.stop() == 0)
            agent = try await startAgent(setup)
            let again = try setup.follow(["--commit", polled], agent: agent)
            #expect(again.status == 0, "\(again.stdout)\n\(again.stderr)")
            #expect(again.stdout.contains("already finished: succeeded"))
            #expect(agent.stop() == 0)
        }
    }
}
