import Foundation
import GRDB
import PlumbRunner
import PlumbTestSupport
import Testing

extension EndToEnd {
    /// How the agent fails (#18): a git remote that never answers, a second agent on its
    /// --state, a damaged store, retention.
    @Suite("plumb agent failure modes")
    struct AgentFailureModeTests {
        func zoneRepository() throws -> GitFixture {
            let fixture = try GitFixture()
            try fixture.write("plumb.yaml", "stack: ops\n")
            try fixture.write("Providers/dns.yaml", "kind: embedded\n")
            try fixture.write("Desired/zone.yaml", "provider: dns\nzone: ops.example.\nrecords:\n  www: {type: A, value: 192.0.2.1}\n")
            _ = try fixture.commit("Zone")
            return fixture
        }

        @Test("a git remote that accepts and never answers: the agent starts, /status tells the failing fetch, SIGTERM exits within 10 s")
        func blackHoleRemote() async throws {
            let server = try SilentServer()
            let work = try TempRepo.empty()
            let agent = try AgentProcess(
                arguments: ["--repo", "http://127.0.0.1:\(server.port)/infra.git", "--git-stall-timeout", "2s"],
                state: work.url.appendingPathComponent("state"))
            let failed = try await agent.waitForStatus { ($0["last_fetch_error"] as? String)?.contains("stall timeout") == true }
            #expect((failed["last_fetch_error"] as? String)?.contains("stall timeout") == true)
            // The agent keeps retrying: stop it while a fetch waits on the silent remote.
            let fetching = try await agent.waitForStatus { $0["fetching_since"] is String }
            #expect(fetching["fetching_since"] is String)
            #expect(try await agent.get("/").text.contains("last fetch failed"))
            let asked = Date()
            #expect(agent.stop() == 0)
            #expect(Date().timeIntervalSince(asked) < 10)
        }

        @Test("a second agent on the same --state refuses to start and names the first")
        func secondAgentRefused() async throws {
            let fixture = try zoneRepository()
            let work = try TempRepo.empty()
            let state = work.url.appendingPathComponent("state")
            let first = try AgentProcess(repo: fixture.url, state: state)
            let second = Process()
            second.executableURL = PlumbProcess.binary
            second.arguments = ["agent", "--repo", fixture.url.path, "--listen", "127.0.0.1:0", "--state", state.path]
            second.environment = ProcessInfo.processInfo.environment.merging(["PLUMB_WEBHOOK_SECRET": AgentProcess.secret]) { _, new in new }
            let errors = work.url.appendingPathComponent("stderr")
            _ = FileManager.default.createFile(atPath: errors.path, contents: nil)
            second.standardError = try FileHandle(forWritingTo: errors)
            second.standardOutput = FileHandle.nullDevice
            try second.run()
            let deadline = Date().addingTimeInterval(60)
            while second.isRunning, Date() < deadline { try await Task.sleep(for: .milliseconds(50)) }
            if second.isRunning { second.terminate() }
            second.waitUntilExit()
            #expect(second.terminationStatus == 1)
            let stderr = try String(contentsOf: errors, encoding: .utf8)
            #expect(stderr.contains("another agent already uses --state"))
            #expect(stderr.contains("pid \(first.process.processIdentifier) "))
            #expect(first.stop() == 0)
        }

        @Test("a damaged store page is reported on /healthz, /status, /metrics and the page within one drift pass")
        func damagedStore() async throws {
            let fixture = try zoneRepository()
            let work = try TempRepo.empty()
            let state = work.url.appendingPathComponent("state")
            let agent = try AgentProcess(repo: fixture.url, state: state)
            let head = try fixture.git("rev-parse", "HEAD")
            _ = try await agent.waitForStatus { $0["last_applied_commit"] as? String == head }
            #expect(try await agent.get("/healthz").status == 200)
            #expect(try await agent.get("/metrics").text.contains("plumb_store_up 1"))

            // Everything into the file first (a page still in the WAL would hide the damage),
            // then the runs table's root page overwritten.
            let path = state.appendingPathComponent("state.sqlite").path
            let (pageSize, root) = try DatabaseQueue(path: path).inDatabase { db -> (Int, Int) in
                for _ in 0..<50 {
                    let busy = try Row.fetchOne(db, sql: "PRAGMA wal_checkpoint(TRUNCATE)")?[0] as Int? ?? 1
                    if busy == 0 { break }
                    Thread.sleep(forTimeInterval: 0.1)
                }
                return (
                    try Int.fetchOne(db, sql: "PRAGMA page_size") ?? 4096,
                    try Int.fetchOne(db, sql: "SELECT rootpage FROM sqlite_master WHERE name = 'runs'") ?? 2
                )
            }
            let file = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
            try file.seek(toOffset: UInt64((root - 1) * pageSize))
            try file.write(contentsOf: Data(repeating: 0xA5, count: pageSize))
            try file.close()

            let status = try await agent.waitForStatus {
                ($0["store"] as? [String: Any])?["available"] as? Bool == false && ($0["last_error"] as? String) != nil
            }
            let store = status["store"] as? [String: Any]
            #expect(store?["available"] as? Bool == false)
            #expect((store?["error"] as? String)?.contains("integrity check") == true)
            #expect((status["last_error"] as? String)?.contains("integrity check") == true)
            #expect(try await agent.get("/healthz").status == 503)
            #expect(try await agent.get("/metrics").text.contains("plumb_store_up 0"))
            let page = try await agent.get("/").text
            #expect(page.contains("class=\"bad\"") && page.contains("integrity check"))
            #expect(agent.stop() == 0)
        }

        @Test("checkouts older than the retention go, unless a remaining run names their commit")
        func checkoutRetention() throws {
            let work = try TempRepo.empty()
            let state = work.url.appendingPathComponent("state").path
            let root = Checkouts.directory(stateDirectory: state)
            let old = Date().addingTimeInterval(-40 * 86_400)
            for name in ["a1", "b2", "c3"] {
                let directory = (root as NSString).appendingPathComponent(name)
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
                if name != "c3" { try FileManager.default.setAttributes([.modificationDate: old], ofItemAtPath: directory) }
            }
            let removed = Checkouts.prune(stateDirectory: state, before: Date().addingTimeInterval(-30 * 86_400), keeping: ["b2"])
            #expect(removed == 1)
            #expect(try FileManager.default.contentsOfDirectory(atPath: root).sorted() == ["b2", "c3"])
        }
    }
}
