import Foundation
import PlumbTestSupport
import Testing

@testable import PlumbCore

typealias F = CoreFixtures

/// Plans one binding ("main") against one inventory.
func planOf(
    _ desired: DesiredState, _ inventory: Inventory, prior: PriorState = PriorState(),
    options: PlanOptions = PlanOptions(), source: PlanSource = PlanSource()
) -> Plan {
    Planner(desired: desired, prior: prior, options: options).plan(inventories: ["main": inventory], source: source)
}

extension Plan {
    func change(_ address: String) -> Change? {
        changes.first { $0.address.description == address }
    }

    var actions: [String: Change.Action] {
        Dictionary(uniqueKeysWithValues: changes.map { ($0.address.description, $0.action) })
    }
}

struct SpecChange: CustomTestStringConvertible, Sendable {
    var id: String
    var desired: DesiredResource
    var live: ResourceSpec
    var action: Change.Action
    var testDescription: String { id }
}

struct OwnerCase: CustomTestStringConvertible, Sendable {
    var id: String
    var owner: String?
    var testDescription: String { id }
}

struct ZoneDeletionCase: CustomTestStringConvertible, Sendable {
    var id: String
    var owner: String?
    var managed: Bool
    var deleted: Bool
    var testDescription: String { id }
}

@Suite("Planner")
struct PlannerTests {
    static let vpc = F.vpc("main", "10.0.0.0/16", tags: ["team": "platform"])
    static let subnet = F.subnet("web-a", "10.0.1.0/24")
    static let zone = F.zone("example.com.")
    static let www = F.record("example.com.", "www", .A, ["192.0.2.10"])

    @Test("what does not exist is created")
    func creates() throws {
        let desired = F.state([Self.vpc, Self.subnet])
        let plan = planOf(desired, Inventory())
        #expect(plan.actions == ["net.vpc/main": .create, "net.subnet/web-a": .create])
        let change = try #require(plan.change("net.subnet/web-a"))
        #expect(change.before == nil)
        #expect(change.after == Self.subnet.spec)
        #expect(change.provider == "main")
        #expect(plan.summary.create == 2)
        #expect(plan.summary.total == 2)
    }

    @Test("what matches is unchanged and the plan is empty")
    func unchanged() {
        let desired = F.state([Self.vpc, Self.subnet, Self.zone, Self.www])
        let plan = planOf(desired, F.inventory([F.live(Self.vpc), F.live(Self.subnet), F.live(Self.zone), F.live(Self.www)]))
        #expect(!plan.hasChanges)
        #expect(plan.chunks.isEmpty)
        #expect(plan.summary.unchanged == 4)
        #expect(plan.summary.total == 0)
        #expect(plan.conflicts.isEmpty)
    }

    static let specChanges: [SpecChange] = [
        SpecChange(id: "vpc-tags", desired: vpc, live: .vpc(VPCSpec(cidr: "10.0.0.0/16", tags: ["team": "web"])), action: .update),
        SpecChange(id: "vpc-cidr", desired: vpc, live: .vpc(VPCSpec(cidr: "10.1.0.0/16", tags: ["team": "platform"])), action: .replace),
        SpecChange(
            id: "subnet-cidr", desired: subnet, live: .subnet(SubnetSpec(vpc: "main", cidr: "10.0.9.0/24", zone: "us-east-1a")), action: .replace),
        SpecChange(
            id: "subnet-zone", desired: subnet, live: .subnet(SubnetSpec(vpc: "main", cidr: "10.0.1.0/24", zone: "us-east-1b")), action: .replace),
        SpecChange(
            id: "subnet-tags", desired: subnet, live: .subnet(SubnetSpec(vpc: "main", cidr: "10.0.1.0/24", zone: "us-east-1a", tags: ["x": "y"])),
            action: .update),
        SpecChange(
            id: "group-ingress",
            desired: F.group("web", ingress: [SecurityRule(protocol: "tcp", ports: "443", from: "0.0.0.0/0")]),
            live: .securityGroup(SecurityGroupSpec(vpc: "main", description: "web", ingress: [], egress: nil)), action: .update),
        SpecChange(
            id: "group-description",
            desired: F.group("web", description: "Web tier"),
            live: .securityGroup(SecurityGroupSpec(vpc: "main", description: "old", ingress: [], egress: nil)), action: .replace),
        SpecChange(
            id: "role-path",
            desired: F.role("ci", trust: .object(["Statement": .array([])])),
            live: .role(RoleSpec(path: "/old/", trust: .object(["Statement": .array([])]))), action: .replace),
        SpecChange(
            id: "role-description",
            desired: F.role("ci", trust: .object(["Statement": .array([])])),
            live: .role(RoleSpec(description: "old", trust: .object(["Statement": .array([])]))), action: .update),
        SpecChange(id: "record-ttl", desired: www, live: .record(RecordSpec(ttl: 300, values: ["192.0.2.10"])), action: .update),
        SpecChange(id: "record-values", desired: www, live: .record(RecordSpec(ttl: 3600, values: ["192.0.2.99"])), action: .update),
    ]

