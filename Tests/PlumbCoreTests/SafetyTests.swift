import PlumbTestSupport
import Testing

@testable import PlumbCore

struct LimitCase: CustomTestStringConvertible, Sendable {
    var id: String
    var count: Int
    var limit: Int
    var refused: Bool
    var testDescription: String { id }
}

struct PercentCase: CustomTestStringConvertible, Sendable {
    var id: String
    var owned: Int
    var deleted: Int
    var refused: Bool
    var testDescription: String { id }
}

@Suite("Safety")
struct SafetyTests {
    static func subnets(_ count: Int, prefix: String = "s") -> [DesiredResource] {
        (0..<count).map { F.subnet("\(prefix)\($0)", "10.0.\($0).0/24") }
    }

    func rules(_ plan: Plan) -> [Plan.Refusal.Rule] { plan.refusals.map(\.rule) }

    @Test(
        "safety.max_changes refuses a plan with more changes",
        arguments: [
            LimitCase(id: "under-limit", count: 2, limit: 3, refused: false),
            LimitCase(id: "at-limit", count: 3, limit: 3, refused: false),
            LimitCase(id: "over-limit", count: 4, limit: 3, refused: true),
            LimitCase(id: "zero-limit-refuses-any-change", count: 1, limit: 0, refused: true),
        ])
    func maxChanges(_ value: LimitCase) throws {
        let desired = F.state(Self.subnets(value.count)) { $0.safety.maxChanges = value.limit }
        let plan = planOf(desired, Inventory())
        #expect(rules(plan) == (value.refused ? [.maxChanges] : []))
        if value.refused { #expect(try #require(plan.refusals.first).overridable) }
    }

    @Test(
        "safety.max_deletes refuses a plan deleting more",
        arguments: [
            LimitCase(id: "under-limit", count: 1, limit: 2, refused: false),
            LimitCase(id: "at-limit", count: 2, limit: 2, refused: false),
            LimitCase(id: "over-limit", count: 3, limit: 2, refused: true),
        ])
    func maxDeletes(_ value: LimitCase) throws {
        let desired = F.state([]) { $0.safety.maxDeletes = value.limit }
        let plan = planOf(desired, F.inventory(Self.subnets(value.count).map { F.live($0) }))
        #expect(plan.summary.delete == value.count)
        #expect(rules(plan) == (value.refused ? [.maxDeletes] : []))
        if value.refused { #expect(try #require(plan.refusals.first).overridable) }
    }

    @Test(
        "max_delete_percent refuses deleting too large a share of one kind, from 10 owned up",
        arguments: [
            PercentCase(id: "40-percent-of-10", owned: 10, deleted: 4, refused: true),
            PercentCase(id: "30-percent-of-10-is-allowed", owned: 10, deleted: 3, refused: false),
            PercentCase(id: "below-floor-9-owned-all-deleted", owned: 9, deleted: 9, refused: false),
            PercentCase(id: "31-percent-of-100", owned: 100, deleted: 31, refused: true),
            PercentCase(id: "nothing-deleted", owned: 20, deleted: 0, refused: false),
        ])
    func maxDeletePercent(_ value: PercentCase) {
        let all = Self.subnets(value.owned)
        let desired = F.state(Array(all.dropFirst(value.deleted))) { $0.safety.maxDeletes = 1000 }
        let plan = planOf(desired, F.inventory(all.map { F.live($0) }))
        #expect(plan.summary.delete == value.deleted)
        #expect(rules(plan) == (value.refused ? [.maxDeletePercent] : []))
    }

    @Test("resources this stack does not own do not count towards the percentage")
    func percentCountsOwnedOnly() {
        let owned = Self.subnets(10)
        let foreign = Self.subnets(20, prefix: "f").map { F.live($0, owner: "other") }
        // 4 of 10 owned is 40%, even though 30 subnets exist.
        let desired = F.state(Array(owned.dropFirst(4)))
        let plan = planOf(desired, F.inventory(owned.map { F.live($0) } + foreign))
        #expect(rules(plan) == [.maxDeletePercent])
    }

    @Test("kinds are counted apart: deleting records does not dilute in subnets")
    func percentPerKind() {
        let zone = F.zone("example.com.")
        let records = (0..<10).map { F.record("example.com.", "h\($0)", .A, ["192.0.2.1"]) }
        let subnets = Self.subnets(10)
        let desired = F.state([zone] + Array(records.dropFirst(5)) + subnets)
        let plan = planOf(desired, F.inventory([F.live(zone)] + records.map { F.live($0) } + subnets.map { F.live($0) }))
        #expect(plan.summary.delete == 5)
        #expect(rules(plan) == [.maxDeletePercent])
    }

    @Test("a protected resource is never replaced, and --force cannot lift it")
    func protectFromDesired() throws {
        let subnet = F.subnet("db-a", "10.0.2.0/24", protect: true)
        let desired = F.state([subnet])
        let live = F.live(subnet.address, .subnet(SubnetSpec(vpc: "main", cidr: "10.0.3.0/24", zone: "us-east-1a")), owner: F.stack)
        let plan = planOf(desired, F.inventory([live]))
        #expect(plan.actions == ["net.subnet/db-a": .replace])
        let refusal = try #require(plan.refusals.first)
        #expect(plan.refusals.count == 1)
        #expect(refusal.rule == .protected)
        #expect(!refusal.overridable)
        #expect(refusal.message.contains("net.subnet/db-a"))
    }

    @Test("a protected resource may still be updated in place")
    func protectedUpdate() {
        let vpc = F.vpc("main", tags: ["team": "a"], protect: true)
        let live = F.live(vpc.address, .vpc(VPCSpec(cidr: "10.0.0.0/16", tags: ["team": "b"])), owner: F.stack)
        let plan = planOf(F.state([vpc]), F.inventory([live]))
        #expect(plan.actions == ["net.vpc/main": .update])
        #expect(plan.refusals.isEmpty)
    }

    @Test("protection outlives the document: a resource remembered as protected is not deleted")
    func protectFromPriorState() throws {
        let vpc = F.vpc("main")
        let prior = PriorState(managed: [vpc.address], protected: [vpc.address])
        let plan = planOf(F.state([]), F.inventory([F.live(vpc)]), prior: prior)
        #expect(plan.actions == ["net.vpc/main": .delete])
        #expect(rules(plan) == [.protected])
        #expect(plan.refusals.allSatisfy { !$0.overridable })
    }

    @Test("a protected zone record, deleted with its document, stays protected")
    func protectedRecordRemembered() {
        let zone = F.zone("example.com.")
        let www = F.record("example.com.", "www", .A, ["192.0.2.1"])
        let prior = PriorState(managed: [zone.address, www.address], protected: [www.address])
        let plan = planOf(F.state([zone]), F.inventory([F.live(zone), F.live(www)]), prior: prior)
        #expect(rules(plan) == [.protected])
    }

    @Test("deleting what is not protected is not refused")
    func unprotectedDelete() {
        let vpc = F.vpc("main")
        let prior = PriorState(managed: [vpc.address], protected: [Address(kind: .vpc, name: "other")])
        let plan = planOf(F.state([]), F.inventory([F.live(vpc)]), prior: prior)
        #expect(plan.refusals.isEmpty)
    }

    @Test("several rules broken at once are all reported, and only protection is not overridable")
    func severalRefusals() {
        let all = Self.subnets(12)
        let prior = PriorState(protected: [all[0].address])
        let desired = F.state([]) {
            $0.safety.maxDeletes = 5
            $0.safety.maxChanges = 10
        }
        let plan = planOf(desired, F.inventory(all.map { F.live($0) }), prior: prior)
        #expect(Set(rules(plan)) == [.protected, .maxChanges, .maxDeletes, .maxDeletePercent])
        #expect(plan.refusals.filter { !$0.overridable }.map(\.rule) == [.protected])
    }

    @Test("the remembered state keeps protection of removed resources and drops it once cleared")
    func priorStateUpdate() {
        let a = F.vpc("a", protect: true)
        let b = F.vpc("b", protect: true)
        let c = F.vpc("c")
        // Commit 1: a and b protected.
        let first = PriorState().updated(by: F.state([a, b, c]), appliedDeletes: [])
        #expect(first.protected == [a.address, b.address])
        #expect(first.managed == [a.address, b.address, c.address])
        // Commit 2: b's document deleted together with its protect flag; c deleted.
        let second = first.updated(by: F.state([a]), appliedDeletes: [c.address])
        #expect(second.protected == [a.address, b.address], "b stays protected although it is gone from the documents")
        #expect(!second.managed.contains(c.address))
        // Commit 3: a keeps being declared but clears its flag.
        let third = second.updated(by: F.state([F.vpc("a")]), appliedDeletes: [])
        #expect(third.protected == [b.address])
    }
}
