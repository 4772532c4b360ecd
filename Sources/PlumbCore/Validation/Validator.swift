import OrderedCollections

/// Cross-document validation: duplicates, provider bindings, references, CIDR layout and
/// CNAME exclusivity. Resolves `subnet/NAME` rule peers to the subnet's CIDR.
struct Validator {
    let declarations: Declarations
    let providers: [String: ProviderBinding]
    /// Bindings whose files exist but did not load (their errors are reported already).
    var invalidProviders: Set<String> = []
    var diagnostics = DiagnosticBag()

    init(declarations: Declarations, providers: [String: ProviderBinding]) {
        self.declarations = declarations
        self.providers = providers
    }

    mutating func validate() -> OrderedDictionary<Address, DesiredResource> {
        var resources = OrderedDictionary<Address, DesiredResource>()
        resources.reserveCapacity(declarations.resources.count)
        for resource in declarations.resources {
            if let first = resources[resource.address] {
                diagnostics.error(
                    .duplicate, at: resource.location, "\(resource.address) is declared twice (first at \(first.location?.description ?? "?"))",
                    hint: "keep one declaration")
                continue
            }
            resources[resource.address] = resource
        }
        checkProviders()
        checkReferences(resources)
        checkNetworkLayout(resources)
        checkRolePaths(resources)
        checkDNS(resources)
        checkChecks()
        return resolveSubnetPeers(resources)
    }

    private mutating func checkProviders() {
        // A binding's own problem is reported once, however many documents use it.
        var reported: Set<String> = []
        for use in declarations.providerUses {
            guard let binding = providers[use.provider] else {
                if invalidProviders.contains(use.provider) { continue }
                let hint =
                    Suggestion.hint(for: use.provider, in: providers.keys)
                    ?? "create Providers/\(use.provider).yaml or name one of: \(providers.keys.sorted().joined(separator: ", "))"
                diagnostics.error(.unresolvedReference, at: use.location, "provider '\(use.provider)' is not defined", hint: hint)
                continue
            }
            if let (key, problem) = BindingValues.problemWhenUsed(binding), reported.insert(use.provider).inserted {
                diagnostics.error(
                    .invalidValue, at: binding.valueLocations[key] ?? binding.location, "provider '\(use.provider)': \(problem.message)",
                    hint: problem.hint)
            }
            let unsupported = use.kinds.subtracting(binding.type.servedKinds)
            if !unsupported.isEmpty {
                let kinds = unsupported.sorted().map(\.rawValue).joined(separator: ", ")
                diagnostics.error(
                    .unsupportedKind, at: use.location, "provider '\(use.provider)' (kind \(binding.type.rawValue)) does not serve \(kinds)",
                    hint: "name a provider that serves it (aws or embedded)")
            }
        }
    }

    private mutating func checkReferences(_ resources: OrderedDictionary<Address, DesiredResource>) {
        for reference in declarations.references {
            guard let target = resources[reference.target] else {
                // Declared but invalid: its own errors say what is wrong.
                if declarations.named.contains(reference.target) { continue }
                let names = resources.keys.filter { $0.kind == reference.target.kind }.map(\.name)
                let hint = Suggestion.hint(for: reference.target.name, in: names) ?? "declare \(reference.target) or fix the name"
                diagnostics.error(.unresolvedReference, at: reference.location, "\(reference.what): \(reference.target) does not exist", hint: hint)
                continue
            }
            if target.provider != reference.provider {
                diagnostics.error(
                    .unresolvedReference, at: reference.location,
                    "\(reference.what): \(reference.target) belongs to provider '\(target.provider)', not '\(reference.provider)'",
                    hint: "references stay within one provider")
            }
            if reference.target.kind == .securityGroup || reference.target.kind == .subnet,
                let from = resources[reference.from], case .securityGroup(let group) = from.spec
            {
                let targetVPC: String? =
                    switch target.spec {
                    case .securityGroup(let other): other.vpc
                    case .subnet(let subnet): subnet.vpc
                    default: nil
                    }
                if let targetVPC, targetVPC != group.vpc, reference.target.kind == .securityGroup {
                    diagnostics.error(
                        .unresolvedReference, at: reference.location,
                        "\(reference.what): \(reference.target) is in VPC \(targetVPC), not \(group.vpc)", hint: "reference a group in the same VPC")
                }
            }
        }
    }

