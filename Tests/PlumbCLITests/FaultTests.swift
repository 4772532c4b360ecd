import Foundation
import PlumbTestSupport
import Testing

/// Faults injected between `plumb` and a real PowerDNS server by a proxy: what Plumb retries,
/// what stops a run cleanly, and what a run leaves recorded.
extension EndToEnd {
    @Suite("faults between plumb and PowerDNS")
    struct PowerDNSFaultTests {
        /// Three zones of five records, chunks of five: one chunk of zones, then one chunk of
        /// records per zone (a, b, c), each one PATCH.
        struct Fixture {
            let server: PowerDNSServer
            let proxy: FaultProxy
            let repo: TempRepo
            var environment: [String: String] { ["PDNS_URL": proxy.url, "PDNS_API_KEY": server.apiKey] }

            init() throws {
                server = try PowerDNSServer()
                proxy = try FaultProxy(upstream: server.url)
                repo = try TempRepo.empty()
                try repo.write("plumb.yaml", "stack: faults\nchunking: {strategy: fixed, max_changes: 5, by: kind}\n")
                try repo.write("Providers/pdns.yaml", "kind: powerdns\nurl: ${PDNS_URL}\napi_key: ${PDNS_API_KEY}\ntimeout: 2s\n")
                for zone in ["a", "b", "c"] {
                    let records = (1...5).map { "  h\($0): {type: A, value: 192.0.2.\($0)}\n" }.joined()
                    try repo.write("Desired/\(zone).yaml", "provider: pdns\nzone: \(zone).faults.example.\nrecords:\n\(records)")
                }
            }

            func apply() throws -> PlumbProcess.Output {
                try repo.plumb("apply", "--auto-approve", "--format", "json", environment: environment)
            }

            /// Record names PowerDNS holds in a zone (asked directly, not through the proxy).
            func names(_ zone: String) throws -> Set<String> {
                let (status, body) = try server.api("GET", "/zones/\(zone).faults.example.")
                guard status == 200, let json = try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any] else { return [] }
                let rrsets = json["rrsets"] as? [[String: Any]] ?? []
                return Set(rrsets.filter { $0["type"] as? String == "A" }.compactMap { $0["name"] as? String })
            }

            func lastRun() throws -> [String: Any] {
                let history = try repo.plumb("history", "--format", "json")
                let runs = try JSONSerialization.jsonObject(with: Data(history.stdout.utf8)) as? [[String: Any]] ?? []
                return runs.max { ($0["id"] as? Int ?? 0) < ($1["id"] as? Int ?? 0) } ?? [:]
            }

            func chunkStatuses(_ output: PlumbProcess.Output) -> [String] {
                (output.json?["chunks"] as? [[String: Any]] ?? []).map { $0["status"] as? String ?? "?" }
            }
        }

        @Test("transient faults — 503, 429 with Retry-After, a reset, a stall past the timeout, a truncated body — are retried and the run succeeds")
        func transientFaults() throws {
            let fixture = try Fixture()
            try fixture.proxy.set([
                .status(503, times: 1, match: .init(method: "PATCH")),
                .status(429, retryAfter: "0.2", times: 1, match: .init(method: "PATCH")),
                .reset(times: 1, match: .init(method: "GET", path: "zones/b")),
                .stall(ms: 4000, times: 1, match: .init(method: "GET", path: "zones/c")),
                .truncate(times: 1, match: .init(method: "GET", path: "zones$")),
            ])
            let apply = try fixture.apply()
            #expect(apply.status == 0, "\(apply.stdout)\(apply.stderr)")
            #expect(fixture.chunkStatuses(apply) == ["applied", "applied", "applied", "applied"])
            let faults = try fixture.proxy.log().filter { $0.fault != "forwarded" }.map(\.fault)
            #expect(Set(faults) == ["status", "reset", "stall", "truncate"], "\(faults)")
            for zone in ["a", "b", "c"] {
                #expect(try fixture.names(zone).count == 5)
            }
            let plan = try fixture.repo.plumb("plan", "--exit-code", environment: fixture.environment)
            #expect(plan.status == 0, "\(plan.stdout)\(plan.stderr)")
        }

        @Test(
            "a persistent fault fails the run cleanly: the provider and chunk are named, later chunks untouched, the run records exactly what was applied"
        )
        func persistentFault() throws {
            let fixture = try Fixture()
            try fixture.proxy.set([.status(500, body: "backend down", match: .init(method: "PATCH", path: "zones/b\\."))])
            let apply = try fixture.apply()
            #expect(apply.status == 3, "\(apply.stdout)\(apply.stderr)")
            #expect(fixture.chunkStatuses(apply) == ["applied", "applied", "failed", "skipped"])
            let error = apply.json?["error"] as? String ?? ""
            #expect(error.contains("chunk 3 of 4"), "\(error)")
            #expect(error.contains("provider pdns"), "\(error)")
            #expect(error.contains("HTTP 500 from PATCH http://127.0.0.1:"), "the request, by method and URL: \(error)")
            #expect(error.contains("/api/v1/servers/localhost/zones/c.example.: backend down") || error.contains(": backend down"), "\(error)")
            let failedChunk = (apply.json?["chunks"] as? [[String: Any]] ?? []).first { $0["status"] as? String == "failed" }
            #expect(failedChunk?["index"] as? Int == 2, "the third chunk")
            // Zone c's records were never sent.
            let patches = try fixture.proxy.log().filter { $0.method == "PATCH" }.map(\.path)
            #expect(!patches.contains { $0.contains("zones/c.") }, "\(patches)")
            #expect(try fixture.names("a").count == 5)
            #expect(try fixture.names("b").isEmpty)
            #expect(try fixture.names("c").isEmpty)

            let run = try fixture.lastRun()
            #expect(run["status"] as? String == "failed")
            let applied = Set(run["applied"] as? [String] ?? [])
            #expect(
                applied == Set(["a", "b", "c"].map { "dns.zone/\($0).faults.example." } + (1...5).map { "dns.record/a.faults.example./h\($0)/A" }))
            #expect((run["not_applied"] as? [String] ?? []).count == 10)

