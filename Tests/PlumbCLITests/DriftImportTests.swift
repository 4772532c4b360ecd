import Foundation
import PlumbCore
import PlumbProviderEmbedded
import Testing

extension EndToEnd {
    @Suite("Drift and import")
    struct DriftImportTests {
        @Test("hand-made changes show as modified, missing and unmanaged; apply heals them")
        func driftAndHeal() async throws {
            let repo = try TempRepo.example()
            #expect(try repo.plumb("apply", "--auto-approve").status == 0)
            let dns = try EmbeddedProvider(
                binding: ProviderBinding(name: "dns", type: .embedded, settings: ["path": "dns.sqlite"]),
                stateDirectory: repo.url.appendingPathComponent(".plumb").path)
            try await dns.tamper(.record(zone: "example.com.", name: "www", type: .A), spec: .record(RecordSpec(ttl: 300, values: ["192.0.2.99"])))
            try await dns.tamper(.record(zone: "example.com.", name: "mail2", type: .A), spec: nil)
            try await dns.tamper(.record(zone: "example.com.", name: "legacy", type: .A), spec: .record(RecordSpec(ttl: 300, values: ["192.0.2.50"])))
            try await dns.insertUnmodeled(UnmodeledRecord(zone: "example.com.", name: "@", type: "DS", ttl: 3600, values: ["12345 13 2 ABCD"]))

            let drift = try repo.plumb("drift", "--format", "json", "--exit-code")
            #expect(drift.status == 2)
            #expect(drift.json?["format"] as? String == "plumb.drift/v1")
            #expect(drift.json?["summary"] as? [String: Int] == ["modified": 1, "missing": 1, "unmanaged": 1])
            let items = drift.json?["items"] as? [[String: Any]] ?? []
            let modified = items.first { $0["state"] as? String == "modified" }
            #expect(modified?["address"] as? String == "dns.record/example.com./www/A")
            let diff = (modified?["diff"] as? [[String: Any]])?.first
            #expect(diff?["field"] as? String == "values")
            #expect(diff?["live"] as? [String] == ["192.0.2.99"])
            #expect((drift.json?["not_managed"] as? [[String: Any]])?.first?["type"] as? String == "DS")

            #expect(try repo.plumb("apply", "--auto-approve").status == 0)
            #expect(try repo.plumb("drift", "--exit-code").status == 0)
            // The DS record Plumb does not model is still there.
            let after = try repo.plumb("drift", "--format", "json")
            #expect((after.json?["not_managed"] as? [Any])?.count == 1)
        }

        @Test("import writes documents that plan back to no changes")
        func importRoundTrip() throws {
            let repo = try TempRepo.example()
            #expect(try repo.plumb("apply", "--auto-approve").status == 0)
            for provider in ["dns", "cloud"] {
                let result = try repo.plumb("import", "--provider", provider, "--out", "imported/Desired")
                #expect(result.status == 0, "\(result.stderr)")
            }
            let copy = try TempRepo.empty()
            try FileManager.default.copyItem(at: repo.url.appendingPathComponent("imported/Desired"), to: copy.url.appendingPathComponent("Desired"))
            try FileManager.default.copyItem(at: repo.url.appendingPathComponent("Providers"), to: copy.url.appendingPathComponent("Providers"))
            try FileManager.default.copyItem(at: repo.url.appendingPathComponent("plumb.yaml"), to: copy.url.appendingPathComponent("plumb.yaml"))
            try FileManager.default.copyItem(at: repo.url.appendingPathComponent(".plumb"), to: copy.url.appendingPathComponent(".plumb"))
            let plan = try copy.plumb("plan", "--exit-code")
            #expect(plan.status == 0, "\(plan.stdout)\(plan.stderr)")
            #expect(plan.stdout.contains("No changes. 38 resources up to date."))
        }
    }
}
