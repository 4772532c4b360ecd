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
}
