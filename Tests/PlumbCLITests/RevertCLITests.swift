import Foundation
import PlumbTestSupport
import Testing

/// SPEC §8.5 progressive chunking and `on_failure: revert`, against a real PowerDNS server:
/// the zone read back through its API and over DNS with `dig`.
extension EndToEnd {
    @Suite("progressive apply and revert against PowerDNS")
    struct RevertPowerDNSTests {
        static let zone = "rev.example."

        /// A check run after every records chunk that passes three times, then fails: it
        /// counts its runs in a file of the repository.
        static func failingFromFourth(_ repo: TempRepo) -> String {
            let counter = repo.url.appendingPathComponent("check-runs").path
            return """
                checks:
                  zone-healthy:
                    after: dns.record/\(zone)/*
                    command: [sh, -c, "n=$(cat \(counter) 2>/dev/null || echo 0); echo $((n+1)) > \(counter); [ $n -lt 3 ]"]
                    timeout: 1s
                """
        }

        /// Before the run: `keep` and `changeme`; the run's desired state keeps `keep`,
        /// changes `changeme` and creates h0…h98: 100 changes.
        static func repo(_ server: PowerDNSServer, onFailure: String) throws -> TempRepo {
            let repo = try TempRepo.empty()
            try repo.write("plumb.yaml", "stack: rev\non_failure: \(onFailure)\n")
            try repo.write("Providers/pdns.yaml", "kind: powerdns\nurl: ${PDNS_URL}\napi_key: ${PDNS_API_KEY}\n")
            try repo.write(
                "Desired/zone.yaml",
                """
                provider: pdns
                zone: \(zone)
                records:
                  keep: {type: A, value: 192.0.2.1}
                  changeme: {type: TXT, value: before}
                """)
            return repo
        }

        static func runDesired(_ repo: TempRepo) throws {
            let records = (0..<99).map { "  h\($0): {type: A, value: 198.51.100.\($0 + 1)}\n" }.joined()
            try repo.write(
                "Desired/zone.yaml",
                """
                provider: pdns
                zone: \(zone)
                records:
                  keep: {type: A, value: 192.0.2.1}
                  changeme: {type: TXT, value: after}
                \(records)\(failingFromFourth(repo))
                """)
        }

        /// The zone's rrsets other than the SOA, as the API reports them, sorted.
        static func zoneByAPI(_ server: PowerDNSServer) throws -> [String] {
            let (status, body) = try server.api("GET", "/zones/\(zone)")
            #expect(status == 200)
            let json = try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any]
            return (json?["rrsets"] as? [[String: Any]] ?? []).filter { $0["type"] as? String != "SOA" }.map { rrset in
                let values = (rrset["records"] as? [[String: Any]] ?? []).compactMap { $0["content"] as? String }.sorted()
                return "\(rrset["name"] as? String ?? "") \(rrset["type"] as? String ?? "") \(rrset["ttl"] as? Int ?? 0) \(values)"
            }.sorted()
        }

