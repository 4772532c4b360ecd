import Foundation
import PlumbTestSupport
import Testing

/// A zone of four records in chunks of two ([zone] [a b] [c d]) and a check after chunk 2 that
/// must hold for `hold` against `url`.
private func soakRepo(url: String, hold: String, onFailure: String = "stop") throws -> TempRepo {
    let repo = try TempRepo.empty()
    try repo.write("plumb.yaml", "stack: soak\nchunking: {max_changes: 2, by: kind}\non_failure: \(onFailure)\n")
    try repo.write("Providers/dns.yaml", "kind: embedded\n")
    let records = ["a", "b", "c", "d"].enumerated()
        .map { "  \($0.element): {type: A, value: 192.0.2.\($0.offset + 1)}" }.joined(separator: "\n")
    try repo.write("Desired/zone.yaml", "provider: dns\nzone: soak.example.\nrecords:\n\(records)\n")
    try repo.write(
        "Desired/checks.yaml",
        """
        checks:
          soak:
            after: "dns.record/soak.example./b/*"
            http: {url: "\(url)/healthz", status: 200}
            samples: 2
            interval: 200ms
            p95: 1s
            hold: \(hold)
            timeout: 2s
        """)
    return repo
}

extension EndToEnd {
    @Suite("Checks that measure, in an apply")
    struct SoakCheckTests {
        @Test("an apply whose second chunk breaks a soak-window check stops with exit 3 and reports the figures")
        func soakBrokenStops() throws {
            // Healthy for the first five requests (about a second into the window), then 500s.
            let service = try ScriptedHTTPServer(Array(repeating: .init(status: 200, body: "ok"), count: 5), default: .init(status: 500))
            let repo = try soakRepo(url: service.url, hold: "3s")
            let apply = try repo.plumb("apply", "--auto-approve", "--format", "json")
            #expect(apply.status == 3, "\(apply.stderr)")
            let chunks = apply.json?["chunks"] as? [[String: Any]] ?? []
            #expect(chunks.map { $0["status"] as? String } == ["applied", "failed", "skipped"])
            let check = (chunks.count > 1 ? chunks[1]["checks"] as? [[String: Any]] : nil)?.first ?? [:]
            #expect(check["passed"] as? Bool == false)
            let detail = check["detail"] as? String ?? ""
            #expect(detail.contains("into its 3 s hold") && detail.contains("answered 500"), "\(detail)")
            let figures = check["figures"] as? [String: Double] ?? [:]
            #expect(figures["error_rate"] == 1 || figures["error_rate"] == 0.5, "\(figures)")
            #expect(figures["p95_ms"] != nil && figures["samples"] != nil)

            // History keeps the figures.
            let history = try repo.plumb("history", "--format", "json")
            let runs = (try? JSONSerialization.jsonObject(with: Data(history.stdout.utf8))) as? [[String: Any]] ?? []
            let stored = runs.compactMap { ($0["checks"] as? [[String: Any]])?.first }.first
            #expect((stored?["figures"] as? [String: Double])?["p95_ms"] != nil, "\(history.stdout.prefix(2000))")
        }

        @Test("with on_failure: revert, a soak window broken after chunk 2 puts every applied change back: exit 4, nothing left")
        func soakBrokenReverts() throws {
            let service = try ScriptedHTTPServer(Array(repeating: .init(status: 200, body: "ok"), count: 5), default: .init(status: 500))
            let repo = try soakRepo(url: service.url, hold: "3s", onFailure: "revert")
            let apply = try repo.plumb("apply", "--auto-approve", "--format", "json")
            #expect(apply.status == 4, "\(apply.stdout.prefix(3000))\(apply.stderr)")
            #expect(apply.json?["status"] as? String == "reverted", "\(apply.stdout.prefix(2000))")
            // The zone and the two records applied before the failed window are gone again.
            let plan = try repo.plumb("plan", "--format", "json")
            let summary = plan.json?["summary"] as? [String: Any] ?? [:]
            #expect(summary["create"] as? Int == 5, "\(summary)")
            #expect(summary["delete"] as? Int == 0)
        }

        @Test("a soak window that holds lets the apply finish, and the text output shows the figures")
        func soakHolds() throws {
            let service = try ScriptedHTTPServer([], default: .init(status: 200, body: "ok"))
            let repo = try soakRepo(url: service.url, hold: "1s")
            let apply = try repo.plumb("apply", "--auto-approve")
            #expect(apply.status == 0, "\(apply.stdout)\(apply.stderr)")
            #expect(apply.stdout.contains("check soak:") && apply.stdout.contains("held 1 s") && apply.stdout.contains("p95 "), "\(apply.stdout)")
        }
    }
}