    @Test("a differing field updates in place, an immutable one replaces", arguments: specChanges)
    func updatesAndReplaces(_ scenario: SpecChange) throws {
        var resources = [scenario.desired]
        if scenario.desired.address.kind == .record { resources.append(Self.zone) }
        let desired = F.state(resources)
        let owner = scenario.desired.address.kind.isTaggedCloudKind ? F.stack : nil
        var live = [F.live(scenario.desired.address, scenario.live, owner: owner, id: "live-1")]
        if scenario.desired.address.kind == .record { live.append(F.live(Self.zone)) }
        let plan = planOf(desired, F.inventory(live))
        #expect(plan.changes.count == 1)
        let change = try #require(plan.change(scenario.desired.address.description))
        #expect(change.action == scenario.action)
        #expect(change.before == scenario.live)
        #expect(change.after == scenario.desired.spec)
        #expect(change.liveID == "live-1")
        #expect(plan.summary.update == (scenario.action == .update ? 1 : 0))
        #expect(plan.summary.replace == (scenario.action == .replace ? 1 : 0))
    }

    @Test("an owned resource that is no longer desired is deleted")
    func deletes() throws {
        let desired = F.state([Self.vpc])
        let plan = planOf(desired, F.inventory([F.live(Self.vpc), F.live(Self.subnet, id: "subnet-1")]))
        let change = try #require(plan.change("net.subnet/web-a"))
        #expect(change.action == .delete)
        #expect(change.before == Self.subnet.spec)
        #expect(change.after == nil)
        #expect(change.liveID == "subnet-1")
        #expect(plan.summary.delete == 1)
        #expect(plan.summary.unchanged == 1)
    }

    @Test(
        "cloud resources this stack does not own are never deleted",
        arguments: [
            OwnerCase(id: "untagged", owner: nil), OwnerCase(id: "other-stack", owner: "other-stack"),
        ])
    func foreignNotDeleted(_ value: OwnerCase) {
        let desired = F.state([Self.vpc])
        let plan = planOf(desired, F.inventory([F.live(Self.vpc), F.live(Self.subnet, owner: value.owner)]))
        #expect(!plan.hasChanges)
        #expect(plan.conflicts.isEmpty)
    }

    @Test("records are pruned only in declared zones; undeclared zones are untouched")
    func pruneOnlyDeclaredZones() {
        let other = F.zone("other.org.")
        let otherWWW = F.record("other.org.", "www", .A, ["198.51.100.1"])
        let stale = F.record("example.com.", "old", .A, ["192.0.2.50"])
        let desired = F.state([Self.zone, Self.www])
        let plan = planOf(
            desired,
            F.inventory([
                F.live(Self.zone), F.live(Self.www), F.live(stale), F.live(other), F.live(otherWWW),
            ]))
        #expect(plan.actions == ["dns.record/example.com./old/A": .delete])
    }

    @Test("apex records of a declared zone are pruned too")
    func pruneDeclaredZoneRecords() {
        let desired = F.state([Self.zone])
        let txt = F.record("example.com.", "@", .TXT, ["hello"])
        let plan = planOf(desired, F.inventory([F.live(Self.zone), F.live(txt)]))
        #expect(plan.actions == ["dns.record/example.com./@/TXT": .delete])
    }

