import Foundation
import PlumbTestSupport
import Testing

/// A zone of six records in chunks of two ([zone] [a b] [c d] [e f]) and a check `gate`
/// after record b, written by `check`.
private func gatedRepo(provider: String, check: String) throws -> TempRepo {
    let repo = try TempRepo.empty()
    try repo.write("plumb.yaml", "stack: promise\nchunking: {strategy: fixed, max_changes: 2, by: kind}\n")
    try repo.write("Providers/dns.yaml", provider)
    let records = ["a", "b", "c", "d", "e", "f"].enumerated()
        .map { "  \($0.element): {type: A, value: 192.0.2.\($0.offset + 1)}" }.joined(separator: "\n")
    try repo.write("Desired/zone.yaml", "provider: dns\nzone: promise.example.\nrecords:\n\(records)\n")
    try repo.write("Desired/checks.yaml", "checks:\n  gate:\n    after: \"dns.record/promise.example./b/*\"\n\(check)    timeout: 1s\n")
    return repo
}

extension EndToEnd {
    @Suite("Plans that keep their promises (SPEC §8.5)")
    struct PromiseTests {
        /// The scenario of issue 17, for any provider: `breakCheck` made `gate` fail,
        /// `fixCheck` makes it pass.
        func failedCheckIsNotForgotten(_ repo: TempRepo, environment: [String: String] = [:], fixCheck: () throws -> Void) throws {
            let first = try repo.plumb("apply", "--auto-approve", "--format", "json", environment: environment)
            #expect(first.status == 3, "\(first.stderr)")
            let chunks = first.json?["chunks"] as? [[String: Any]] ?? []
            #expect(chunks.map { $0["status"] as? String } == ["applied", "failed", "skipped", "skipped"])
            let failedRun = first.json?["run"] as? Int ?? 0

            // Again, the check still failing: the rest of the plan is applied, the owed check
            // runs again, and the answer is still 3.
            let second = try repo.plumb("apply", "--auto-approve", "--format", "json", environment: environment)
            #expect(second.status == 3, "\(second.stdout)\(second.stderr)")
            let recheck = second.json?["recheck"] as? [String: Any]
            #expect(recheck?["failed_run"] as? Int == failedRun)
            #expect((recheck?["checks"] as? [[String: Any]])?.first?["name"] as? String == "gate")
            #expect(second.json?["status"] as? String == "failed")

            // Nothing left to change: still 3, never 0, and the check ran again.
            let third = try repo.plumb("apply", "--auto-approve", environment: environment)
            #expect(third.status == 3, "\(third.stdout)\(third.stderr)")
            #expect(third.stdout.contains("check gate"))
            #expect(third.stdout.contains("Not applied: a check still fails."))
            let check = try repo.plumb("check", "--format", "json", environment: environment)
            #expect(check.status == 3, "\(check.stdout)\(check.stderr)")
            #expect((check.json?["owed"] as? [String: Any])?["run"] as? Int == failedRun)

            try fixCheck()
            let fixed = try repo.plumb("apply", "--auto-approve", environment: environment)
            #expect(fixed.status == 0, "\(fixed.stdout)\(fixed.stderr)")
            #expect(fixed.stdout.contains("checks that failed on run \(failedRun) now pass"))
            let again = try repo.plumb("apply", "--auto-approve", environment: environment)
            #expect(again.status == 0 && again.stdout.contains("No changes"), "\(again.stdout)")
            let passing = try repo.plumb("check", environment: environment)
            #expect(passing.status == 0, "\(passing.stdout)\(passing.stderr)")
            #expect(try repo.plumb("check", "--only", "gate", environment: environment).status == 0)
            #expect(try repo.plumb("check", "--only", "nope", environment: environment).status == 1)

            let history = try repo.plumb("history", "--format", "json")
            let runs = (try JSONSerialization.jsonObject(with: Data(history.stdout.utf8))) as? [[String: Any]] ?? []
            let cleared = runs.first { ($0["note"] as? String) == "checks that failed on run \(failedRun) now pass" }
            #expect(cleared?["status"] as? String == "succeeded" && cleared?["kind"] as? String == "apply")
            #expect(runs.contains { $0["kind"] as? String == "check" && $0["trigger"] as? String == "cli" && $0["status"] as? String == "failed" })
            #expect(runs.filter { $0["status"] as? String == "failed" }.count == 4, "three applies and one check failed")
            let text = try repo.plumb("history")
            #expect(text.stdout.contains("checks that failed on run \(failedRun) now pass"))
            let show = try repo.plumb("history", "show", "\(failedRun)")
            #expect(show.status == 0)
            #expect(show.stdout.contains("chunk 2: failed") && show.stdout.contains("✗ check gate") && show.stdout.contains("timings:"))
            let showJSON = try repo.plumb("history", "show", "\(failedRun)", "--format", "json")
            #expect(((showJSON.json?["result"] as? [String: Any])?["chunks"] as? [Any])?.count == 4)
        }