    private mutating func checkNetworkLayout(_ resources: OrderedDictionary<Address, DesiredResource>) {
        var subnetsByVPC: [String: [(DesiredResource, SubnetSpec, IPv4CIDR)]] = [:]
        // Sorting addresses, not resources: a 10,000-record state would copy every resource.
        for address in resources.keys.filter({ $0.kind == .subnet }).sorted() {
            guard let resource = resources[address], case .subnet(let subnet) = resource.spec,
                let cidr = IPv4CIDR(subnet.cidr)
            else { continue }
            guard let vpcResource = resources[Address(kind: .vpc, name: subnet.vpc)],
                case .vpc(let vpc) = vpcResource.spec, let vpcCIDR = IPv4CIDR(vpc.cidr)
            else { continue }
            if !vpcCIDR.contains(cidr) {
                diagnostics.error(
                    .cidr, at: resource.location, "subnet \(resource.address.name): \(cidr) is outside VPC \(subnet.vpc) (\(vpcCIDR))",
                    hint: "pick a CIDR inside \(vpcCIDR)")
            }
            for (other, _, otherCIDR) in subnetsByVPC[subnet.vpc, default: []] where otherCIDR.overlaps(cidr) {
                diagnostics.error(
                    .cidr, at: resource.location, "subnet \(resource.address.name): \(cidr) overlaps subnet \(other.address.name) (\(otherCIDR))",
                    hint: "give each subnet of VPC \(subnet.vpc) its own range")
            }
            // An IPv6 /64 comes out of the VPC's own /56, one number per subnet.
            if let index = subnet.ipv6Index {
                if !vpc.ipv6 {
                    diagnostics.error(
                        .cidr, at: resource.location, "subnet \(resource.address.name): ipv6_index \(index) needs an IPv6 block on VPC \(subnet.vpc)",
                        hint: "set ipv6: true on vpc \(subnet.vpc)")
                }
                for (other, otherSpec, _) in subnetsByVPC[subnet.vpc, default: []] where otherSpec.ipv6Index == index {
                    diagnostics.error(
                        .cidr, at: resource.location,
                        "subnet \(resource.address.name): ipv6_index \(index) is subnet \(other.address.name)'s /64 too",
                        hint: "give each subnet of VPC \(subnet.vpc) its own ipv6_index")
                }
            }
            subnetsByVPC[subnet.vpc, default: []].append((resource, subnet, cidr))
        }
    }

    /// A binding with `iam_path:` describes only the roles under that path, so a role it
    /// serves must live there: one outside would be created, then never seen again.
    private mutating func checkRolePaths(_ resources: OrderedDictionary<Address, DesiredResource>) {
        for address in resources.keys where address.kind == .role {
            guard let resource = resources[address], case .role(let role) = resource.spec,
                let scope = providers[resource.provider]?.settings["iam_path"], !role.path.hasPrefix(scope)
            else { continue }
            diagnostics.error(
                .invalidValue, at: resource.location,
                "role \(address.name): path \(role.path) is outside provider '\(resource.provider)''s iam_path \(scope)",
                hint: "write path: \(scope) (or a path under it)")
        }
    }

    private mutating func checkDNS(_ resources: OrderedDictionary<Address, DesiredResource>) {
        // No sorting and no grouping of every name: diagnostics are sorted by position at
        // the end, and only names that hold a CNAME need their other types (a 100,000-record
        // zone has few of those names, if any, with more than one type).
        var cnameNames: Set<Substring> = []
        checkTransferZones(resources)
        for (address, resource) in resources where address.kind == .record {
            guard let parts = address.recordParts else { continue }
            if resources[.zone(parts.zone)] == nil {
                diagnostics.error(.unresolvedReference, at: resource.location, "\(resource.address): zone \(parts.zone) is not declared")
            }
            if let binding = providers[resource.provider], !binding.type.servedRecordTypes.contains(parts.type) {
                let others = ProviderType.allCases.filter { $0.servedRecordTypes.contains(parts.type) }.map(\.rawValue).joined(separator: ", ")
                diagnostics.error(
                    .unsupportedKind, at: resource.location,
                    "\(resource.address): provider '\(resource.provider)' (kind \(binding.type.rawValue)) cannot hold \(parts.type.rawValue) records",
                    hint: "keep \(parts.type.rawValue) records in a zone on a provider that holds them (\(others))")
            }
            if parts.name == "@", parts.type == .NS {
                diagnostics.error(
                    .invalidValue, at: resource.location, "\(parts.zone): the apex NS records belong to the provider",
                    hint: "remove the '@' NS record; delegate subdomains with NS at other names")
            }
            if parts.type == .CNAME {
                if parts.name == "@" {
                    diagnostics.error(
                        .cnameConflict, at: resource.location, "\(parts.zone): a CNAME cannot stand at the apex (it holds SOA and NS)",
                        hint: "use A/AAAA records at '@'")
                }
                if let owner = address.ownerName { cnameNames.insert(owner) }
            }
        }
        guard !cnameNames.isEmpty else { return }
        var typesByName: [Substring: [(RecordType, DesiredResource)]] = [:]
        for (address, resource) in resources {
            guard let owner = address.ownerName, cnameNames.contains(owner), let type = address.recordParts?.type else { continue }
            typesByName[owner, default: []].append((type, resource))
        }
        for (name, entries) in typesByName where entries.count > 1 {
            let others = entries.filter { $0.0 != .CNAME }.map(\.0.rawValue).sorted().joined(separator: ", ")
            for (type, resource) in entries where type == .CNAME {
                diagnostics.error(
                    .cnameConflict, at: resource.location, "\(name): a CNAME must stand alone at its name, but \(others) is also declared there",
                    hint: "remove the other records or the CNAME")
            }
        }
    }

