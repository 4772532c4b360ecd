import PlumbTestSupport
import Testing

@testable import PlumbCore

@Suite("Change order")
struct ChangeOrderTests {
    static let vpc = F.vpc("main")
    static let subnetA = F.subnet("a", "10.0.1.0/24")
    static let subnetB = F.subnet("b", "10.0.2.0/24")
    static let zone = F.zone("example.com.")

    static func refs(_ name: String, _ targets: String...) -> DesiredResource {
        F.group(name, ingress: targets.map { SecurityRule(protocol: "tcp", ports: "443", from: "security_group/\($0)") })
    }

    func order(_ changes: [Change]) -> [String] {
        ChangeOrder.sorted(changes).map(\.address.description)
    }

    @Test("creates run VPC, then subnets, then groups, whatever order they come in")
    func kindOrder() {
        let group = F.group("a-web")
        let role = F.role("ci", trust: .object([:]))
        let record = F.record("example.com.", "www", .A, ["192.0.2.1"])
        let changes = [record, group, Self.subnetB, role, Self.zone, Self.subnetA, Self.vpc].map(F.create)
        #expect(
            order(changes) == [
                "net.vpc/main", "net.subnet/a", "net.subnet/b", "net.security_group/a-web",
                "iam.role/ci", "dns.zone/example.com.", "dns.record/example.com./www/A",
            ])
    }

    @Test("a group comes after the groups it references, even against name order")
    func groupAfterReferenced() {
        let web = Self.refs("a-web", "z-lb")
        let lb = F.group("z-lb")
        let db = Self.refs("0-db", "a-web")
        #expect(
            order([web, db, lb].map(F.create)) == [
                "net.security_group/z-lb", "net.security_group/a-web", "net.security_group/0-db",
            ])
    }

    @Test("an update that adds a reference also waits for the referenced group's create")
    func updateAfterReferencedCreate() {
        let lb = F.group("z-lb")
        let web = Self.refs("a-web", "z-lb")
        let changes = [F.update(web, from: F.group("a-web").spec), F.create(lb)]
        #expect(order(changes) == ["net.security_group/z-lb", "net.security_group/a-web"])
    }

    @Test("egress references count too")
    func egressReferences() {
        let app = F.group("a-app", egress: [SecurityRule(protocol: "tcp", ports: "5432", to: "security_group/z-db")])
        let db = F.group("z-db")
        #expect(order([F.create(app), F.create(db)]) == ["net.security_group/z-db", "net.security_group/a-app"])
    }

    @Test("a group referencing itself or a cycle of groups still gets an order")
    func cycles() {
        let selfRef = Self.refs("self", "self")
        let x = Self.refs("x", "y")
        let y = Self.refs("y", "x")
        let ordered = order([selfRef, x, y].map(F.create))
        #expect(Set(ordered) == ["net.security_group/self", "net.security_group/x", "net.security_group/y"])
    }

    @Test("deletions run after writes, in reverse: subnets before their VPC")
    func deletesReversed() {
        let changes = [F.delete(Self.vpc), F.delete(Self.subnetA), F.create(F.vpc("new")), F.delete(Self.subnetB)]
        #expect(order(changes) == ["net.vpc/new", "net.subnet/a", "net.subnet/b", "net.vpc/main"])
    }

    @Test("a referencing group is deleted before the group it references, even against name order")
    func referencingDeletedFirst() {
        let web = Self.refs("z-web", "a-lb")
        let lb = F.group("a-lb")
        let edge = Self.refs("zz-edge", "z-web")
        #expect(
            order([lb, web, edge].map(F.delete)) == [
                "net.security_group/zz-edge", "net.security_group/z-web", "net.security_group/a-lb",
            ])
    }

    @Test("every kind is deleted in reverse apply order")
    func deleteKindOrder() {
        let record = F.record("example.com.", "www", .A, ["192.0.2.1"])
        let changes = [Self.vpc, Self.subnetA, F.group("g"), F.role("r", trust: .object([:])), Self.zone, record].map(F.delete)
        #expect(
            order(changes) == [
                "dns.record/example.com./www/A", "dns.zone/example.com.", "iam.role/r",
                "net.security_group/g", "net.subnet/a", "net.vpc/main",
            ])
    }

    @Test("a record delete at a name that gets a CNAME goes first, before the CNAME's create")
    func recordDeleteBeforeCNAME() {
        let oldA = F.record("example.com.", "www", .A, ["192.0.2.1"])
        let cname = F.record("example.com.", "www", .CNAME, ["lb.example.net."])
        let unrelated = F.record("example.com.", "old", .TXT, ["x"])
        let api = F.record("example.com.", "api", .A, ["192.0.2.2"])
        let ordered = order([F.create(cname), F.create(api), F.delete(unrelated), F.delete(oldA)])
        #expect(
            ordered == [
                "dns.record/example.com./www/A", "dns.record/example.com./api/A",
                "dns.record/example.com./www/CNAME", "dns.record/example.com./old/TXT",
            ])
    }

    @Test("the early delete is also early in the plan's chunks")
    func earlyDeleteChunked() throws {
        let cname = F.record("example.com.", "www", .CNAME, ["lb.example.net."])
        let oldA = F.record("example.com.", "www", .A, ["192.0.2.1"])
        let desired = F.state([Self.zone, cname])
        let plan = planOf(desired, F.inventory([F.live(Self.zone), F.live(oldA)]))
        #expect(plan.chunks.map { $0.changes.map(\.action) } == [[.delete], [.create]])
        #expect(plan.chunks.first?.changes.first?.address == oldA.address)
    }

    @Test("a planned network comes out in dependency order")
    func plannedOrder() {
        let web = Self.refs("a-web", "z-lb")
        let desired = F.state([web, F.group("z-lb"), Self.subnetA, Self.vpc]) { $0.chunkBy = .none }
        let stale = F.subnet("stale", "10.0.9.0/24")
        let staleVPC = F.vpc("old-vpc", "10.9.0.0/16")
        let plan = planOf(desired, F.inventory([F.live(stale), F.live(staleVPC)]))
        #expect(
            plan.changes.map(\.address.description) == [
                "net.vpc/main", "net.subnet/a", "net.security_group/z-lb", "net.security_group/a-web",
                "net.subnet/stale", "net.vpc/old-vpc",
            ])
    }
}

@Test("a kind's rank is its place in allCases, the apply order")
func kindRankIsApplyOrder() {
    #expect(ResourceKind.allCases.map(\.rank) == Array(ResourceKind.allCases.indices))
}