        @Test("embedded: a failed check stays failed until it passes; apply and check answer 3, then 0")
        func embedded() throws {
            let flag = FileManager.default.temporaryDirectory.appendingPathComponent("plumb-gate-\(UUID().uuidString)")
            let repo = try gatedRepo(provider: "kind: embedded\n", check: "    command: [test, -e, \"\(flag.path)\"]\n")
            try failedCheckIsNotForgotten(repo) {
                _ = FileManager.default.createFile(atPath: flag.path, contents: Data())
            }
        }

        @Test("PowerDNS: a DNS check that fails stays failed until a commit's own check passes")
        func powerDNS() throws {
            let server = try PowerDNSServer()
            let check = "    dns: {name: b.promise.example., type: A, server: \"127.0.0.1:\(server.dnsPort)\", expect: [192.0.2.99]}\n"
            let repo = try gatedRepo(provider: "kind: powerdns\nurl: ${PDNS_URL}\napi_key: ${PDNS_API_KEY}\n", check: check)
            try failedCheckIsNotForgotten(repo, environment: ["PDNS_URL": server.url, "PDNS_API_KEY": server.apiKey]) {
                try repo.edit("Desired/checks.yaml", replacing: "expect: [192.0.2.99]", with: "expect: [192.0.2.2]")
            }
        }

        @Test("removing a 30-record zone's document plans 31 deletes, records first, and max_deletes: 25 refuses with the numbers")
        func zoneDeletionCountsRecords() throws {
            let repo = try TempRepo.empty()
            // Policy plan-delete-zone (SPEC §8.6) would deny any zone deletion; warn lets the
            // safety limits speak.
            try repo.write("plumb.yaml", "stack: zones\nsafety: {max_deletes: 25}\npolicies: {plan-delete-zone: warn}\n")
            try repo.write("Providers/dns.yaml", "kind: embedded\n")
            let records = (1...30).map { "  h\($0): {type: A, value: 192.0.2.\($0)}\n" }.joined()
            try repo.write("Desired/big.yaml", "provider: dns\nzone: big.example.\nrecords:\n\(records)")
            try repo.write("Desired/small.yaml", "provider: dns\nzone: small.example.\nrecords:\n  www: {type: A, value: 192.0.2.1}\n")
            #expect(try repo.plumb("apply", "--auto-approve").status == 0)
            try repo.remove("Desired/big.yaml")

            let plan = try repo.plumb("plan", "--format", "json")
            let changes = plan.planChanges
            #expect(changes.count == 31)
            #expect(changes.filter { $0.hasPrefix("delete dns.record/big.example./") }.count == 30)
            #expect(changes.last == "delete dns.zone/big.example.", "the records go before their zone")
            #expect((plan.json?["summary"] as? [String: Int])?["delete"] == 31)
            let text = try repo.plumb("plan")
            #expect(text.stdout.contains("dns.record/big.example./h17/A"))
            let markdown = try repo.plumb("plan", "--format", "markdown")
            #expect(markdown.stdout.contains("dns.record/big.example./h17/A"))
            #expect(text.stdout.contains("31 deletions exceed safety.max_deletes (25)"), "\(text.stdout)")

            let refused = try repo.plumb("apply", "--auto-approve")
            #expect(refused.status == 1)
            #expect(refused.stderr.contains("31 deletions exceed safety.max_deletes (25)"), "\(refused.stderr)")
            #expect(refused.stderr.contains("zone big.example. (provider dns): 30 of 30 deleted"))
            let history = try repo.plumb("history", "--format", "json")
            let runs = (try JSONSerialization.jsonObject(with: Data(history.stdout.utf8))) as? [[String: Any]] ?? []
            #expect(runs.first?["status"] as? String == "refused", "a refusal is a run too")

            let forced = try repo.plumb("apply", "--auto-approve", "--force", "--format", "json")
            #expect(forced.status == 0, "\(forced.stderr)")
            #expect((forced.json?["applied"] as? [String])?.count == 31)
            #expect(try repo.plumb("plan", "--exit-code").status == 0)
        }
    }
}
