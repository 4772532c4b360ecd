import Foundation
import PlumbTestSupport
import Testing

@testable import PlumbCore

/// Two VPCs, six subnets, five groups that reference each other and subnets, three roles.
enum GraphFixture {
    static func rule(_ proto: String, _ ports: String?, from: String) -> SecurityRule { SecurityRule(protocol: proto, ports: ports, from: from) }

    static let trust: JSONValue = .object([
        "Version": "2012-10-17",
        "Statement": .object(["Effect": "Allow", "Principal": .object(["Service": "ec2.amazonaws.com"]), "Action": "sts:AssumeRole"]),
    ])

    static let resources: [DesiredResource] = [
        F.vpc("main", "10.0.0.0/16"), F.vpc("data", "10.1.0.0/16"),
        F.subnet("web-a", "10.0.1.0/24", vpc: "main", zone: "us-east-1a"),
        F.subnet("web-b", "10.0.2.0/24", vpc: "main", zone: "us-east-1b"),
        F.subnet("app-a", "10.0.3.0/24", vpc: "main", zone: "us-east-1a"),
        F.subnet("db-a", "10.1.1.0/24", vpc: "data", zone: "us-east-1a"),
        F.subnet("db-b", "10.1.2.0/24", vpc: "data", zone: "us-east-1b"),
        F.subnet("cache-a", "10.1.3.0/24", vpc: "data", zone: "us-east-1a"),
        F.group("lb", vpc: "main", ingress: [rule("tcp", "443", from: "0.0.0.0/0"), rule("tcp", "80", from: "0.0.0.0/0")]),
        F.group("web", vpc: "main", ingress: [rule("tcp", "8080", from: "security_group/lb"), rule("tcp", "9100-9102", from: "10.0.1.0/24")]),
        F.group(
            "app", vpc: "main", ingress: [rule("tcp", "9000", from: "security_group/web")],
            egress: [SecurityRule(protocol: "tcp", ports: "5432", to: "10.1.1.0/24")]),
        F.group("db", vpc: "data", ingress: [rule("tcp", "5432", from: "10.0.3.0/24"), rule("icmp", nil, from: "10.1.0.0/16")]),
        F.group("cache", vpc: "data", ingress: [rule("tcp", "6379", from: "security_group/db")]),
        F.role(
            "deployer", trust: trust,
            policies: [
                "deploy": .object([
                    "Statement": .object(["Effect": "Allow", "Action": .array(["ecs:UpdateService", "s3:GetObject"]), "Resource": "*"])
                ])
            ]),
        F.role("web-instance", trust: trust),
        F.role(
            "auditor",
            trust: .object([
                "Statement": .object(["Effect": "Allow", "Principal": .object(["AWS": "arn:aws:iam::123456789012:root"]), "Action": "sts:AssumeRole"])
            ])),
    ]

    static let ruleCount = 9
}

@Suite("Network graph")
struct NetworkGraphTests {
    let desired = F.state(GraphFixture.resources)

    @Test("every subnet, group and rule appears exactly once, in both formats")
    func everythingOnce() {
        let graph = NetworkGraph(desired: desired)
        #expect(graph.clusters.count == 2)
        #expect(graph.nodes.filter { $0.kind == .subnet }.count == 6)
        #expect(graph.nodes.filter { $0.kind == .securityGroup }.count == 5)
        #expect(graph.nodes.filter { $0.kind == .role }.count == 3)
        #expect(graph.edges.filter { $0.label != "assumes" && !$0.from.hasPrefix("role_") }.count == GraphFixture.ruleCount)
        let mermaid = MermaidGraphRenderer().render(graph)
        let dot = DOTGraphRenderer().render(graph)
        for name in ["web-a", "web-b", "app-a", "db-a", "db-b", "cache-a"] {
            #expect(mermaid.components(separatedBy: "subnet \(name)<br/>").count == 2, "\(name)")
            #expect(dot.components(separatedBy: "\"subnet \(name)\\n").count == 2, "\(name)")
        }
        for name in ["lb", "web", "app", "db", "cache"] {
            #expect(mermaid.components(separatedBy: "\"security group \(name)\"").count == 2, "\(name)")
            #expect(dot.components(separatedBy: "\"security group \(name)\"").count == 2, "\(name)")
        }
        #expect(mermaid.components(separatedBy: "-->|").count - 1 == graph.edges.count)
        #expect(dot.components(separatedBy: " -> ").count - 1 == graph.edges.count)
    }

