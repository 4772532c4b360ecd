import Foundation
import PlumbTestSupport
import Testing

@testable import PlumbCore

@Suite("Drift reports")
struct DriftReportTests {
    static let zone = F.zone("example.com.")
    static let www = F.record("example.com.", "www", .A, ["192.0.2.10"])
    static let api = F.record("example.com.", "api", .CNAME, ["www.example.com."])
    static let legacy = F.record("example.com.", "legacy", .A, ["192.0.2.50"], ttl: 300)
    static let commit = "3f2c9a1b8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a"

    /// SPEC §6's example: www/A modified, api/CNAME missing, legacy/A unmanaged, a DS not managed.
    static func report() -> DriftReport {
        let desired = F.state([zone, www, api]) { $0.stack = "production" }
        let inventory = F.inventory(
            [
                F.live(zone),
                F.live(www.address, .record(RecordSpec(ttl: 3600, values: ["192.0.2.99"]))),
                F.live(legacy),
            ], unmodeled: [UnmodeledRecord(zone: "example.com.", name: "@", type: "DS", ttl: 3600, values: ["1 13 2 AB"])])
        return DriftReport(plan: planOf(desired, inventory, source: PlanSource(commit: commit)))
    }

    @Test("plan actions become drift states")
    func states() throws {
        let report = Self.report()
        #expect(report.format == "plumb.drift/v1")
        #expect(report.stack == "production")
        #expect(report.items.map(\.address) == [Self.api.address, Self.legacy.address, Self.www.address])
        #expect(report.items.map(\.state) == [.missing, .unmanaged, .modified])
        #expect(report.summary.modified == 1)
        #expect(report.summary.missing == 1)
        #expect(report.summary.unmanaged == 1)
        #expect(report.hasDrift)
        let modified = try #require(report.items.last)
        #expect(modified.diff == [FieldDifference(field: "values", desired: .array([.string("192.0.2.10")]), live: .array([.string("192.0.2.99")]))])
        let unmanaged = report.items[1]
        #expect(unmanaged.live == .object(["ttl": .int(300), "values": .array([.string("192.0.2.50")])]))
        #expect(report.notManaged.map(\.type) == ["DS"])
    }

    @Test("a replaced resource is modified, with every differing field")
    func replaceIsModified() throws {
        let subnet = F.subnet("web-a", "10.0.1.0/24")
        let live = F.live(subnet.address, .subnet(SubnetSpec(vpc: "main", cidr: "10.0.9.0/24", zone: "us-east-1b")), owner: F.stack)
        let report = DriftReport(plan: planOf(F.state([subnet]), F.inventory([live])))
        let item = try #require(report.items.first)
        #expect(item.state == .modified)
        #expect(item.diff?.map(\.field) == ["cidr", "zone"])
    }

    @Test("no differences, no drift")
    func noDrift() {
        let report = DriftReport(plan: planOf(F.state([Self.zone, Self.www]), F.inventory([F.live(Self.zone), F.live(Self.www)])))
        #expect(!report.hasDrift)
        #expect(report.items.isEmpty)
        #expect(DriftTextRenderer(style: TextStyle(color: false)).render(report).contains("No drift"))
        #expect(DriftMarkdownRenderer().render(report).contains("No drift."))
    }

    @Test("the JSON is plumb.drift/v1 with summary, items and field diffs")
    func json() throws {
        let text = try JSONOutput.encode(Self.report())
        let root = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(root["format"] as? String == "plumb.drift/v1")
        #expect(root["stack"] as? String == "production")
        #expect((root["source"] as? [String: Any])?["commit"] as? String == Self.commit)
        #expect(root["summary"] as? [String: Int] == ["modified": 1, "missing": 1, "unmanaged": 1])
        let items = try #require(root["items"] as? [[String: Any]])
        let byAddress = Dictionary(uniqueKeysWithValues: items.map { ($0["address"] as! String, $0) })

        let modified = try #require(byAddress["dns.record/example.com./www/A"])
        #expect(modified["state"] as? String == "modified")
        let diff = try #require(modified["diff"] as? [[String: Any]])
        #expect(diff.count == 1)
        #expect(diff.first?["field"] as? String == "values")
        #expect(diff.first?["desired"] as? [String] == ["192.0.2.10"])
        #expect(diff.first?["live"] as? [String] == ["192.0.2.99"])

        let unmanaged = try #require(byAddress["dns.record/example.com./legacy/A"])
        #expect(unmanaged["state"] as? String == "unmanaged")
        let live = try #require(unmanaged["live"] as? [String: Any])
        #expect(live["ttl"] as? Int == 300)
        #expect(live["values"] as? [String] == ["192.0.2.50"])

        let missing = try #require(byAddress["dns.record/example.com./api/CNAME"])
        #expect(missing["state"] as? String == "missing")
    }

    @Test("the JSON round-trips")
    func roundTrip() throws {
        let report = Self.report()
        let decoded = try JSONDecoder().decode(DriftReport.self, from: Data(try JSONOutput.encode(report).utf8))
        #expect(decoded == report)
    }

    @Test("text shows each item with its state and field diffs")
    func text() {
        let text = DriftTextRenderer(style: TextStyle(color: false)).render(Self.report())
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines.contains("1 modified, 1 missing, 1 unmanaged."))
        #expect(lines.contains("  ~ dns.record/example.com./www/A modified"))
        #expect(lines.contains("      values: desired [192.0.2.10], live [192.0.2.99]"))
        #expect(lines.contains("  + dns.record/example.com./api/CNAME missing"))
        #expect(lines.contains { $0.hasPrefix("  - dns.record/example.com./legacy/A unmanaged") })
        #expect(text.contains("example.com./@/DS"))
        #expect(!text.contains("\u{1B}"))
    }

    @Test("Markdown has the summary table and one line per item")
    func markdown() {
        let markdown = DriftMarkdownRenderer().render(Self.report())
        let lines = markdown.split(separator: "\n").map(String.init)
        let header = lines.firstIndex(of: "| modified | missing | unmanaged |")
        #expect(header != nil)
        if let header { #expect(lines[header + 2] == "| 1 | 1 | 1 |") }
        #expect(lines.filter { $0.hasPrefix("- **") }.count == 3)
        #expect(lines.contains { $0.hasPrefix("- **modified** `dns.record/example.com./www/A`") })
    }
}