            // The fault goes away: the next run applies only the rest.
            try fixture.proxy.clear()
            let second = try fixture.apply()
            #expect(second.status == 0, "\(second.stdout)\(second.stderr)")
            #expect((second.json?["applied"] as? [String] ?? []).count == 10)
            for zone in ["a", "b", "c"] {
                #expect(try fixture.names(zone).count == 5)
            }
        }

        @Test("a write that succeeded but whose read-back fails is not reported as applied")
        func readBackFault() throws {
            let fixture = try Fixture()
            // Zone a does not exist when the plan is made, so every GET of it is the read-back
            // after its PATCH.
            try fixture.proxy.set([.status(500, match: .init(method: "GET", path: "zones/a\\.faults"))])
            let apply = try fixture.apply()
            #expect(apply.status == 3, "\(apply.stdout)\(apply.stderr)")
            let chunks = apply.json?["chunks"] as? [[String: Any]] ?? []
            #expect(fixture.chunkStatuses(apply).prefix(2) == ["applied", "failed"])
            let changes = chunks.count > 1 ? chunks[1]["changes"] as? [[String: Any]] ?? [] : []
            #expect(changes.map { $0["status"] as? String } == Array(repeating: "unconfirmed", count: 5), "\(changes)")
            // PowerDNS does hold them; the next run confirms and finds nothing left for zone a.
            #expect(try fixture.names("a").count == 5)
            try fixture.proxy.clear()
            let second = try fixture.apply()
            #expect(second.status == 0, "\(second.stdout)\(second.stderr)")
            #expect((second.json?["applied"] as? [String] ?? []).count == 10)
        }

        @Test("a write the server applied but answered with an error is retried without duplicates")
        func writeAppliedButAnsweredWithError() throws {
            let fixture = try Fixture()
            try fixture.proxy.set([.afterForwardStatus(502, times: 1, match: .init(method: "PATCH"))])
            let apply = try fixture.apply()
            #expect(apply.status == 0, "\(apply.stdout)\(apply.stderr)")
            let patches = try fixture.proxy.log().filter { $0.method == "PATCH" }
            #expect(patches.count == 4, "one PATCH repeated: \(patches.map(\.path))")
            #expect(patches.allSatisfy { $0.reachedUpstream })
            for zone in ["a", "b", "c"] {
                #expect(try fixture.names(zone).count == 5)
            }
        }
    }

    @Suite("faults between plumb and a local AWS-compatible server")
    struct AWSFaultTests {
        @Test("CreateVpc answered with a 500 after it ran is not repeated; the next run finds the VPC by its tags: one VPC, never two")
        func createAnsweredWithError() throws {
            let server = try MotoServer()
            let proxy = try FaultProxy(upstream: server.url)
            let repo = try TempRepo.empty()
            try repo.write("plumb.yaml", "stack: faults\n")
            try repo.write("Providers/cloud.yaml", "kind: aws\nregion: us-east-1\nendpoint: \(proxy.url)\nrate_limit: 100\n")
            try repo.write(
                "Desired/network.yaml",
                """
                provider: cloud
                vpcs:
                  main: {cidr: 10.70.0.0/16}
                subnets:
                  web-a: {vpc: main, cidr: 10.70.1.0/24, zone: us-east-1a}
                """)
            try proxy.set([
                .afterForwardStatus(
                    500, body: "<Response><Errors><Error><Code>InternalError</Code><Message>boom</Message></Error></Errors></Response>", times: 1,
                    match: .init(body: "Action=CreateVpc"))
            ])
            let first = try repo.plumb("apply", "--auto-approve", environment: server.credentialsEnvironment)
            #expect(first.status == 3 || first.status == 1, "\(first.stdout)\(first.stderr)")
            #expect((first.stdout + first.stderr).contains("CreateVpc: HTTP 500"), "\(first.stdout)\(first.stderr)")
            let creates = try proxy.log().filter { $0.fault != "forwarded" || $0.reachedUpstream }
            #expect(creates.filter { $0.fault == "after_forward_status" }.count == 1)

            let second = try repo.plumb("apply", "--auto-approve", environment: server.credentialsEnvironment)
            #expect(second.status == 0, "\(second.stdout)\(second.stderr)")
            let vpcs = try server.awsJSON(["ec2", "describe-vpcs", "--filters", "Name=tag:Name,Values=main"]) as? [String: Any]
            #expect((vpcs?["Vpcs"] as? [[String: Any]])?.count == 1)
            let subnets = try server.awsJSON(["ec2", "describe-subnets", "--filters", "Name=tag:Name,Values=web-a"]) as? [String: Any]
            #expect((subnets?["Subnets"] as? [[String: Any]])?.count == 1)
            let plan = try repo.plumb("plan", "--exit-code", environment: server.credentialsEnvironment)
            #expect(plan.status == 0, "\(plan.stdout)\(plan.stderr)")
        }
    }
}