    @Test(
        "a zone is deleted only when the last apply managed it or it carries this stack's tag",
        arguments: [
            ZoneDeletionCase(id: "unknown-zone-kept", owner: nil, managed: false, deleted: false),
            ZoneDeletionCase(id: "previously-managed-zone-deleted", owner: nil, managed: true, deleted: true),
            ZoneDeletionCase(id: "zone-tagged-for-this-stack-deleted", owner: "test", managed: false, deleted: true),
            ZoneDeletionCase(id: "zone-of-another-stack-kept", owner: "other", managed: false, deleted: false),
        ])
    func zoneDeletion(_ value: ZoneDeletionCase) {
        let (owner, managed, deleted) = (value.owner, value.managed, value.deleted)
        let gone = Address.zone("gone.org.")
        let desired = F.state([Self.zone])
        let prior = PriorState(managed: managed ? [gone, Self.zone.address] : [Self.zone.address])
        let plan = planOf(desired, F.inventory([F.live(Self.zone), F.live(gone, .zone(ZoneSpec()), owner: owner)]), prior: prior)
        #expect(plan.change(gone.description)?.action == (deleted ? .delete : nil))
        #expect(plan.changes.count == (deleted ? 1 : 0))
    }

    @Test("a deleted zone's records are deletes of their own, before the zone's, counted by max_deletes")
    func zoneDeletionListsRecords() throws {
        let gone = Address.zone("gone.org.")
        let records = (1...3).map { Address(kind: .record, name: "gone.org./h\($0)/A") }
        let live =
            [F.live(Self.zone), F.live(gone, .zone(ZoneSpec()))]
            + records.map {
                F.live($0, .record(RecordSpec(ttl: 300, values: ["192.0.2.1"])))
            }
        let desired = F.state([Self.zone]) { $0.safety.maxDeletes = 3 }
        let plan = planOf(desired, F.inventory(live), prior: PriorState(managed: [gone, Self.zone.address]))
        #expect(plan.changes.map(\.address) == records + [gone])
        #expect(plan.changes.allSatisfy { $0.action == .delete })
        #expect(plan.summary.delete == 4)
        #expect(plan.refusals.map(\.message).contains("4 deletions exceed safety.max_deletes (3); re-run with --force to accept"))
    }

    @Test("an untagged namesake is a conflict, left untouched")
    func untaggedConflict() throws {
        let desired = F.state([Self.vpc, Self.subnet])
        let plan = planOf(desired, F.inventory([F.live(Self.vpc, owner: nil), F.live(Self.subnet)]))
        #expect(!plan.hasChanges)
        let conflict = try #require(plan.conflicts.first)
        #expect(plan.conflicts.count == 1)
        #expect(conflict.address == Self.vpc.address)
        #expect(conflict.reason.contains("--adopt"))
        #expect(plan.summary.conflict == 1)
        #expect(plan.summary.unchanged == 1)
    }

    @Test("an untagged namesake is adopted with --adopt: an update, even when nothing else differs")
    func adopt() throws {
        let desired = F.state([Self.vpc])
        let plan = planOf(desired, F.inventory([F.live(Self.vpc, owner: nil)]), options: PlanOptions(adopt: [Self.vpc.address]))
        #expect(plan.conflicts.isEmpty)
        let change = try #require(plan.change("net.vpc/main"))
        #expect(change.action == .update)
        #expect(change.before == Self.vpc.spec)
        #expect(change.after == Self.vpc.spec)
        #expect(change.liveID != nil)
    }

    @Test("adopting one address leaves other untagged namesakes in conflict")
    func adoptIsPerAddress() {
        let other = F.vpc("other", "10.1.0.0/16")
        let desired = F.state([Self.vpc, other])
        let plan = planOf(
            desired, F.inventory([F.live(Self.vpc, owner: nil), F.live(other, owner: nil)]),
            options: PlanOptions(adopt: [Self.vpc.address]))
        #expect(plan.actions == ["net.vpc/main": .update])
        #expect(plan.conflicts.map(\.address) == [other.address])
    }

