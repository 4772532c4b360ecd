import Foundation
import PlumbTestSupport
import Testing

@testable import PlumbCore

@Suite("Plan JSON")
struct PlanCodingTests {
    /// A plan touching every kind, with origins, conflicts, refusals and unmodeled records.
    static func richPlan() -> Plan {
        let web = F.group(
            "web", description: "Web tier",
            ingress: [
                SecurityRule(protocol: "tcp", ports: "443", from: "0.0.0.0/0"),
                SecurityRule(protocol: "tcp", ports: "8000-8010", from: "security_group/lb"),
            ])
        let lb = F.group("lb", egress: [SecurityRule(protocol: "all", ports: nil, to: "0.0.0.0/0")])
        let role = F.role(
            "ci",
            trust: .object([
                "Version": .string("2012-10-17"),
                "Statement": .array([.object(["Effect": .string("Allow"), "Action": .array([.string("sts:AssumeRole")])])]),
            ]), policies: ["read": .object(["Statement": .object(["Action": .array([.string("b"), .string("a")]), "n": .int(3)])])])
        let zone = F.zone("example.com.")
        let txt = F.record("example.com.", "@", .TXT, ["v=spf1 -all", "hello \"world\""])
        let stale = F.record("example.com.", "old", .A, ["192.0.2.50"], ttl: 300)
        let desired = F.state([
            F.vpc("main"), F.subnet("web-a", "10.0.1.0/24"), web, lb, role, zone, txt, F.zone("new.example."), F.vpc("theirs", "10.3.0.0/16"),
        ]) {
            $0.chunkSize = 3
        }
        let inventory = F.inventory(
            [
                F.live(Address(kind: .vpc, name: "main"), .vpc(VPCSpec(cidr: "10.0.0.0/16", tags: ["old": "tag"])), owner: F.stack),
                F.live(F.vpc("theirs", "10.3.0.0/16"), owner: nil),
                F.live(zone), F.live(stale),
            ], unmodeled: [UnmodeledRecord(zone: "example.com.", name: "@", type: "DS", ttl: 3600, values: ["1 13 2 AB"])])
        var plan = planOf(
            desired, inventory, prior: PriorState(protected: [stale.address]),
            source: PlanSource(
                repo: "https://git.example.com/infra.git", ref: "main",
                commit: "3f2c9a1b8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a", base: "0123456789abcdef0123456789abcdef01234567"))
        for i in plan.chunks.indices {
            for j in plan.chunks[i].changes.indices {
                plan.chunks[i].changes[j].origin = plan.chunks[i].changes[j].action == .delete ? .drift : .change
            }
        }
        return plan
    }

