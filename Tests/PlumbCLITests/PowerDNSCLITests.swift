import Foundation
import PlumbTestSupport
import Testing

@Suite("plumb against a real PowerDNS server")
struct PowerDNSCLITests {
    @Test("apply, a dns check that queries the server, re-plan with no changes, and no secret in any output or state")
    func endToEnd() throws {
        let server = try PowerDNSServer()
        let repo = try TempRepo.empty()
        try repo.write("Providers/pdns.yaml", "kind: powerdns\nurl: ${PDNS_URL}\napi_key: ${PDNS_API_KEY}\n")
        try repo.write("Desired/zone.yaml", """
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
        for file in try FileManager.default.contentsOfDirectory(atPath: repo.url.appendingPathComponent(".plumb").path) where file.hasPrefix("state.sqlite") {
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