        /// The zone over DNS: an AXFR with `dig`, without the SOA (its serial moves).
        static func zoneByDig(_ server: PowerDNSServer) throws -> [String] {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/dig")
            process.arguments = ["@127.0.0.1", "-p", "\(server.dnsPort)", "AXFR", zone, "+noall", "+answer", "+nocmd"]
            let pipe = Pipe()
            process.standardOutput = pipe
            try process.run()
            let data = pipe.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            #expect(process.terminationStatus == 0)
            let lines = String(decoding: data, as: UTF8.self).split(separator: "\n").map { String($0) }
            #expect(lines.count > 2, "dig AXFR returned nothing: \(lines)")
            return lines.filter { !$0.contains("\tSOA\t") }.map { $0.split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ") }
                .sorted()
        }

        static func history(_ repo: TempRepo) throws -> [[String: Any]] {
            let history = try repo.plumb("history", "--format", "json")
            return (try JSONSerialization.jsonObject(with: Data(history.stdout.utf8))) as? [[String: Any]] ?? []
        }

        @Test("100 changes plan as chunks of 1, 2, 4, 8, 16, 32, 37; a check failing at the fourth chunk stops there")
        func stopsAtFourthChunk() throws {
            let server = try PowerDNSServer()
            let repo = try Self.repo(server, onFailure: "stop")
            let env = ["PDNS_URL": server.url, "PDNS_API_KEY": server.apiKey]
            #expect(try repo.plumb("apply", "--auto-approve", environment: env).status == 0)
            try Self.runDesired(repo)
            let plan = try repo.plumb("plan", environment: env)
            #expect(plan.stdout.contains("Chunks: 1, 2, 4, 8, 16, 32, 37 (progressive"), "\(plan.stdout.prefix(400))")
            let json = try repo.plumb("plan", "--format", "json", environment: env)
            let sizes = ((json.json?["chunking"] as? [String: Any])?["sizes"] as? [Int]) ?? []
            #expect(sizes == [1, 2, 4, 8, 16, 32, 37])

            let apply = try repo.plumb("apply", "--auto-approve", "--format", "json", environment: env)
            #expect(apply.status == 3, "\(apply.stderr)")
            let chunks = apply.json?["chunks"] as? [[String: Any]] ?? []
            #expect(chunks.map { $0["status"] as? String } == ["applied", "applied", "applied", "failed", "skipped", "skipped", "skipped"])
            // Chunks 1-4 hold changeme and the first 14 creates in address order; nothing of
            // chunks 5-7 reached the zone.
            let first14 = (0..<99).map { "h\($0)" }.sorted().prefix(14).map { "\($0).\(Self.zone)" }
            let live = try Self.zoneByAPI(server).filter { $0.hasPrefix("h") }.map { String($0.prefix { $0 != " " }) }
            #expect(live.sorted() == first14.sorted(), "chunk 5 or later was applied, or chunk 4 was not")
        }

        @Test("on_failure: revert puts the zone back as it was before the run (API and dig), run reverted, exit 4")
        func revertsTheZone() throws {
            let server = try PowerDNSServer()
            let repo = try Self.repo(server, onFailure: "revert")
            let env = ["PDNS_URL": server.url, "PDNS_API_KEY": server.apiKey]
            #expect(try repo.plumb("apply", "--auto-approve", environment: env).status == 0)
            let beforeAPI = try Self.zoneByAPI(server)
            let beforeDig = try Self.zoneByDig(server)
            #expect(beforeAPI.count == 2, "keep and changeme: \(beforeAPI)")
            try Self.runDesired(repo)

            let apply = try repo.plumb("apply", "--auto-approve", "--format", "json", environment: env)
            #expect(apply.status == 4, "\(apply.stdout.suffix(800))\(apply.stderr)")
            #expect(apply.json?["status"] as? String == "reverted")
            let revert = apply.json?["revert"] as? [String: Any]
            let revertChunks = revert?["chunks"] as? [[String: Any]] ?? []
            #expect(revertChunks.map { $0["index"] as? Int } == [3, 2, 1, 0])
            #expect(revertChunks.allSatisfy { $0["status"] as? String == "applied" })
            let rechecked = revert?["checks"] as? [[String: Any]] ?? []
            #expect(rechecked.map { $0["name"] as? String } == ["zone-healthy"])
            #expect((apply.json?["reverted"] as? [String] ?? []).count == 15)

            #expect(try Self.zoneByAPI(server) == beforeAPI)
            #expect(try Self.zoneByDig(server) == beforeDig)

            let last = try #require(try Self.history(repo).first)
            #expect(last["status"] as? String == "reverted")
            #expect((last["applied"] as? [String] ?? []).count == 15)
            #expect(Set(last["reverted"] as? [String] ?? []) == Set(last["applied"] as? [String] ?? []))
            let text = try repo.plumb("history")
            #expect(text.stdout.contains("reverted"))
            #expect(text.stdout.contains("applied 15 change(s), then put back 15"))
        }
    }
}
