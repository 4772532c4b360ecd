import PlumbCore
import PlumbTestSupport
import Testing

@Suite("Dual-stack subnets in rules")
struct DualStackLoadingTests {
    static func network(_ rule: String, webIPv6: Bool = true) -> [String: String] {
        [
            "net.yaml": """
            provider: main
            vpcs:
              main: {cidr: 10.0.0.0/16, ipv6: true}
            subnets:
              web: {vpc: main, cidr: 10.0.1.0/24, zone: z\(webIPv6 ? ", ipv6_index: 1" : "")}
            security_groups:
              db:
                vpc: main
                ingress:
                  - \(rule)
            """
        ]
    }

    static func ingress(_ state: DesiredState) throws -> [String] {
        guard case .securityGroup(let group)? = state.resources[Address(kind: .securityGroup, name: "db")]?.spec else {
            throw CancellationError()
        }
        return group.ingress.map { "\($0.peer) \($0.description ?? "-")" }
    }

    @Test("subnet/NAME stands for both blocks of a dual-stack subnet, and for its IPv4 CIDR alone otherwise")
    func expansion() throws {
        let both = try Fixtures.load(Self.network("{protocol: tcp, ports: 5432, from: subnet/web, description: app}"))
        #expect(try Self.ingress(both) == ["10.0.1.0/24 app", "subnet/web/ipv6 app"])
        let ipv4 = try Fixtures.load(Self.network("{protocol: tcp, ports: 5432, from: subnet/web}", webIPv6: false))
        #expect(try Self.ingress(ipv4) == ["10.0.1.0/24 -"])
        let ipv6Only = try Fixtures.load(Self.network("{protocol: tcp, ports: 5432, from: subnet/web/ipv6}"))
        #expect(try Self.ingress(ipv6Only) == ["subnet/web/ipv6 -"])
    }

    @Test("subnet/NAME/ipv6 of a subnet without an IPv6 block, or of no subnet, is an error at its position")
    func refused() {
        for (rule, message) in [
            ("{protocol: tcp, ports: 5432, from: subnet/web/ipv6}", "names subnet web, which has no IPv6 block"),
            ("{protocol: tcp, ports: 5432, from: subnet/ghost/ipv6}", "net.subnet/ghost does not exist"),
        ] {
            do {
                _ = try Fixtures.load(Self.network(rule, webIPv6: false))
                Issue.record("\(rule) loaded")
            } catch {
                #expect("\(error)".contains(message), "\(error)")
                #expect("\(error)".contains("Desired/net.yaml:"), "\(error)")
            }
        }
    }
}