    @Test("a resource owned by another stack is a conflict")
    func otherStackConflict() throws {
        let desired = F.state([Self.vpc])
        let plan = planOf(desired, F.inventory([F.live(Self.vpc, owner: "billing")]))
        #expect(!plan.hasChanges)
        #expect(plan.conflicts.map(\.address) == [Self.vpc.address])
        #expect(plan.conflicts.first?.reason.contains("billing") == true)
    }

    @Test("--adopt takes over untagged resources only, never another stack's")
    func adoptDoesNotStealFromAnotherStack() {
        let desired = F.state([Self.vpc])
        let plan = planOf(desired, F.inventory([F.live(Self.vpc, owner: "billing")]), options: PlanOptions(adopt: [Self.vpc.address]))
        #expect(!plan.hasChanges)
        #expect(plan.conflicts.map(\.address) == [Self.vpc.address])
    }

    @Test("a group without egress: ignores the live egress; egress: [] does not")
    func egressDefault() throws {
        let allOut = [SecurityRule(protocol: "all", ports: nil, to: "0.0.0.0/0")]
        let live = F.live(
            Address(kind: .securityGroup, name: "web"),
            .securityGroup(
                SecurityGroupSpec(
                    vpc: "main", description: "web", ingress: [], egress: allOut)), owner: F.stack)
        let keepDefault = planOf(F.state([F.group("web", egress: nil)]), F.inventory([live]))
        #expect(!keepDefault.hasChanges)
        let none = planOf(F.state([F.group("web", egress: [])]), F.inventory([live]))
        let change = try #require(none.change("net.security_group/web"))
        #expect(change.action == .update)
        guard case .securityGroup(let after)? = change.after else {
            Issue.record("no group after")
            return
        }
        #expect(after.egress == [])
    }

    @Test("security group rules compare as sets, whatever order and repetition the provider reports")
    func rulesAsSets() throws {
        let a = SecurityRule(protocol: "tcp", ports: "443", from: "0.0.0.0/0")
        let b = SecurityRule(protocol: "tcp", ports: "80", from: "0.0.0.0/0")
        let c = SecurityRule(protocol: "icmp", ports: nil, from: "10.0.0.0/16")
        let desired = F.state([F.group("web", ingress: [a, b, c])])
        func rule(_ r: SecurityRule) -> JSONValue { .from(r) }
        let reported = try ResourceSpec(
            kind: .securityGroup,
            attributes: .object([
                "vpc": .string("main"), "description": .string("web"),
                "ingress": .array([rule(c), rule(b), rule(a), rule(b)]), "tags": .object([:]),
            ]))
        let plan = planOf(desired, F.inventory([F.live(Address(kind: .securityGroup, name: "web"), reported, owner: F.stack)]))
        #expect(!plan.hasChanges)
        let fewer = try ResourceSpec(
            kind: .securityGroup,
            attributes: .object([
                "vpc": .string("main"), "description": .string("web"),
                "ingress": .array([rule(c), rule(a)]), "tags": .object([:]),
            ]))
        let changed = planOf(desired, F.inventory([F.live(Address(kind: .securityGroup, name: "web"), fewer, owner: F.stack)]))
        #expect(changed.actions == ["net.security_group/web": .update])
    }

    static let roleYAML = """
        provider: main
        roles:
          deployer:
            trust:
              Version: "2012-10-17"
              Statement:
                - Effect: Allow
                  Principal: {Service: ec2.amazonaws.com}
                  Action: sts:AssumeRole
            policies:
              read:
                Version: "2012-10-17"
                Statement:
                  - {Effect: Allow, Action: s3:GetObject, Resource: ["arn:aws:s3:::a/*", "arn:aws:s3:::b/*"]}
        """

