import Foundation
import PlumbTestSupport
import Testing

extension EndToEnd {
    /// ISC's example zone (from dnspython's tests, Tests/Fixtures/dns/isc-example.zone): odd
    /// CAA tags, `.` targets, escaped TXT bytes, every type a real server holds. Imported as a
    /// new user would: the documents validate, the plan is empty, apply changes nothing.
    @Suite("a real zone nobody here wrote: import, validate, plan, apply", .serialized)
    struct RealZoneImportTests {
        static let zoneFile = PowerDNSServer.fixture("dns/isc-example.zone")

        func roundTrip(_ repo: TempRepo, provider: String, environment: [String: String], serial: () throws -> [String]) throws {
            let imported = try repo.plumb("import", "--provider", provider, "--zone", "example.", "--out", "Desired", environment: environment)
            #expect(imported.status == 0, "\(imported.stderr)")
            #expect(imported.stderr.contains("not managed: "), "unmodelled types are listed")
            let validate = try repo.plumb("validate", environment: environment)
            #expect(validate.status == 0, "\(validate.stdout)\(validate.stderr)")
            let plan = try repo.plumb("plan", "--exit-code", environment: environment)
            #expect(plan.status == 0, "\(plan.stdout)\(plan.stderr)")
            let before = try serial()
            let apply = try repo.plumb("apply", "--auto-approve", environment: environment)
            #expect(apply.status == 0, "\(apply.stdout)\(apply.stderr)")
            #expect(try serial() == before, "apply wrote to the zone")
        }

        @Test("loaded into PowerDNS")
        func powerDNS() throws {
            let server = try PowerDNSServer()
            try server.loadZone("example", file: Self.zoneFile)
            let repo = try TempRepo.empty()
            try repo.write("Providers/pdns.yaml", "kind: powerdns\nurl: ${PDNS_URL}\napi_key: ${PDNS_API_KEY}\n")
            try roundTrip(repo, provider: "pdns", environment: ["PDNS_URL": server.url, "PDNS_API_KEY": server.apiKey]) {
                try PowerDNSServer.dig("example.", "SOA", port: server.dnsPort)
            }
            let document = try String(contentsOf: repo.url.appendingPathComponent("Desired/dns/example.yaml"), encoding: .utf8)
            #expect(document.contains("128 tbs \\\"Unknown\\\""))
        }

        @Test("loaded into BIND, reached through rfc2136")
        func bind() throws {
            let server = try DNSUpdateServer(.bind, zone: "example.", zoneFile: Self.zoneFile)
            let repo = try TempRepo.empty()
            try repo.write(
                "Providers/bind.yaml",
                """
                kind: rfc2136
                server: ${DNS_SERVER}
                tsig:
                  name: \(server.keyName)
                  algorithm: hmac-sha256
                  secret: ${TSIG_SECRET}
                zones: [example.]
                """)
            try roundTrip(repo, provider: "bind", environment: ["DNS_SERVER": "127.0.0.1:\(server.port)", "TSIG_SECRET": server.secret]) {
                try server.dig("example.", "SOA")
            }
        }
    }
}