    /// An rfc2136 binding changes only the zones it lists: they exist on the server, and
    /// Plumb can neither create nor delete a zone through DNS UPDATE.
    private mutating func checkTransferZones(_ resources: OrderedDictionary<Address, DesiredResource>) {
        for (address, resource) in resources where address.kind == .zone {
            guard let binding = providers[resource.provider], binding.type == .rfc2136 else { continue }
            let listed = (binding.settings["zones"] ?? "").split(separator: ",").map(String.init)
            guard !listed.contains(address.name) else { continue }
            diagnostics.error(
                .unsupportedKind, at: resource.location,
                "zone \(address.name) is not in the zones: of provider '\(resource.provider)' (kind rfc2136)",
                hint: "add it to zones: in Providers/\(resource.provider).yaml once the server serves it; DNS UPDATE cannot create zones")
        }
    }

    private mutating func checkChecks() {
        var seen: [String: SourceLocation?] = [:]
        for check in declarations.checks {
            if let first = seen[check.name] {
                diagnostics.error(
                    .duplicate, at: check.location, "check \(check.name) is declared twice (first at \(first?.description ?? "?"))",
                    hint: "give each check its own name")
            }
            seen[check.name] = check.location
        }
    }

    /// Subnet references in rules become the subnet's CIDR, which is what providers report;
    /// a dual-stack subnet's also become `subnet/NAME/ipv6`, which providers resolve (its
    /// block is the cloud's choice). Only security groups change; the rest of the map is
    /// returned as it came.
    private mutating func resolveSubnetPeers(_ resources: OrderedDictionary<Address, DesiredResource>) -> OrderedDictionary<Address, DesiredResource>
    {
        var problems: [(SourceLocation?, String, String)] = []
        func resolve(_ rule: SecurityRule, group: DesiredResource) -> [SecurityRule] {
            if let name = rule.peerSubnetIPv6 {
                if case .subnet(let subnet)? = resources[Address(kind: .subnet, name: name)]?.spec, subnet.ipv6Index == nil {
                    problems.append(
                        (
                            group.location, "security group \(group.address.name): \(rule.peer) names subnet \(name), which has no IPv6 block",
                            "give subnet \(name) an ipv6_index, or write subnet/\(name)"
                        ))
                }
                return [rule]
            }
            guard rule.peer.hasPrefix("subnet/") else { return [rule] }
            let name = String(rule.peer.dropFirst("subnet/".count))
            guard case .subnet(let subnet)? = resources[Address(kind: .subnet, name: name)]?.spec else { return [rule] }
            let ipv4 = rule.with(peer: subnet.cidr)
            return subnet.ipv6Index == nil ? [ipv4] : [ipv4, rule.with(peer: "subnet/\(name)\(SecurityRule.ipv6Suffix)")]
        }
        var resolved = resources
        for (address, resource) in resources {
            guard case .securityGroup(let group) = resource.spec else { continue }
            let fix = { (rules: [SecurityRule]) in rules.flatMap { resolve($0, group: resource) } }
            var copy = resource
            copy.spec = .securityGroup(
                SecurityGroupSpec(
                    vpc: group.vpc, description: group.description, ingress: fix(group.ingress), egress: group.egress.map(fix), tags: group.tags))
            resolved[address] = copy
        }
        for (location, message, hint) in problems {
            diagnostics.error(.unresolvedReference, at: location, message, hint: hint)
        }
        return resolved
    }
}
