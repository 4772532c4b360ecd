import Foundation
import Testing

extension EndToEnd {
    @Suite("The example desired state, end to end")
    struct ExampleApplyTests {
        @Test("apply creates everything; a second plan and apply find nothing to do")
        func applyThenNoChanges() throws {
            let repo = try TempRepo.example()
            let first = try repo.plumb("apply", "--auto-approve")
            #expect(first.status == 0, "\(first.stderr)")
            #expect(first.stdout.contains("Applied 38 changes"))
            let plan = try repo.plumb("plan", "--exit-code")
            #expect(plan.status == 0)
            #expect(plan.stdout.contains("No changes"))
            let second = try repo.plumb("apply", "--auto-approve")
            #expect(second.status == 0)
            #expect(second.stdout.contains("No changes"))
            // The run with nothing to do still records its load, describe and plan timings.
            let history = try repo.plumb("history", "--format", "json")
            let newest = ((try? JSONSerialization.jsonObject(with: Data(history.stdout.utf8))) as? [[String: Any]])?.first
            #expect(newest?["status"] as? String == "unchanged")
            #expect(Set((newest?["timings"] as? [[String: Any]] ?? []).compactMap { $0["stage"] as? String }) == ["load", "describe", "plan"])
        }

        @Test("an edit plans exactly its changes, in dependency order and chunk size; after apply, none")
        func editPlansExactlyTheEdit() throws {
            let repo = try TempRepo.example()
            #expect(try repo.plumb("apply", "--auto-approve").status == 0)
            try repo.edit("Desired/dns/example.com.yaml", replacing: "  mail2:\n", with: "  new:\n    type: A\n    value: 192.0.2.99\n  mail2:\n")
            try repo.edit(
                "Desired/network/main.yaml", replacing: "  web-b: {vpc: main, cidr: 10.0.2.0/24, zone: us-east-1b, tags: {tier: web}}\n", with: "")
            try repo.edit(
                "Desired/network/main.yaml", replacing: "ports: 8080, from: security_group/lb", with: "ports: 8080-8090, from: security_group/lb")
            let plan = try repo.plumb("plan", "--format", "json", "--exit-code")
            #expect(plan.status == 2)
            #expect(
                plan.planChanges == [
                    "update net.security_group/web",
                    "create dns.record/example.com./new/A",
                    "delete net.subnet/web-b",
                ])
            let summary = plan.json?["summary"] as? [String: Int]
            #expect(summary?["create"] == 1 && summary?["update"] == 1 && summary?["delete"] == 1)
            #expect((plan.json?["chunks"] as? [Any])?.count == 3)
            let apply = try repo.plumb("apply", "--auto-approve")
            #expect(apply.status == 0, "\(apply.stdout)\(apply.stderr)")
            #expect(try repo.plumb("plan", "--exit-code").status == 0)
        }

        @Test("chunks hold at most chunking.max_changes changes")
        func chunkSize() throws {
            let repo = try TempRepo.example()
            try repo.edit("plumb.yaml", replacing: "max_changes: 500\n  by: kind", with: "max_changes: 3\n  by: kind")
            let plan = try repo.plumb("plan", "--format", "json")
            let chunks = plan.json?["chunks"] as? [[String: Any]] ?? []
            let sizes = chunks.map { ($0["changes"] as? [Any])?.count ?? 0 }
            #expect(sizes.allSatisfy { $0 <= 3 } && sizes.reduce(0, +) == 38)
            #expect(sizes.first == 1, "progressive by default: the first chunk is the canary")
            let kinds = chunks.map { $0["kind"] as? String ?? "" }
            #expect(kinds.first == "net.vpc" && kinds.last == "dns.record")
            #expect(kinds == kinds.sorted { order($0) < order($1) })
        }

        private func order(_ kind: String) -> Int {
            ["net.vpc", "net.subnet", "net.security_group", "iam.role", "dns.zone", "dns.record"].firstIndex(of: kind) ?? 9
        }

        @Test("apply without --auto-approve and without a terminal refuses and changes nothing")
        func refusesWithoutTerminal() throws {
            let repo = try TempRepo.example()
            let apply = try repo.plumb("apply")
            #expect(apply.status == 1)
            #expect(apply.stderr.contains("--auto-approve"))
            #expect(try repo.plumb("plan", "--exit-code").status == 2)
        }

        @Test("history records runs and --stats reports every stage")
        func historyStats() throws {
            let repo = try TempRepo.example()
            #expect(try repo.plumb("apply", "--auto-approve").status == 0)
            try repo.edit("Desired/dns/example.com.yaml", replacing: "value: 198.51.100.25", with: "value: 198.51.100.26")
            #expect(try repo.plumb("apply", "--auto-approve").status == 0)
            let stats = try repo.plumb("history", "--stats", "--format", "json")
            let stages = ((try? JSONSerialization.jsonObject(with: Data(stats.stdout.utf8))) as? [[String: Any]] ?? []).compactMap {
                $0["stage"] as? String
            }
            #expect(Set(stages).isSuperset(of: ["load", "describe", "plan", "apply", "readback", "check"]))
            let history = try repo.plumb("history", "--format", "json")
            let runs = (try? JSONSerialization.jsonObject(with: Data(history.stdout.utf8))) as? [[String: Any]] ?? []
            #expect(runs.count == 2)
            #expect(runs.first?["status"] as? String == "succeeded")
            #expect((runs.first?["applied"] as? [String]) == ["dns.record/example.com./mail2/A"])

            // The text table counts timings (apply, read-back and checks once per chunk), and says so.
            #expect(try repo.plumb("history", "--stats").stdout.hasPrefix("STAGE    SAMPLES"))
            // Zero runs asked for is a usage error (64), not "No runs yet." over a history that has two.
            let none = try repo.plumb("history", "--limit", "0")
            #expect(none.status == 64 && none.stderr.contains("--limit must be 1 or more"), "\(none.status) \(none.stderr)")
            #expect(try repo.plumb("history", "--format", "markdown").status == 64)
            // Help offers only what the command prints.
            for command in ["apply", "check", "history"] {
                let help = try repo.plumb(command, "--help").stdout
                #expect(help.contains("values: text, json;") && !help.contains("markdown"), "\(command) --help:\n\(help)")
            }
            #expect(try repo.plumb("plan", "--help").stdout.contains("markdown"), "plan still offers its Markdown")
        }
    }
}
