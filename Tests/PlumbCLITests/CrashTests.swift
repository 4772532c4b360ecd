import Foundation
import PlumbTestSupport
import Testing

/// `plumb apply` killed with SIGKILL at random points of a multi-chunk apply, again and
/// again, against real provider servers: after every kill the next apply converges, nothing
/// is duplicated or left half-done, the killed run is recorded as interrupted, and the
/// SQLite files pass an integrity check.
extension EndToEnd {
    @Suite("crash consistency")
    struct CrashTests {
        /// `PLUMB_CRASH_ITERATIONS` overrides the number of kills (default 20 against PowerDNS).
        static var iterations: Int {
            ProcessInfo.processInfo.environment["PLUMB_CRASH_ITERATIONS"].flatMap { Int($0) } ?? 20
        }

        @Test("twenty kills at random points against PowerDNS: every next run converges, every killed run is interrupted")
        func killedAgainAndAgainPowerDNS() throws {
            let server = try PowerDNSServer()
            let proxy = try FaultProxy(upstream: server.url)
            // Slow every request a little so a run spans many chunks long enough to be hit.
            try proxy.set([.latency(ms: 15)])
            let repo = try TempRepo.empty()
            try repo.write("plumb.yaml", "stack: crash\nchunking: {max_changes: 2, by: kind}\n")
            try repo.write("Providers/pdns.yaml", "kind: powerdns\nurl: ${PDNS_URL}\napi_key: ${PDNS_API_KEY}\n")
            let environment = ["PDNS_URL": proxy.url, "PDNS_API_KEY": server.apiKey]
            var generator = SystemRandomNumberGenerator()
            var interrupted = 0
            for iteration in 1...Self.iterations {
                // Every iteration rewrites every record, so each run has 15 chunks of work.
                let records = (1...30).map { "  h\($0): {type: A, value: 192.0.\(iteration).\($0)}\n" }.joined()
                try repo.write("Desired/zone.yaml", "provider: pdns\nzone: crash.example.\nrecords:\n\(records)")
                try proxy.clear(log: true)
                let process = try PlumbProcess.start(["apply", "--auto-approve"], in: repo.url, environment: environment)
                // Kill once it is writing, somewhere in its run.
                let deadline = Date().addingTimeInterval(60)
                while Date() < deadline, process.isRunning, try !proxy.log().contains(where: { $0.method != "GET" }) {
                    Thread.sleep(forTimeInterval: 0.02)
                }
                Thread.sleep(forTimeInterval: Double.random(in: 0...0.6, using: &generator))
                let wasRunning = process.isRunning
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
                if wasRunning { interrupted += 1 }

                let rerun = try repo.plumb("apply", "--auto-approve", environment: environment)
                #expect(rerun.status == 0, "iteration \(iteration): \(rerun.stdout)\(rerun.stderr)")
                #expect(!wasRunning || rerun.stderr.contains("was interrupted"), "iteration \(iteration): \(rerun.stderr)")
                let (status, body) = try server.api("GET", "/zones/crash.example.")
                #expect(status == 200)
                let json = try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any]
                let rrsets = (json?["rrsets"] as? [[String: Any]] ?? []).filter { $0["type"] as? String == "A" }
                let live = rrsets.map { rrset in
                    "\(rrset["name"] as? String ?? "") \((rrset["records"] as? [[String: Any]] ?? []).compactMap { $0["content"] as? String })"
                }
                let desired = (1...30).map { "h\($0).crash.example. [\"192.0.\(iteration).\($0)\"]" }
                #expect(Set(live) == Set(desired), "iteration \(iteration)")
                #expect(live.count == 30, "iteration \(iteration): duplicates")
            }
            let history = try repo.plumb("history", "--format", "json")
            let runs = try JSONSerialization.jsonObject(with: Data(history.stdout.utf8)) as? [[String: Any]] ?? []
            // Each iteration leaves two runs: the killed one (interrupted, or succeeded when it
            // finished before the kill) and the rerun (succeeded, or unchanged when the kill
            // came after the last write). None failed.
            #expect(runs.count == 2 * Self.iterations)
            #expect(runs.filter { $0["status"] as? String == "interrupted" }.count == interrupted)
            #expect(runs.allSatisfy { ["interrupted", "succeeded", "unchanged"].contains($0["status"] as? String ?? "") })
            #expect(interrupted >= Self.iterations / 2, "most kills should land mid-run: \(interrupted)")
            #expect(try integrity(repo.url.appendingPathComponent(".plumb/state.sqlite").path) == "ok")
        }