    static func object(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    @Test(
        "a plan survives encode → decode unchanged",
        arguments: [
            PlanCase(id: "every-kind-with-origins", plan: richPlan()),
            PlanCase(id: "one-of-each-action", plan: SamplePlan.plan()),
            PlanCase(id: "no-source-no-origins", plan: SamplePlan.plan(source: PlanSource())),
            PlanCase(id: "empty", plan: planOf(F.state([]), Inventory())),
        ])
    func roundTrip(_ value: PlanCase) throws {
        let text = try JSONOutput.encode(value.plan)
        let decoded = try JSONDecoder().decode(Plan.self, from: Data(text.utf8))
        #expect(decoded == value.plan)
        #expect(try JSONOutput.encode(decoded) == text, "re-encoding gives the same bytes")
    }

    @Test("the rich plan touches every kind and action")
    func richPlanShape() {
        let plan = Self.richPlan()
        #expect(Set(plan.changes.map(\.address.kind)) == Set(ResourceKind.allCases))
        #expect(Set(plan.changes.map(\.action)) == [.create, .update, .delete])
        #expect(!plan.conflicts.isEmpty && !plan.refusals.isEmpty && !plan.unmanaged.isEmpty)
    }

    @Test("the JSON has the contract's top-level shape")
    func topLevel() throws {
        let plan = Self.richPlan()
        let root = try Self.object(try JSONOutput.encode(plan))
        #expect(root["format"] as? String == "plumb.plan/v1")
        #expect(root["stack"] as? String == "test")
        let source = try #require(root["source"] as? [String: Any])
        #expect(source["repo"] as? String == "https://git.example.com/infra.git")
        #expect(source["ref"] as? String == "main")
        #expect(source["commit"] as? String == "3f2c9a1b8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a")
        #expect(source["base"] as? String == "0123456789abcdef0123456789abcdef01234567")
        let summary = try #require(root["summary"] as? [String: Int])
        #expect(summary["create"] == plan.summary.create)
        #expect(summary["update"] == 1)
        #expect(summary["delete"] == 1)
        #expect(summary["unchanged"] == 1)
        #expect(summary["conflict"] == 1)
        let conflicts = try #require(root["conflicts"] as? [[String: String]])
        #expect(conflicts.map { $0["address"] } == ["net.vpc/theirs"])
        #expect(conflicts.first?["reason"]?.isEmpty == false)
        let observed = try #require(root["observed"] as? String)
        #expect(observed == plan.observed)
        #expect(observed.count == 64)
    }

    @Test("without a source, its fields are present and null")
    func nullSource() throws {
        let root = try Self.object(try JSONOutput.encode(SamplePlan.plan(source: PlanSource())))
        let source = try #require(root["source"] as? [String: Any])
        for key in ["repo", "ref", "commit", "base"] {
            #expect(source[key] is NSNull, "\(key)")
        }
    }

    @Test("every change carries action, address, origin, before and after, null when absent")
    func changeKeys() throws {
        let root = try Self.object(try JSONOutput.encode(SamplePlan.plan()))
        let chunks = try #require(root["chunks"] as? [[String: Any]])
        let changes = chunks.flatMap { ($0["changes"] as? [[String: Any]]) ?? [] }
        #expect(changes.count == 4)
        for change in changes {
            for key in ["action", "address", "origin", "before", "after"] {
                #expect(change.keys.contains(key), "\(key) missing in \(change)")
            }
            #expect(change["origin"] is NSNull, "no --base: origin is null")
        }
        let byAddress = Dictionary(uniqueKeysWithValues: changes.map { ($0["address"] as! String, $0) })
        let create = try #require(byAddress["net.subnet/web-a"])
        #expect(create["action"] as? String == "create")
        #expect(create["before"] is NSNull)
        let after = try #require(create["after"] as? [String: Any])
        #expect(after["vpc"] as? String == "main")
        #expect(after["cidr"] as? String == "10.0.1.0/24")
        #expect(after["zone"] as? String == "us-east-1a")
        let delete = try #require(byAddress["net.subnet/gone"])
        #expect(delete["action"] as? String == "delete")
        #expect(delete["after"] is NSNull)
        #expect(delete["before"] is [String: Any])
        #expect(byAddress["net.subnet/db-a"]?["action"] as? String == "replace")
    }

    @Test("chunks carry index, provider and kind")
    func chunkKeys() throws {
        let plan = SamplePlan.plan(chunkSize: 1)
        let root = try Self.object(try JSONOutput.encode(plan))
        let chunks = try #require(root["chunks"] as? [[String: Any]])
        #expect(chunks.map { $0["index"] as? Int } == [0, 1, 2, 3])
        #expect(chunks.map { $0["provider"] as? String } == ["main", "main", "main", "main"])
        #expect(chunks.map { $0["kind"] as? String } == ["net.vpc", "net.subnet", "net.subnet", "net.subnet"])
    }

    @Test("a mixed chunk encodes provider and kind as null")
    func mixedChunk() throws {
        let plan = planOf(
            F.state([F.vpc("main"), F.zone("example.com.", provider: "dns")], providers: ["main": .embedded, "dns": .embedded]) {
                $0.chunkBy = .none
                $0.chunkStrategy = .fixed
            }, Inventory())
        #expect(plan.chunks.count == 1)
        let root = try Self.object(try JSONOutput.encode(plan))
        let chunk = try #require((root["chunks"] as? [[String: Any]])?.first)
        #expect(chunk["provider"] is NSNull)
        #expect(chunk["kind"] is NSNull)
    }

    @Test("origins encode as change and drift with --base")
    func origins() throws {
        let root = try Self.object(try JSONOutput.encode(Self.richPlan()))
        let changes = ((root["chunks"] as? [[String: Any]]) ?? []).flatMap { ($0["changes"] as? [[String: Any]]) ?? [] }
        let origins = Set(changes.compactMap { $0["origin"] as? String })
        #expect(origins == ["change", "drift"])
        for change in changes where change["action"] as? String == "delete" {
            #expect(change["origin"] as? String == "drift")
        }
    }

    @Test("a plan file naming an unknown address or kind does not decode")
    func badPlanFile() throws {
        let text = try JSONOutput.encode(SamplePlan.plan())
        let broken = text.replacingOccurrences(of: "\"net.subnet/web-a\"", with: "\"net.thing/web-a\"")
        #expect(throws: (any Error).self) { try JSONDecoder().decode(Plan.self, from: Data(broken.utf8)) }
    }
}

struct PlanCase: CustomTestStringConvertible, Sendable {
    var id: String
    var plan: Plan
    var testDescription: String { id }
}
