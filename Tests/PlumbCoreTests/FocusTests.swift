import PlumbTestSupport
import Testing

@testable import PlumbCore

@Suite("Focused plans (incremental reconcile)")
struct FocusTests {
    static let documents = [
        "a.yaml": "provider: main\nzone: a.example.\nrecords:\n  www: {type: A, value: 192.0.2.1}\n",
        "b.yaml": "provider: main\nzone: b.example.\nrecords:\n  www: {type: A, value: 192.0.2.2}\n",
        "net.yaml": "provider: main\nvpcs:\n  main: {cidr: 10.0.0.0/16}\n",
    ]

    @Test("a focus narrows the describe scope to its kinds and zones, and the plan to its addresses")
    func narrows() throws {
        let desired = try Fixtures.load(Self.documents)
        let focus: Set<Address> = [.record(zone: "a.example.", name: "www", type: .A)]
        let planner = Planner(desired: desired, options: PlanOptions(focus: focus))
        let scope = planner.scope(for: "main")
        #expect(scope.kinds == [.zone, .record])
        #expect(scope.zones == ["a.example."])
        let plan = planner.plan(inventories: ["main": Inventory()], source: PlanSource())
        #expect(plan.changes.map(\.address) == [.record(zone: "a.example.", name: "www", type: .A)])
        let unfocused = Planner(desired: desired).plan(inventories: ["main": Inventory()], source: PlanSource())
        #expect(unfocused.changes.count == 5)
    }

    @Test("a focus on declared records lets the describe read those records alone; an unfocused describe reads every record")
    func focusedRecords() throws {
        let desired = try Fixtures.load(Self.documents)
        let www = Address.record(zone: "a.example.", name: "www", type: .A)
        let focused = Planner(desired: desired, options: PlanOptions(focus: [www, .zone("a.example.")])).scope(for: "main")
        #expect(focused.records == [www])
        #expect(Planner(desired: desired).scope(for: "main").records == nil)
    }

    /// A record that left the documents is a delete, which `max_delete_percent` weighs
    /// against the whole zone: that count needs the whole zone described.
    @Test("a focus holding a record no longer declared describes its zone whole, so the delete limit sees every record")
    func deletedRecordReadsTheZone() throws {
        let desired = try Fixtures.load(Self.documents)
        let gone = Address.record(zone: "a.example.", name: "old", type: .A)
        let www = Address.record(zone: "a.example.", name: "www", type: .A)
        let planner = Planner(desired: desired, options: PlanOptions(focus: [www, gone]))
        #expect(planner.scope(for: "main").records == nil)
        // Deleting 1 of 10 live records: 10 %, within a 20 % limit. Counted against the
        // focused records alone it would be 1 of 2, and refused.
        var limited = desired
        limited.settings.safety.maxDeletePercent = 20
        limited.settings.safety.deletePercentFloor = 1
        var inventory = Inventory()
        for name in ["www", "old"] + (1...8).map({ "h\($0)" }) {
            let address = Address.record(zone: "a.example.", name: name, type: .A)
            let spec = desired.resources[address]?.spec ?? .record(RecordSpec(ttl: 300, values: ["192.0.2.1"]))
            inventory.resources[address] = LiveResource(address: address, spec: spec)
        }
        let plan = Planner(desired: limited, prior: PriorState(managed: [gone]), options: PlanOptions(focus: [www, gone]))
            .plan(inventories: ["main": inventory], source: PlanSource())
        #expect(plan.changes.map(\.action) == [.delete])
        #expect(plan.refusals.isEmpty)
    }

    @Test("a focus on a zone that left the documents describes its records and plans each one's delete with it")
    func leavingZone() throws {
        let desired = try Fixtures.load(["b.yaml": Self.documents["b.yaml"] ?? ""])
        let zone = Address.zone("a.example.")
        let planner = Planner(desired: desired, prior: PriorState(managed: [zone]), options: PlanOptions(focus: [zone]))
        let scope = planner.scope(for: "main")
        #expect(scope.kinds.contains(.record) && scope.zones == ["a.example."] && scope.records == nil)
        var inventory = Inventory()
        inventory.resources[zone] = LiveResource(address: zone, spec: .zone(ZoneSpec()))
        for name in ["www", "old"] {
            let address = Address.record(zone: "a.example.", name: name, type: .A)
            inventory.resources[address] = LiveResource(address: address, spec: .record(RecordSpec(ttl: 300, values: ["192.0.2.1"])))
        }
        let plan = planner.plan(inventories: ["main": inventory], source: PlanSource())
        #expect(
            plan.changes.filter { $0.action == .delete }.map(\.address.description).sorted() == [
                "dns.record/a.example./old/A", "dns.record/a.example./www/A", "dns.zone/a.example.",
            ])
    }
}