    static func liveRole(trust: String, read: String) throws -> LiveResource {
        let encode = { (text: String) in text.addingPercentEncoding(withAllowedCharacters: .alphanumerics)! }
        let spec = RoleSpec(
            trust: try #require(PolicyDocument.parse(encode(trust))),
            policies: ["read": try #require(PolicyDocument.parse(read))])
        return F.live(Address(kind: .role, name: "deployer"), .role(spec), owner: F.stack)
    }

    @Test("policy documents compare semantically: one-element lists, key order, URL-encoding")
    func policiesCompareSemantically() throws {
        let desired = try Fixtures.load(["iam.yaml": Self.roleYAML])
        let live = try Self.liveRole(
            trust:
                #"{"Statement":[{"Principal":{"Service":["ec2.amazonaws.com"]},"Action":["sts:AssumeRole"],"Effect":"Allow"}],"Version":"2012-10-17"}"#,
            read:
                #"{"Version":"2012-10-17","Statement":{"Resource":["arn:aws:s3:::b/*","arn:aws:s3:::a/*"],"Action":["s3:GetObject"],"Effect":"Allow"}}"#
        )
        #expect(!planOf(desired, F.inventory([live])).hasChanges)

        let widened = try Self.liveRole(
            trust:
                #"{"Statement":[{"Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole","Effect":"Allow"}],"Version":"2012-10-17"}"#,
            read: #"{"Version":"2012-10-17","Statement":{"Resource":"*","Action":"s3:GetObject","Effect":"Allow"}}"#)
        #expect(planOf(desired, F.inventory([widened])).actions == ["iam.role/deployer": .update])
    }

    @Test("AAAA and TXT values compare in canonical form")
    func canonicalRecordValues() throws {
        let desired = try Fixtures.load([
            "z.yaml": """
            provider: main
            zone: Example.com.
            records:
              www:
                - {type: AAAA, values: ["2001:DB8:0:0::10", "2001:db8::11"]}
                - {type: TXT, values: ["v=spf1 -all", "google-site-verification=abc"]}
            """
        ])
        let live = F.inventory([
            F.live(Self.zone),
            F.live(
                Address.record(zone: "example.com.", name: "www", type: .AAAA),
                .record(RecordSpec(ttl: 3600, values: ["2001:db8::11", "2001:db8::10"]))),
            F.live(
                Address.record(zone: "example.com.", name: "www", type: .TXT),
                .record(RecordSpec(ttl: 3600, values: ["google-site-verification=abc", "v=spf1 -all"]))),
        ])
        let plan = planOf(desired, live)
        #expect(!plan.hasChanges, "\(plan.changes.map(\.address))")
    }

    @Test("records of unmodeled types are reported in plan.unmanaged and never deleted")
    func unmodeledRecords() {
        let ds = UnmodeledRecord(zone: "example.com.", name: "@", type: "DS", ttl: 3600, values: ["12345 13 2 ABCDEF"])
        let tlsa = UnmodeledRecord(zone: "example.com.", name: "_443._tcp", type: "TLSA", ttl: 3600, values: ["3 1 1 AB"])
        let desired = F.state([Self.zone])
        let plan = planOf(desired, F.inventory([F.live(Self.zone)], unmodeled: [tlsa, ds]))
        #expect(!plan.hasChanges)
        #expect(plan.unmanaged == [ds, tlsa])
    }

    @Test("--target keeps only the changes it matches, and the summary counts only those")
    func targets() throws {
        let stale = F.subnet("old", "10.0.9.0/24")
        let desired = F.state([Self.vpc, Self.subnet, Self.zone, Self.www])
        let inventory = F.inventory([F.live(stale)])
        let subnets = planOf(desired, inventory, options: PlanOptions(targets: ["net.subnet/*"]))
        #expect(subnets.actions == ["net.subnet/web-a": .create, "net.subnet/old": .delete])
        #expect(subnets.summary.create == 1)
        #expect(subnets.summary.delete == 1)
        let dns = planOf(desired, inventory, options: PlanOptions(targets: ["dns.record/example.com./*", "dns.zone/*"]))
        #expect(Set(dns.actions.keys) == ["dns.zone/example.com.", "dns.record/example.com./www/A"])
        #expect(dns.summary.create == 2)
        #expect(dns.summary.delete == 0)
        let nothing = planOf(desired, inventory, options: PlanOptions(targets: ["iam.role/*"]))
        #expect(!nothing.hasChanges)
        #expect(nothing.summary.total == 0)
    }

    @Test("the summary counts every kind of outcome")
    func summaryCounts() {
        let keep = F.vpc("keep", "10.1.0.0/16")
        let conflicted = F.vpc("theirs", "10.2.0.0/16")
        let gone = F.subnet("gone", "10.0.9.0/24")
        let desired = F.state([Self.vpc, Self.subnet, keep, conflicted, Self.zone, Self.www])
        let plan = planOf(
            desired,
            F.inventory([
                F.live(Self.vpc.address, .vpc(VPCSpec(cidr: "10.0.0.0/16")), owner: F.stack),
                F.live(Self.subnet.address, .subnet(SubnetSpec(vpc: "main", cidr: "10.0.2.0/24", zone: "us-east-1a")), owner: F.stack),
                F.live(keep), F.live(conflicted, owner: nil), F.live(gone), F.live(Self.zone),
            ]))
        var expected = Plan.Summary()
        expected.create = 1  // www/A
        expected.update = 1  // vpc main tags
        expected.replace = 1  // subnet web-a cidr
        expected.delete = 1  // subnet gone
        expected.unchanged = 2  // vpc keep, zone
        expected.conflict = 1  // vpc theirs
        #expect(plan.summary == expected)
        #expect(plan.changes.count == 4)
    }

    @Test("the observed fingerprint changes with the inventory and only then")
    func fingerprint() {
        let desired = F.state([Self.vpc])
        let a = F.inventory([F.live(Self.vpc), F.live(Self.subnet), F.live(Self.zone)])
        let b = F.inventory([F.live(Self.zone), F.live(Self.subnet), F.live(Self.vpc)])
        let first = planOf(desired, a).observed
        #expect(first.count == 64 && first.allSatisfy(\.isHexDigit))
        #expect(planOf(desired, a).observed == first, "planning twice observes the same")
        #expect(planOf(desired, b).observed == first, "construction order does not matter")
        let otherDesired = F.state([Self.vpc, F.vpc("new", "10.9.0.0/16")])
        #expect(planOf(otherDesired, a).observed == first, "the desired state is not part of it")

        var changed = a
        changed.resources[Self.subnet.address] = F.live(
            Self.subnet.address, .subnet(SubnetSpec(vpc: "main", cidr: "10.0.1.0/24", zone: "us-east-1b")), owner: F.stack)
        #expect(planOf(desired, changed).observed != first)
        var removed = a
        removed.resources[Self.zone.address] = nil
        #expect(planOf(desired, removed).observed != first)
        var retagged = a
        retagged.resources[Self.vpc.address]?.owner = "other"
        #expect(planOf(desired, retagged).observed != first)
        var withUnmodeled = a
        withUnmodeled.unmodeled = [UnmodeledRecord(zone: "example.com.", name: "@", type: "DS", ttl: 1, values: ["x"])]
        #expect(planOf(desired, withUnmodeled).observed != first)
    }

    @Test("the describe scope covers desired zones and zones the last apply managed")
    func scope() {
        let desired = F.state([Self.vpc, Self.zone, Self.www])
        let prior = PriorState(managed: [.zone("gone.org."), Self.vpc.address])
        let scope = Planner(desired: desired, prior: prior).scope(for: "main")
        #expect(scope.stack == F.stack)
        #expect(scope.zones == ["example.com.", "gone.org."])
        #expect(scope.kinds == Set(ResourceKind.allCases))
        #expect(scope.names[.vpc] == ["main"])
        // DNS is described by zone: naming 100,000 records would only cost the plan time.
        #expect(scope.names[.record] == nil)
        #expect(scope.names[.zone] == nil)
    }

    @Test("each binding's resources are planned against that binding's inventory")
    func perProvider() {
        let dnsZone = F.zone("example.com.", provider: "dns")
        let desired = F.state([Self.vpc, dnsZone], providers: ["main": .embedded, "dns": .powerdns])
        let plan = Planner(desired: desired).plan(
            inventories: ["main": F.inventory([F.live(Self.vpc), F.live(dnsZone)]), "dns": Inventory()],
            source: PlanSource())
        #expect(plan.actions == ["dns.zone/example.com.": .create])
        #expect(plan.change("dns.zone/example.com.")?.provider == "dns")
    }
}