        @Test("kills at random points against the AWS-compatible server: one VPC, every subnet once, rules exactly as written")
        func killedAgainAndAgainAWS() throws {
            let server = try MotoServer()
            let proxy = try FaultProxy(upstream: server.url)
            try proxy.set([.latency(ms: 25)])
            let repo = try TempRepo.empty()
            try repo.write("plumb.yaml", "stack: crash\nchunking: {max_changes: 3, by: kind}\n")
            try repo.write("Providers/cloud.yaml", "kind: aws\nregion: us-east-1\nendpoint: \(proxy.url)\nrate_limit: 200\nconcurrency: 2\n")
            var generator = SystemRandomNumberGenerator()
            let rounds = max(3, Self.iterations / 4)
            var interrupted = 0
            for round in 1...rounds {
                var document = "provider: cloud\nvpcs:\n  main: {cidr: 10.80.0.0/16}\nsubnets:\n"
                for index in 1...9 {
                    document += "  s\(index): {vpc: main, cidr: 10.80.\(index).0/24, zone: us-east-1a, tags: {round: \"\(round)\"}}\n"
                }
                document += "security_groups:\n"
                for index in 1...6 {
                    let peer = index == 1 ? "0.0.0.0/0" : "security_group/g\(index - 1)"
                    document +=
                        "  g\(index): {vpc: main, description: group \(index), ingress: [{protocol: tcp, ports: \(1000 * round + index), from: \(peer)}, {protocol: udp, ports: 53, from: subnet/s\(index)}]}\n"
                }
                try repo.write("Desired/network.yaml", document)
                // The apply describes as the plan does: past that many calls, it has recorded
                // its run and is writing. (A kill during the describe records no run at all.)
                try proxy.clear(log: true)
                _ = try repo.plumb("plan", environment: server.credentialsEnvironment)
                let describes = try proxy.log().count
                // Clearing the log clears the rules: the latency that spreads the writes comes back.
                try proxy.clear(log: true)
                try proxy.set([.latency(ms: 25)])
                let process = try PlumbProcess.start(["apply", "--auto-approve"], in: repo.url, environment: server.credentialsEnvironment)
                let deadline = Date().addingTimeInterval(60)
                while Date() < deadline, process.isRunning, try proxy.log().count <= describes {
                    Thread.sleep(forTimeInterval: 0.02)
                }
                Thread.sleep(forTimeInterval: Double.random(in: 0...0.8, using: &generator))
                let wasRunning = process.isRunning
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
                if wasRunning { interrupted += 1 }

                let rerun = try repo.plumb("apply", "--auto-approve", environment: server.credentialsEnvironment)
                #expect(rerun.status == 0, "round \(round): \(rerun.stdout)\(rerun.stderr)")

                let vpcs = try server.awsJSON(["ec2", "describe-vpcs", "--filters", "Name=tag:plumb:stack,Values=crash"]) as? [String: Any]
                #expect((vpcs?["Vpcs"] as? [[String: Any]])?.count == 1, "round \(round)")
                let subnets = try server.awsJSON(["ec2", "describe-subnets", "--filters", "Name=tag:plumb:stack,Values=crash"]) as? [String: Any]
                let subnetList = subnets?["Subnets"] as? [[String: Any]] ?? []
                #expect(subnetList.count == 9, "round \(round): \(subnetList.count) subnets")
                let groups =
                    try server.awsJSON(["ec2", "describe-security-groups", "--filters", "Name=tag:plumb:stack,Values=crash"]) as? [String: Any]
                let groupList = groups?["SecurityGroups"] as? [[String: Any]] ?? []
                #expect(groupList.count == 6, "round \(round): \(groupList.count) groups")
                for group in groupList {
                    let name = group["GroupName"] as? String ?? ""
                    let index = Int(name.dropFirst()) ?? 0
                    let ports = (group["IpPermissions"] as? [[String: Any]] ?? []).compactMap { $0["FromPort"] as? Int }.sorted()
                    #expect(ports == [53, 1000 * round + index].sorted(), "round \(round) \(name): \(ports)")
                }
                let plan = try repo.plumb("plan", "--exit-code", environment: server.credentialsEnvironment)
                #expect(plan.status == 0, "round \(round): \(plan.stdout)")
            }
            let history = try repo.plumb("history", "--format", "json")
            let runs = try JSONSerialization.jsonObject(with: Data(history.stdout.utf8)) as? [[String: Any]] ?? []
            #expect(runs.filter { $0["status"] as? String == "interrupted" }.count == interrupted)
            #expect(try integrity(repo.url.appendingPathComponent(".plumb/state.sqlite").path) == "ok")
        }

        private func integrity(_ path: String) throws -> String {
            let (_, output) = try PowerDNSServer.run(["sqlite3", path, "PRAGMA integrity_check;"])
            return output.trimmingCharacters(in: .whitespacesAndNewlines)
        }
    }
}