    @Test("a rule from a subnet's CIDR is drawn from that subnet; from a group, from the group; else from a CIDR node")
    func sources() {
        let graph = NetworkGraph(desired: desired)
        let edges = Set(graph.edges.map { "\($0.from) \($0.label) \($0.to)" })
        #expect(edges.contains("subnet_web_2Da tcp 9100-9102 sg_web"))
        #expect(edges.contains("sg_lb tcp 8080 sg_web"))
        #expect(edges.contains("cidr_0_2E0_2E0_2E0_2F0 tcp 443 sg_lb"))
        #expect(edges.contains("subnet_app_2Da tcp 5432 sg_db"))
        // Egress other than the default is drawn outwards, to a subnet of another VPC when
        // only one subnet has the CIDR; the VPC's own CIDR is a node of its own.
        #expect(edges.contains("sg_app out tcp 5432 subnet_db_2Da"))
        #expect(edges.contains("cidr_10_2E1_2E0_2E0_2F16 icmp sg_db"))
        #expect(edges.contains("principal_ec2_2Eamazonaws_2Ecom assumes role_deployer"))
        #expect(edges.contains("role_deployer deploy service_ecs") && edges.contains("role_deployer deploy service_s3"))
    }

    @Test("the output is the same whatever the declaration order")
    func deterministic() {
        let shuffled = F.state(GraphFixture.resources.reversed())
        #expect(MermaidGraphRenderer().render(NetworkGraph(desired: desired)) == MermaidGraphRenderer().render(NetworkGraph(desired: shuffled)))
        #expect(DOTGraphRenderer().render(NetworkGraph(desired: desired)) == DOTGraphRenderer().render(NetworkGraph(desired: shuffled)))
    }

    @Test("--plan colours what is created, changed and deleted, down to single rules")
    func planColours() throws {
        // Live: web without its 9100 rule but with an SSH rule; no cache group; an old subnet.
        var live = GraphFixture.resources.filter { $0.address.name != "cache" }.map { F.live($0) }
        let web = try #require(live.firstIndex { $0.address == Address(kind: .securityGroup, name: "web") })
        live[web].spec = .securityGroup(
            SecurityGroupSpec(
                vpc: "main", description: "web",
                ingress: [GraphFixture.rule("tcp", "8080", from: "security_group/lb"), GraphFixture.rule("tcp", "22", from: "10.0.0.0/16")],
                egress: nil))
        let old = F.subnet("old-a", "10.0.9.0/24", vpc: "main")
        live.append(F.live(old))
        let plan = planOf(desired, F.inventory(live))
        let graph = NetworkGraph(desired: desired, plan: plan)
        let node = { (id: String) in graph.nodes.first { $0.id == id }?.status }
        #expect(node("sg_cache") == .created)
        #expect(node("sg_web") == .changed)
        #expect(node("subnet_old_2Da") == .deleted)
        #expect(node("sg_lb") == nil)
        let edge = { (label: String, to: String) in graph.edges.first { $0.label == label && $0.to == to }?.status }
        #expect(edge("tcp 9100-9102", "sg_web") == .created)
        #expect(edge("tcp 22", "sg_web") == .deleted)
        #expect(edge("tcp 8080", "sg_web") == nil)
        let mermaid = MermaidGraphRenderer().render(graph)
        #expect(mermaid.contains("class sg_cache created") && mermaid.contains("class subnet_old_2Da deleted"))
        #expect(mermaid.contains("linkStyle"))
        #expect(DOTGraphRenderer().render(graph).contains("style=dashed"))
    }

