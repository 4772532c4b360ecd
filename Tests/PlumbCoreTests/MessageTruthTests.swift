import PlumbTestSupport
import Testing

@testable import PlumbCore

@Suite("Messages that tell the truth")
struct MessageTruthTests {
    @Test("a group update does not show its provider-default egress as a change")
    func egressDefaultIsNoChange() {
        let rule = SecurityRule(protocol: "tcp", ports: "443", from: "0.0.0.0/0")
        let desired = F.group("web", ingress: [rule, SecurityRule(protocol: "tcp", ports: "80", from: "0.0.0.0/0")], egress: nil)
        let live = F.live(
            Address(kind: .securityGroup, name: "web"),
            .securityGroup(
                SecurityGroupSpec(
                    vpc: "main", description: "web", ingress: [rule], egress: [SecurityRule(protocol: "all", ports: nil, to: "0.0.0.0/0")])),
            owner: F.stack)
        let plan = planOf(F.state([desired]), F.inventory([live]))
        let text = PlanTextRenderer(style: TextStyle(color: false)).render(plan)
        #expect(text.contains("ingress: +tcp 80 from 0.0.0.0/0"), "\(text)")
        #expect(!text.contains("egress"), "\(text)")
    }

    @Test("the importer writes a rule from a subnet's CIDR as subnet/NAME, which loads back to the same CIDR")
    func importerNamesSubnets() throws {
        let subnet = F.subnet("web-a", "10.0.1.0/24")
        let group = F.group(
            "web",
            ingress: [
                SecurityRule(protocol: "tcp", ports: "443", from: "10.0.1.0/24"), SecurityRule(protocol: "tcp", ports: "22", from: "10.9.0.0/16"),
            ])
        let inventory = F.inventory([F.live(F.vpc("main")), F.live(subnet), F.live(group)])
        let documents = try Importer(provider: "main").documents(inventory)
        let text = try #require(documents.values.first { $0.contains("security_groups") })
        #expect(text.contains("subnet/web-a"), "\(text)")
        #expect(text.contains("10.9.0.0/16"))
        let loaded = try Fixtures.load(["imported.yaml": text])
        #expect(loaded.resources[group.address]?.spec == group.spec)
    }
}
