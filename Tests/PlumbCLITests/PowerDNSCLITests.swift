import Foundation
import PlumbTestSupport
import Testing

extension EndToEnd {
    @Suite("plumb against a real PowerDNS server")
    struct PowerDNSCLITests {
        @Test("apply, a dns check that queries the server, re-plan with no changes, and no secret in any output or state")
        func endToEnd() throws {
            let server = try PowerDNSServer()
            let repo = try TempRepo.empty()
            try repo.write("Providers/pdns.yaml", "kind: powerdns\nurl: ${PDNS_URL}\napi_key: ${PDNS_API_KEY}\n")
            try repo.write(
                "Desired/zone.yaml",
                """
                provider: pdns
                zone: cli.example.
                records:
                  www: {type: A, values: [192.0.2.10, 192.0.2.11]}
                  txt: {type: TXT, value: "hello \\"quoted\\" world"}
                checks:
                  www-resolves:
                    after: dns.record/cli.example./www/*
                    dns: {name: www.cli.example., type: A, server: "127.0.0.1:\(server.dnsPort)", expect: [192.0.2.10, 192.0.2.11]}
                    timeout: 5s
                """)
            let environment = ["PDNS_URL": server.url, "PDNS_API_KEY": server.apiKey]
            let apply = try repo.plumb("apply", "--auto-approve", "--format", "json", environment: environment)
            #expect(apply.status == 0, "\(apply.stderr)")
            let checks = (apply.json?["chunks"] as? [[String: Any]] ?? []).flatMap { $0["checks"] as? [[String: Any]] ?? [] }
            #expect(checks.map { $0["name"] as? String } == ["www-resolves"])
            #expect(checks.first?["passed"] as? Bool == true)
            let plan = try repo.plumb("plan", "--exit-code", environment: environment)
            #expect(plan.status == 0, "\(plan.stdout)\(plan.stderr)")
            let drift = try repo.plumb("drift", "--format", "json", environment: environment)
            let history = try repo.plumb("history", "--format", "json")
            for output in [apply.stdout, apply.stderr, plan.stdout, drift.stdout, history.stdout] {
                #expect(!output.contains(server.apiKey))
            }
            for file in try FileManager.default.contentsOfDirectory(atPath: repo.url.appendingPathComponent(".plumb").path)
            where file.hasPrefix("state.sqlite") {
                let state = try Data(contentsOf: repo.url.appendingPathComponent(".plumb/\(file)"))
                #expect(state.range(of: Data(server.apiKey.utf8)) == nil, "\(file) holds the API key")
            }
            // A wrong key: exit 1, one clear message.
            let wrong = try repo.plumb("plan", environment: ["PDNS_URL": server.url, "PDNS_API_KEY": "not-the-key"])
            #expect(wrong.status == 1)
            #expect(wrong.stderr.contains("HTTP 401"))
            #expect(!wrong.stderr.contains("not-the-key"))
        }
    }
}

extension EndToEnd {
    @Suite("PowerDNS drift and crashes")
    struct PowerDNSDriftTests {
        func repo(_ server: PowerDNSServer, records: Int = 3, chunk: Int = 20, check: String = "") throws -> TempRepo {
            let repo = try TempRepo.empty()
            try repo.write("plumb.yaml", "stack: pd\nchunking: {max_changes: \(chunk)}\n")
            try repo.write("Providers/pdns.yaml", "kind: powerdns\nurl: ${PDNS_URL}\napi_key: ${PDNS_API_KEY}\n")
            let lines = (1...records).map { "  h\($0): {type: A, value: 192.0.2.\($0 % 250 + 1)}\n" }.joined()
            try repo.write("Desired/zone.yaml", "provider: pdns\nzone: drift.example.\nrecords:\n\(lines)\(check)")
            return repo
        }

