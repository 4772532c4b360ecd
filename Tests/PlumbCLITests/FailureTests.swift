import Foundation
import PlumbTestSupport
import Testing

/// A zone of six records in chunks of two: [zone] [a b] [c d] [e f].
private func fourChunkRepo(checkAfter: String, command: [String]) throws -> TempRepo {
    let repo = try TempRepo.empty()
    try repo.write("plumb.yaml", "stack: four\nchunking: {max_changes: 2, by: kind}\n")
    try repo.write("Providers/dns.yaml", "kind: embedded\n")
    let records = ["a", "b", "c", "d", "e", "f"].enumerated()
        .map { "  \($0.element): {type: A, value: 192.0.2.\($0.offset + 1)}" }.joined(separator: "\n")
    try repo.write("Desired/zone.yaml", "provider: dns\nzone: four.example.\nrecords:\n\(records)\n")
    let argv = command.map { "\"\($0)\"" }.joined(separator: ", ")
    try repo.write("Desired/checks.yaml", "checks:\n  gate:\n    after: \"\(checkAfter)\"\n    command: [\(argv)]\n    timeout: 1s\n")
    return repo
}

extension EndToEnd {
    @Suite("Failures mid-apply")
    struct FailureTests {
        @Test("a check failing after chunk 2 of 4 leaves chunks 3 and 4 unapplied and exits 3")
        func failingCheckStopsTheRun() throws {
            let repo = try fourChunkRepo(checkAfter: "dns.record/four.example./b/*", command: ["false"])
            let plan = try repo.plumb("plan", "--format", "json")
            #expect((plan.json?["chunks"] as? [Any])?.count == 4)

            let apply = try repo.plumb("apply", "--auto-approve", "--format", "json")
            #expect(apply.status == 3, "\(apply.stderr)")
            let chunks = apply.json?["chunks"] as? [[String: Any]] ?? []
            #expect(chunks.map { $0["status"] as? String } == ["applied", "failed", "skipped", "skipped"])
            let checks = chunks[1]["checks"] as? [[String: Any]] ?? []
            #expect(checks.first?["name"] as? String == "gate" && checks.first?["passed"] as? Bool == false)
            #expect(
                (apply.json?["applied"] as? [String])?.sorted() == [
                    "dns.record/four.example./a/A", "dns.record/four.example./b/A", "dns.zone/four.example.",
                ])
            #expect((apply.json?["not_applied"] as? [String])?.count == 4)

            // The live state holds exactly chunks 1 and 2: four records are still missing.
            let drift = try repo.plumb("drift", "--format", "json")
            #expect((drift.json?["summary"] as? [String: Int])?["missing"] == 4)

            // The text output says what failed and what was not applied.
            let other = try fourChunkRepo(checkAfter: "dns.record/four.example./b/*", command: ["false"])
            let text = try other.plumb("apply", "--auto-approve")
            #expect(text.status == 3)
            #expect(text.stdout.contains("check gate failed"))
            #expect(text.stdout.contains("3 of 7 changes applied; not applied: 4."))
        }

        @Test("a run killed mid-apply is recorded as interrupted and the next run converges")
        func killedRunConverges() throws {
            let repo = try fourChunkRepo(checkAfter: "dns.record/four.example./b/*", command: ["sleep", "30"])
            try repo.edit("Desired/checks.yaml", replacing: "timeout: 1s", with: "timeout: 60s")
            let process = try PlumbProcess.start(["apply", "--auto-approve"], in: repo.url)
            // Wait until chunk 2 is written (its check is then sleeping), then kill -9.
            let deadline = Date().addingTimeInterval(120)
            var sawRecords = false
            while Date() < deadline, !sawRecords {
                Thread.sleep(forTimeInterval: 0.2)
                let drift = try repo.plumb("drift", "--format", "json")
                sawRecords = (drift.json?["summary"] as? [String: Int])?["missing"] == 4
            }
            #expect(sawRecords)
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()

            try repo.edit("Desired/checks.yaml", replacing: "[\"sleep\", \"30\"]", with: "[\"true\"]")
            let rerun = try repo.plumb("apply", "--auto-approve")
            #expect(rerun.status == 0, "\(rerun.stderr)")
            #expect(rerun.stderr.contains("was interrupted"))
            #expect(try repo.plumb("plan", "--exit-code").status == 0)
            let history = try repo.plumb("history", "--format", "json")
            let statuses = ((try? JSONSerialization.jsonObject(with: Data(history.stdout.utf8))) as? [[String: Any]] ?? []).compactMap {
                $0["status"] as? String
            }
            #expect(statuses == ["succeeded", "interrupted"])
            // The history store and the embedded inventory came through the kill intact.
            let state = repo.url.appendingPathComponent(".plumb")
            let databases = try FileManager.default.contentsOfDirectory(atPath: state.path).filter { $0.hasSuffix(".sqlite") }
            #expect(databases.count >= 2, "\(databases)")
            for database in databases {
                let (_, output) = try PowerDNSServer.run(["sqlite3", state.appendingPathComponent(database).path, "PRAGMA integrity_check;"])
                #expect(output.trimmingCharacters(in: .whitespacesAndNewlines) == "ok", "\(database): \(output)")
            }
        }

        @Test("a second apply on the same state fails at once, naming the holder")
        func oneWriterPerStack() throws {
            let repo = try fourChunkRepo(checkAfter: "dns.zone/*", command: ["sleep", "60"])
            try repo.edit("Desired/checks.yaml", replacing: "timeout: 1s", with: "timeout: 30s")
            let first = try PlumbProcess.start(["apply", "--auto-approve"], in: repo.url)
            defer {
                kill(first.processIdentifier, SIGKILL)
                first.waitUntilExit()
            }
            // Wait until the first process holds the lock (its pid is in the lock file).
            let lockFile = repo.url.appendingPathComponent(".plumb/locks/four.lock")
            let deadline = Date().addingTimeInterval(120)
            while Date() < deadline, !((try? String(contentsOf: lockFile, encoding: .utf8)) ?? "").contains("pid \(first.processIdentifier)") {
                Thread.sleep(forTimeInterval: 0.1)
            }
            let second = try repo.plumb("apply", "--auto-approve")
            #expect(second.status == 1)
            #expect(second.stderr.contains("pid \(first.processIdentifier)"))
        }
    }
}
