import Foundation
import PlumbTestSupport
import Testing

/// `plumb apply` with `on_failure: revert` killed with SIGKILL while it reverts, at random
/// points: the next run finishes the revert from the journal (the zone is as it was before
/// the killed run), then applies again and, its check still failing, reverts again. Never a
/// duplicate, never a record left behind.
extension EndToEnd {
    @Suite("revert crash consistency")
    struct RevertCrashTests {
        /// `PLUMB_REVERT_CRASH_ITERATIONS` overrides the number of kills (default 3: CI time).
        static var iterations: Int {
            ProcessInfo.processInfo.environment["PLUMB_REVERT_CRASH_ITERATIONS"].flatMap { Int($0) } ?? 3
        }

        @Test("kills during the revert: the next run finishes it and the zone is as before the run")
        func killedWhileReverting() throws {
            let server = try PowerDNSServer()
            let proxy = try FaultProxy(upstream: server.url)
            // Slow every request so the revert spans long enough to be hit.
            try proxy.set([.latency(ms: 15)])
            let repo = try TempRepo.empty()
            try repo.write("plumb.yaml", "stack: crash\non_failure: revert\nchunking: {first: 1, max_changes: 2}\n")
            try repo.write("Providers/pdns.yaml", "kind: powerdns\nurl: ${PDNS_URL}\napi_key: ${PDNS_API_KEY}\n")
            let environment = ["PDNS_URL": proxy.url, "PDNS_API_KEY": server.apiKey]
            let base = (1...5).map { "  keep\($0): {type: A, value: 192.0.2.\($0)}\n" }.joined()
            try repo.write("Desired/zone.yaml", "provider: pdns\nzone: crash.example.\nrecords:\n\(base)")
            #expect(try repo.plumb("apply", "--auto-approve", environment: environment).status == 0)
            let before = try liveA(server)
            #expect(before.count == 5)

            let counter = repo.url.appendingPathComponent("check-runs").path
            let failed = repo.url.appendingPathComponent("check-failed").path
            // Passes its first eleven runs (chunks 1-11 of 2 changes after the canary), then
            // fails and leaves a mark: the revert starts right after it.
            let check = """
                checks:
                  healthy:
                    after: dns.record/crash.example./*
                    command: [sh, -c, "n=$(cat \(counter)); echo $((n+1)) > \(counter); [ $n -lt 11 ] || { touch \(failed); exit 1; }"]
                    timeout: 200ms
                """
            var generator = SystemRandomNumberGenerator()
            var interrupted = 0
            for iteration in 1...Self.iterations {
                // Updates the five kept records and creates 30 more: 35 changes, 18 chunks.
                let changed = (1...5).map { "  keep\($0): {type: A, value: 198.51.\(iteration).\($0)}\n" }.joined()
                let added = (1...30).map { "  n\($0): {type: A, value: 203.0.113.\($0)}\n" }.joined()
                try repo.write("Desired/zone.yaml", "provider: pdns\nzone: crash.example.\nrecords:\n\(changed)\(added)\(check)")
                try "0".write(toFile: counter, atomically: true, encoding: .utf8)
                try? FileManager.default.removeItem(atPath: failed)
                let process = try PlumbProcess.start(["apply", "--auto-approve"], in: repo.url, environment: environment)
                let deadline = Date().addingTimeInterval(60)
                while Date() < deadline, process.isRunning, !FileManager.default.fileExists(atPath: failed) {
                    Thread.sleep(forTimeInterval: 0.01)
                }
                // The check retries for 200 ms before it fails; the revert of 11 chunks follows.
                Thread.sleep(forTimeInterval: Double.random(in: 0.2...0.7, using: &generator))
                let wasRunning = process.isRunning
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
                if wasRunning { interrupted += 1 }

                let rerun = try repo.plumb("apply", "--auto-approve", "--format", "json", environment: environment)
                // The check still fails: the rerun applies its canary, fails, and puts it back.
                #expect(rerun.status == 4, "iteration \(iteration): \(rerun.stdout.suffix(600))\(rerun.stderr)")
                #expect(!wasRunning || rerun.stderr.contains("was interrupted"), "iteration \(iteration): \(rerun.stderr)")
                let live = try liveA(server)
                #expect(live == before, "iteration \(iteration): the zone is not as before the run")
            }
            let history = try repo.plumb("history", "--format", "json")
            let runs = try JSONSerialization.jsonObject(with: Data(history.stdout.utf8)) as? [[String: Any]] ?? []
            let statuses = runs.map { $0["status"] as? String ?? "" }
            #expect(statuses.filter { $0 == "interrupted" }.count == interrupted)
            #expect(!statuses.contains("failed"), "\(statuses)")
            #expect(interrupted >= 1, "no kill landed during a run")
            let (_, output) = try PowerDNSServer.run([
                "sqlite3", repo.url.appendingPathComponent(".plumb/state.sqlite").path, "PRAGMA integrity_check;",
            ])
            #expect(output.trimmingCharacters(in: .whitespacesAndNewlines) == "ok")
        }

        /// The zone's A rrsets: "name [values]", sorted; a duplicate would show twice.
        private func liveA(_ server: PowerDNSServer) throws -> [String] {
            let (status, body) = try server.api("GET", "/zones/crash.example.")
            #expect(status == 200)
            let json = try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any]
            return (json?["rrsets"] as? [[String: Any]] ?? []).filter { $0["type"] as? String == "A" }.map { rrset in
                "\(rrset["name"] as? String ?? "") \((rrset["records"] as? [[String: Any]] ?? []).compactMap { $0["content"] as? String })"
            }.sorted()
        }
    }
}