        @Test("a record changed by hand is modified, one added by hand is unmanaged; apply heals both")
        func driftThroughTheAPI() throws {
            let server = try PowerDNSServer()
            let repo = try repo(server)
            let env = ["PDNS_URL": server.url, "PDNS_API_KEY": server.apiKey]
            #expect(try repo.plumb("apply", "--auto-approve", environment: env).status == 0)
            let (status, _) = try server.api(
                "PATCH", "/zones/drift.example.",
                body:
                    #"{"rrsets":[{"name":"h1.drift.example.","type":"A","ttl":3600,"changetype":"REPLACE","records":[{"content":"192.0.2.200","disabled":false}]},{"name":"rogue.drift.example.","type":"A","ttl":60,"changetype":"REPLACE","records":[{"content":"192.0.2.66","disabled":false}]}]}"#
            )
            #expect(status == 204)
            let drift = try repo.plumb("drift", "--format", "json", "--exit-code", environment: env)
            #expect(drift.status == 2)
            let items = (drift.json?["items"] as? [[String: Any]] ?? []).map { "\($0["state"] as? String ?? "") \($0["address"] as? String ?? "")" }
            #expect(items.sorted() == ["modified dns.record/drift.example./h1/A", "unmanaged dns.record/drift.example./rogue/A"])
            #expect(try repo.plumb("apply", "--auto-approve", environment: env).status == 0)
            #expect(try repo.plumb("drift", "--exit-code", environment: env).status == 0)
        }

        @Test("PowerDNS killed mid-apply: the chunk fails clearly after retries, the run is recorded, the next apply converges")
        func serverKilledMidApply() throws {
            let server = try PowerDNSServer()
            // 40 records in chunks of 10; a slow check after the second records chunk gives time to kill the server.
            let check = "checks:\n  pause:\n    after: dns.record/drift.example./h2*/A\n    command: [sleep, \"8\"]\n    timeout: 30s\n"
            let repo = try repo(server, records: 40, chunk: 10, check: check)
            var env = ["PDNS_URL": server.url, "PDNS_API_KEY": server.apiKey]
            let process = Process()
            process.executableURL = PlumbProcess.binary
            process.arguments = ["apply", "--auto-approve", "--format", "json"]
            process.currentDirectoryURL = repo.url
            process.environment = ProcessInfo.processInfo.environment.merging(env) { _, new in new }
            let output = repo.url.appendingPathComponent("apply.json")
            _ = FileManager.default.createFile(atPath: output.path, contents: nil)
            process.standardOutput = try FileHandle(forWritingTo: output)
            process.standardError = FileHandle.nullDevice
            try process.run()
            // Kill the server once the chunk the check pauses after is written.
            let deadline = Date().addingTimeInterval(120)
            while Date() < deadline, !((try? server.api("GET", "/zones/drift.example.").1) ?? "").contains("h20.drift.example.") {
                Thread.sleep(forTimeInterval: 0.1)
            }
            server.kill()
            process.waitUntilExit()
            #expect(process.terminationStatus == 3)
            let result = (try? JSONSerialization.jsonObject(with: Data(contentsOf: output))) as? [String: Any]
            let error = result?["error"] as? String ?? ""
            #expect(error.contains("pdns") && error.contains("update zone drift.example."), "\(error)")
            let history = try repo.plumb("history", "--format", "json")
            let last = ((try? JSONSerialization.jsonObject(with: Data(history.stdout.utf8))) as? [[String: Any]])?.first
            #expect(last?["status"] as? String == "failed")
            #expect(((last?["applied"] as? [String]) ?? []).count > 0)

            try server.restart()
            env = ["PDNS_URL": server.url, "PDNS_API_KEY": server.apiKey]
            try repo.edit("Desired/zone.yaml", replacing: "command: [sleep, \"8\"]", with: "command: [\"true\"]")
            let rerun = try repo.plumb("apply", "--auto-approve", environment: env)
            #expect(rerun.status == 0, "\(rerun.stderr)")
            #expect(try repo.plumb("plan", "--exit-code", environment: env).status == 0)
            let (_, body) = try server.api("GET", "/zones/drift.example.")
            #expect(body.components(separatedBy: "\"h17.drift.example.\"").count == 2)
        }
    }
}
