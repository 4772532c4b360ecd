extension NetworkGraph {
    /// The graph of `desired`; with `plan`, what it creates, changes and deletes is marked,
    /// and what it deletes is drawn from the live values the plan saw.
    public init(desired: DesiredState, plan: Plan? = nil) {
        var builder = Builder(changes: Dictionary((plan?.changes ?? []).map { ($0.address, $0) }) { first, _ in first })
        var specs: [Address: ResourceSpec] = [:]
        for resource in desired.resources.values where resource.address.kind.isTaggedCloudKind {
            specs[resource.address] = resource.spec
        }
        for change in plan?.changes ?? [] where change.action == .delete {
            if let before = change.before, change.address.kind.isTaggedCloudKind { specs[change.address] = before }
        }
        builder.add(specs)
        self.init(
            clusters: builder.clusters.values.sorted { $0.id < $1.id },
            nodes: builder.nodes.values.sorted { $0.id < $1.id },
            edges: builder.edges.sorted { ($0.from, $0.to, $0.label) < ($1.from, $1.to, $1.label) })
    }

    /// Collects nodes by id, so a CIDR that many rules name is one node.
    struct Builder {
        let changes: [Address: Change]
        var clusters: [String: Cluster] = [:]
        var nodes: [String: Node] = [:]
        var edges: Set<Edge> = []

        func status(_ address: Address) -> Status? {
            switch changes[address]?.action {
            case .create: return .created
            case .update, .replace: return .changed
            case .delete: return .deleted
            case nil: return nil
            }
        }

        mutating func add(_ specs: [Address: ResourceSpec]) {
            // Subnet references were resolved to CIDRs at load: a rule's CIDR that is a
            // subnet's of the same VPC is drawn from that subnet.
            var subnetByCIDR: [String: String] = [:]
            var cidrCount: [String: Int] = [:]
            for (address, spec) in specs {
                switch spec {
                case .vpc(let vpc):
                    let id = NetworkGraph.id("vpc", address.name)
                    clusters[id] = Cluster(id: id, lines: ["VPC \(address.name)", vpc.cidr], status: status(address))
                case .subnet(let subnet):
                    let id = NetworkGraph.id("subnet", address.name)
                    subnetByCIDR["\(subnet.vpc)|\(subnet.cidr)"] = id
                    subnetByCIDR["*|\(subnet.cidr)"] = id
                    cidrCount[subnet.cidr, default: 0] += 1
                    nodes[id] = Node(
                        id: id, kind: .subnet, lines: ["subnet \(address.name)", "\(subnet.cidr) · \(subnet.zone)"],
                        cluster: NetworkGraph.id("vpc", subnet.vpc), status: status(address))
                case .role(let role):
                    addRole(address, role)
                default: break
                }
            }
            // A CIDR that is one subnet's in any VPC (peered networks) is that subnet too.
            for (cidr, count) in cidrCount where count > 1 { subnetByCIDR["*|\(cidr)"] = nil }
            for (address, spec) in specs {
                guard case .securityGroup(let group) = spec else { continue }
                let id = NetworkGraph.id("sg", address.name)
                nodes[id] = Node(
                    id: id, kind: .securityGroup, lines: ["security group \(address.name)"],
                    cluster: NetworkGraph.id("vpc", group.vpc), status: status(address))
                for (rule, ruleStatus) in rules(address, group, \.ingress) {
                    edges.insert(
                        Edge(from: peer(rule.peer, vpc: group.vpc, subnets: subnetByCIDR), to: id, label: rule.edgeLabel, status: ruleStatus))
                }
                for (rule, ruleStatus) in rules(address, group, { $0.egress ?? [] }) {
                    edges.insert(
                        Edge(from: id, to: peer(rule.peer, vpc: group.vpc, subnets: subnetByCIDR), label: "out " + rule.edgeLabel, status: ruleStatus)
                    )
                }
            }
        }

        /// A group's rules with what the plan does to each: a rule only the desired state has
        /// is created, one only the live state has is deleted (and drawn).
        func rules(_ address: Address, _ group: SecurityGroupSpec, _ side: (SecurityGroupSpec) -> [SecurityRule]) -> [(SecurityRule, Status?)] {
            let groupStatus = status(address)
            guard groupStatus == .changed, case .securityGroup(let before)? = changes[address]?.before else {
                return side(group).map { ($0, groupStatus) }
            }
            let old = Set(side(before))
            let new = Set(side(group))
            return new.map { ($0, old.contains($0) ? nil : .created) } + old.subtracting(new).map { ($0, .deleted) }
        }

        mutating func peer(_ peer: String, vpc: String, subnets: [String: String]) -> String {
            if let group = peer.split(separator: "/", maxSplits: 1).last, peer.hasPrefix("security_group/") {
                return NetworkGraph.id("sg", String(group))
            }
            if let subnet = subnets["\(vpc)|\(peer)"] ?? subnets["*|\(peer)"] { return subnet }
            if let name = SecurityRule(protocol: "all", ports: nil, from: peer).peerSubnetIPv6 { return NetworkGraph.id("subnet", name) }
            let id = NetworkGraph.id("cidr", peer)
            nodes[id] = Node(
                id: id, kind: .cidr, lines: [peer == "0.0.0.0/0" || peer == "::/0" ? "\(peer) (internet)" : peer], cluster: nil, status: nil)
            return id
        }

        mutating func addRole(_ address: Address, _ role: RoleSpec) {
            let id = NetworkGraph.id("role", address.name)
            let roleStatus = status(address)
            nodes[id] = Node(id: id, kind: .role, lines: ["role \(address.name)", role.path], cluster: nil, status: roleStatus)
            for statement in PolicyStatement.statements(of: role.trust) where statement.allows {
                for principal in statement.principals {
                    let principalID = NetworkGraph.id("principal", principal)
                    nodes[principalID] = Node(id: principalID, kind: .principal, lines: [principal], cluster: nil, status: nil)
                    edges.insert(Edge(from: principalID, to: id, label: "assumes", status: roleStatus))
                }
            }
            var services: [String: Set<String>] = [:]
            for (name, document) in role.policies {
                for statement in PolicyStatement.statements(of: document) where statement.allows {
                    for action in statement.actions {
                        let service = action == "*" ? "*" : String(action.split(separator: ":").first ?? Substring(action))
                        services[service, default: []].insert(name)
                    }
                }
            }
            for (service, policies) in services {
                let serviceID = NetworkGraph.id("service", service)
                nodes[serviceID] = Node(id: serviceID, kind: .service, lines: [service == "*" ? "every service" : service], cluster: nil, status: nil)
                edges.insert(Edge(from: id, to: serviceID, label: policies.sorted().joined(separator: ", "), status: roleStatus))
            }
        }
    }
}

extension SecurityRule {
    /// `tcp 443`, `all`, `icmp`: what an edge says.
    var edgeLabel: String { self.protocol + (ports.map { " \($0)" } ?? "") }
}