    @Test("labels that hold quotes or markup cannot break out of the graph language")
    func escaping() {
        let odd = F.state([
            F.role(
                "r",
                trust: .object(["Statement": .object(["Effect": "Allow", "Principal": .object(["AWS": "a\"b<c>#d\\e"]), "Action": "sts:AssumeRole"])])
            )
        ])
        let graph = NetworkGraph(desired: odd)
        let mermaid = MermaidGraphRenderer().render(graph)
        #expect(mermaid.contains("a#quot;b#lt;c#gt;#35;d\\e"))
        let dot = DOTGraphRenderer().render(graph)
        #expect(dot.contains(#""a\"b<c>#d\\e""#))
    }
}

/// Mermaid has no parser on Debian or PyPI that installs here (the PyPI wrapper needs npm at
/// install time), so the flowchart is checked against the grammar it uses: every line one of
/// the statement forms, subgraphs balanced, every edge between declared ids, every label quoted.
@Suite("Mermaid structure")
struct MermaidStructureTests {
    static let id = #"[A-Za-z][A-Za-z0-9_]*"#
    static let label = #""[^"]*""#
    static let forms = [
        #"^flowchart LR$"#,
        #"^  subgraph \#(id)\[\#(label)\]$"#,
        #"^  end$"#,
        #"^ {2,4}\#(id)(\[\#(label)\]|\(\[\#(label)\]\)|\{\{\#(label)\}\}|\[/\#(label)/\]|\(\#(label)\))$"#,
        #"^  \#(id) (-->|-\.->)\|\#(label)\| \#(id)$"#,
        #"^  classDef (created|changed|deleted) fill:#[0-9a-f]{6},stroke:#[0-9a-f]{6},stroke-width:2px$"#,
        #"^  class \#(id)(,\#(id))* (created|changed|deleted)$"#,
        #"^  linkStyle \d+(,\d+)* stroke:#[0-9a-f]{6},stroke-width:2px$"#,
    ]

    @Test("every line is a statement of the flowchart grammar; edges join declared nodes; subgraphs close")
    func grammar() throws {
        let desired = F.state(GraphFixture.resources)
        var live = GraphFixture.resources.filter { $0.address.name != "cache" }.map { F.live($0) }
        live.append(F.live(F.subnet("old-a", "10.0.9.0/24", vpc: "main")))
        let graph = NetworkGraph(desired: desired, plan: planOf(desired, F.inventory(live)))
        let text = MermaidGraphRenderer().render(graph)
        let patterns = try Self.forms.map { try Regex($0) }
        var declared: Set<String> = []
        var depth = 0
        var edgeCount = 0
        for line in text.split(separator: "\n").map(String.init) {
            #expect(patterns.contains { line.wholeMatch(of: $0) != nil }, "not a flowchart statement: \(line)")
            let words = line.split(separator: " ")
            if line.hasPrefix("  subgraph ") {
                depth += 1
                declared.insert(String(words[1].prefix { $0 != "[" }))
            }
            if line == "  end" { depth -= 1 }
            if let first = words.first, line.contains("[\"") || line.contains("(\"") || line.contains("{{\"") || line.contains("[/\""),
                !line.hasPrefix("  subgraph")
            {
                declared.insert(String(first.prefix { $0.isLetter || $0.isNumber || $0 == "_" }))
            }
            if line.contains("-->|") || line.contains("-.->|") {
                edgeCount += 1
                #expect(
                    declared.contains(String(words[0])) && declared.contains(String(words.last ?? "")),
                    "edge to an undeclared node: \(line) in \(declared.sorted())")
            }
            #expect(depth >= 0 && depth <= 1)
        }
        #expect(depth == 0)
        #expect(edgeCount == graph.edges.count)
        let maxLink =
            text.split(separator: "\n").filter { $0.hasPrefix("  linkStyle") }
            .flatMap { $0.split(separator: " ")[1].split(separator: ",").compactMap { Int($0) } }.max() ?? -1
        #expect(maxLink < edgeCount, "linkStyle names an edge that does not exist")
    }
}
