import PlumbCore

/// What EC2 reports of a VPC, a subnet and a security group.
struct EC2VPC: Sendable, Equatable {
    var id: String
    var cidr: String
    var tags: [String: String]
    /// The associated IPv6 block, if any.
    var ipv6: EC2IPv6Block?
    /// `DescribeVpcAttribute`'s answers, read only for the VPCs an inventory reports.
    var dnsHostnames = false
    var dnsSupport = true
}

/// An IPv6 block and the association that holds it (what disassociating needs).
struct EC2IPv6Block: Sendable, Equatable {
    var cidr: String
    var associationID: String
}

struct EC2Subnet: Sendable, Equatable {
    var id: String
    var vpcID: String
    var cidr: String
    var zone: String
    var tags: [String: String]
    var ipv6: EC2IPv6Block?
    var mapPublicIPOnLaunch = false
    var assignIPv6OnCreation = false
}

struct EC2SecurityGroup: Sendable, Equatable {
    var id: String
    var name: String
    var description: String
    var vpcID: String
    var ingress: [EC2Permission]
    var egress: [EC2Permission]
    var tags: [String: String]
}

/// One rule as EC2 speaks of it: a protocol, a port range, one peer and the peer's
/// description (EC2 keeps descriptions per peer, not per permission).
struct EC2Permission: Sendable, Hashable {
    enum Peer: Sendable, Hashable {
        case cidr(String)
        case cidrV6(String)
        case group(id: String)
        case prefixList(id: String)
    }

    /// `tcp`, `udp`, `icmp` or `-1` (all).
    var ipProtocol: String
    var fromPort: Int?
    var toPort: Int?
    var peer: Peer
    var description: String?
}

/// The EC2 Query API calls Plumb makes. Describe calls are paginated and filtered, so a
/// listing costs a handful of calls whatever the count.
struct EC2API: Sendable {
    let client: AWSClient
    /// Items per page: EC2's maximum for these calls.
    var pageSize = 1000

    typealias Filter = (name: String, values: [String])

    func describeVPCs(_ filters: [Filter]) async throws -> [EC2VPC] {
        try await describeAll("DescribeVpcs", list: "vpcSet", filters).compactMap { item in
            guard let id = item.value("vpcId") else { return nil }
            return EC2VPC(id: id, cidr: item.value("cidrBlock") ?? "", tags: Self.tags(item), ipv6: Self.ipv6Block(item))
        }
    }

    /// The first IPv6 block that is associated (or on its way): one that is being removed
    /// or failed is not the resource's.
    static func ipv6Block(_ item: XMLElement) -> EC2IPv6Block? {
        for association in item.items("ipv6CidrBlockAssociationSet") {
            // moto answers the state as the text `{'State': 'associated'}`; AWS as `associated`.
            let state = association.value("ipv6CidrBlockState", "state") ?? "associated"
            guard state.contains("associat"), !state.contains("disassociat"),
                let cidr = association.value("ipv6CidrBlock"), let id = association.value("associationId")
            else { continue }
            return EC2IPv6Block(cidr: IPv6CIDR(cidr)?.description ?? cidr, associationID: id)
        }
        return nil
    }

    /// `enableDnsHostnames` or `enableDnsSupport`: EC2 reports them one call each.
    func vpcAttribute(_ id: String, _ attribute: String) async throws -> Bool {
        let answer = try await client.query(.ec2, "DescribeVpcAttribute", [("VpcId", id), ("Attribute", attribute)])
        return answer.value(attribute, "value") == "true"
    }

    /// Managed prefix lists as (id, name).
    func describePrefixLists(_ filters: [Filter]) async throws -> [(id: String, name: String)] {
        try await describeAll("DescribeManagedPrefixLists", list: "prefixListSet", filters).compactMap { item in
            guard let id = item.value("prefixListId") else { return nil }
            return (id, item.value("prefixListName") ?? "")
        }
    }

    /// One attribute per call, as EC2 requires.
    func setVPCAttribute(_ id: String, _ attribute: String, _ value: Bool) async throws {
        _ = try await client.query(.ec2, "ModifyVpcAttribute", [("VpcId", id), ("\(attribute).Value", value ? "true" : "false")])
    }

    func setSubnetAttribute(_ id: String, _ attribute: String, _ value: Bool) async throws {
        _ = try await client.query(.ec2, "ModifySubnetAttribute", [("SubnetId", id), ("\(attribute).Value", value ? "true" : "false")])
    }

    /// Asks for an Amazon-provided /56.
    func associateVPCIPv6(_ id: String) async throws {
        _ = try await client.query(.ec2, "AssociateVpcCidrBlock", [("VpcId", id), ("AmazonProvidedIpv6CidrBlock", "true")])
    }

    func disassociateVPCBlock(_ associationID: String) async throws {
        try await ignoringNotFound { _ = try await client.query(.ec2, "DisassociateVpcCidrBlock", [("AssociationId", associationID)]) }
    }

    func associateSubnetIPv6(_ id: String, cidr: String) async throws {
        _ = try await client.query(.ec2, "AssociateSubnetCidrBlock", [("SubnetId", id), ("Ipv6CidrBlock", cidr)])
    }

    func disassociateSubnetBlock(_ associationID: String) async throws {
        try await ignoringNotFound { _ = try await client.query(.ec2, "DisassociateSubnetCidrBlock", [("AssociationId", associationID)]) }
    }

    func describeSubnets(_ filters: [Filter]) async throws -> [EC2Subnet] {
        try await describeAll("DescribeSubnets", list: "subnetSet", filters).compactMap { item in
            guard let id = item.value("subnetId") else { return nil }
            return EC2Subnet(
                id: id, vpcID: item.value("vpcId") ?? "", cidr: item.value("cidrBlock") ?? "",
                zone: item.value("availabilityZone") ?? "", tags: Self.tags(item), ipv6: Self.ipv6Block(item),
                mapPublicIPOnLaunch: item.value("mapPublicIpOnLaunch") == "true",
                assignIPv6OnCreation: item.value("assignIpv6AddressOnCreation") == "true")
        }
    }

    func describeSecurityGroups(_ filters: [Filter]) async throws -> [EC2SecurityGroup] {
        try await describeAll("DescribeSecurityGroups", list: "securityGroupInfo", filters).compactMap { item in
            guard let id = item.value("groupId") else { return nil }
            return EC2SecurityGroup(
                id: id, name: item.value("groupName") ?? "", description: item.value("groupDescription") ?? "",
                vpcID: item.value("vpcId") ?? "", ingress: Self.permissions(item.items("ipPermissions")),
                egress: Self.permissions(item.items("ipPermissionsEgress")), tags: Self.tags(item))
        }
    }

    /// Every item of a Describe call, at EC2's largest page size.
    func describeAll(_ action: String, list: String, _ filters: [Filter]) async throws -> [XMLElement] {
        let client = self.client
        let pageSize = self.pageSize
        return try await Self.collectPages(list: list) { token in
            var parameters = AWSQuery.filters(filters) + [("MaxResults", String(pageSize))]
            if let token { parameters.append(("NextToken", token)) }
            return try await client.query(.ec2, action, parameters)
        }
    }

    /// Follows `nextToken` from page to page. A server that ignores `MaxResults` simply
    /// answers in one page.
    static func collectPages(list: String, _ fetch: (String?) async throws -> XMLElement) async throws -> [XMLElement] {
        var items: [XMLElement] = []
        var token: String?
        repeat {
            let page = try await fetch(token)
            items += page.items(list)
            token = page.value("nextToken").flatMap { $0.isEmpty ? nil : $0 }
        } while token != nil
        return items
    }

    // MARK: Writes

    func createVPC(cidr: String, ipv6: Bool = false, tags: [String: String]) async throws -> String {
        let block = ipv6 ? [("AmazonProvidedIpv6CidrBlock", "true")] : []
        let answer = try await client.query(
            .ec2, "CreateVpc", [("CidrBlock", cidr)] + block + AWSQuery.tagSpecification("vpc", tags), safeToRepeat: false)
        return try id(answer.value("vpc", "vpcId"), "CreateVpc")
    }

    func createSubnet(vpcID: String, cidr: String, ipv6Cidr: String?, zone: String, tags: [String: String]) async throws -> String {
        let block = ipv6Cidr.map { [("Ipv6CidrBlock", $0)] } ?? []
        let answer = try await client.query(
            .ec2, "CreateSubnet",
            [("VpcId", vpcID), ("CidrBlock", cidr), ("AvailabilityZone", zone)] + block + AWSQuery.tagSpecification("subnet", tags),
            safeToRepeat: false)
        return try id(answer.value("subnet", "subnetId"), "CreateSubnet")
    }

    /// Group names are unique per VPC: a repeated create fails with `InvalidGroup.Duplicate`
    /// instead of duplicating, so it is safe to retry.
    func createSecurityGroup(name: String, description: String, vpcID: String, tags: [String: String]) async throws -> String {
        let answer = try await client.query(
            .ec2, "CreateSecurityGroup",
            [("GroupName", name), ("GroupDescription", description), ("VpcId", vpcID)]
                + AWSQuery.tagSpecification("security-group", tags))
        return try id(answer.value("groupId"), "CreateSecurityGroup")
    }

    func deleteVPC(_ id: String) async throws {
        try await ignoringNotFound { _ = try await client.query(.ec2, "DeleteVpc", [("VpcId", id)]) }
    }

    func deleteSubnet(_ id: String) async throws {
        try await ignoringNotFound { _ = try await client.query(.ec2, "DeleteSubnet", [("SubnetId", id)]) }
    }

    func deleteSecurityGroup(_ id: String) async throws {
        try await ignoringNotFound { _ = try await client.query(.ec2, "DeleteSecurityGroup", [("GroupId", id)]) }
    }

    func createTags(_ resourceID: String, _ tags: [String: String]) async throws {
        guard !tags.isEmpty else { return }
        var parameters = [("ResourceId.1", resourceID)]
        for (index, key) in tags.keys.sorted().enumerated() {
            parameters.append(("Tag.\(index + 1).Key", key))
            parameters.append(("Tag.\(index + 1).Value", tags[key] ?? ""))
        }
        _ = try await client.query(.ec2, "CreateTags", parameters)
    }

    func deleteTags(_ resourceID: String, _ keys: [String]) async throws {
        guard !keys.isEmpty else { return }
        let parameters = [("ResourceId.1", resourceID)] + AWSQuery.list("Tag", keys.sorted()).map { ($0.0 + ".Key", $0.1) }
        _ = try await client.query(.ec2, "DeleteTags", parameters)
    }

    /// Adds rules to a group in one call. Rules that exist already are skipped one by one
    /// when the call as a whole is refused as a duplicate, so a retried run converges.
    func authorize(groupID: String, ingress: Bool, _ permissions: [EC2Permission]) async throws {
        try await changeRules(
            ingress ? "AuthorizeSecurityGroupIngress" : "AuthorizeSecurityGroupEgress", groupID: groupID, permissions,
            ruleAlreadyDone: "InvalidPermission.Duplicate", ignoring: { $0.code == "InvalidPermission.Duplicate" })
    }

    /// Removes rules from a group in one call; rules already gone are skipped one by one.
    func revoke(groupID: String, ingress: Bool, _ permissions: [EC2Permission]) async throws {
        try await changeRules(
            ingress ? "RevokeSecurityGroupIngress" : "RevokeSecurityGroupEgress", groupID: groupID,
            permissions.map {
                var bare = $0
                bare.description = nil
                return bare
            },
            ruleAlreadyDone: "InvalidPermission.NotFound", ignoring: \.isNotFound)
    }

    /// Sets the descriptions of rules the group has, in place, in one call: a permission
    /// without a description clears it. The rules themselves stay.
    func describeRules(groupID: String, ingress: Bool, _ permissions: [EC2Permission]) async throws {
        guard !permissions.isEmpty else { return }
        let action = ingress ? "UpdateSecurityGroupRuleDescriptionsIngress" : "UpdateSecurityGroupRuleDescriptionsEgress"
        _ = try await client.query(.ec2, action, [("GroupId", groupID)] + Self.parameters(permissions))
    }

    /// One call for all the rules. Errors that mean "already as wanted" (`ignoring`) end it;
    /// when that is `ruleAlreadyDone` for one rule of several, the others still need their
    /// own calls, skipping the ones EC2 refuses the same way.
    private func changeRules(
        _ action: String, groupID: String, _ permissions: [EC2Permission], ruleAlreadyDone: String,
        ignoring: (AWSError) -> Bool
    ) async throws {
        guard !permissions.isEmpty else { return }
        do {
            _ = try await client.query(.ec2, action, [("GroupId", groupID)] + Self.parameters(permissions))
        } catch let error as AWSError where ignoring(error) {
            guard error.code == ruleAlreadyDone, permissions.count > 1 else { return }
            for permission in permissions {
                do {
                    _ = try await client.query(.ec2, action, [("GroupId", groupID)] + Self.parameters([permission]))
                } catch let error as AWSError where ignoring(error) {
                    continue
                }
            }
        }
    }

    // MARK: Mapping

    static func tags(_ item: XMLElement) -> [String: String] {
        var tags: [String: String] = [:]
        for tag in item.items("tagSet") {
            if let key = tag.value("key") { tags[key] = tag.value("value") ?? "" }
        }
        return tags
    }

    /// One `EC2Permission` per peer of every `<item>` of an ipPermissions list.
    static func permissions(_ items: [XMLElement]) -> [EC2Permission] {
        items.flatMap { item -> [EC2Permission] in
            let ipProtocol = item.value("ipProtocol") ?? "-1"
            let from = item.value("fromPort").flatMap { Int($0) }
            let to = item.value("toPort").flatMap { Int($0) }
            let peers: [(EC2Permission.Peer, String?)] =
                item.items("ipRanges").compactMap { range in range.value("cidrIp").map { (.cidr($0), range.value("description")) } }
                + item.items("ipv6Ranges").compactMap { range in range.value("cidrIpv6").map { (.cidrV6($0), range.value("description")) } }
                + item.items("groups").compactMap { pair in pair.value("groupId").map { (.group(id: $0), pair.value("description")) } }
                + item.items("prefixListIds").compactMap { list in list.value("prefixListId").map { (.prefixList(id: $0), list.value("description")) }
                }
            return peers.map { EC2Permission(ipProtocol: ipProtocol, fromPort: from, toPort: to, peer: $0.0, description: $0.1) }
        }
    }

    /// `IpPermissions.N.…` for Authorize, Revoke and the description updates: one permission
    /// per rule, IPv4 and IPv6 peers alike. Revoke matches rules without their descriptions.
    static func parameters(_ permissions: [EC2Permission], descriptions: Bool = true) -> [(String, String)] {
        var parameters: [(String, String)] = []
        for (index, permission) in permissions.enumerated() {
            let prefix = "IpPermissions.\(index + 1)"
            parameters.append(("\(prefix).IpProtocol", permission.ipProtocol))
            if let from = permission.fromPort { parameters.append(("\(prefix).FromPort", String(from))) }
            if let to = permission.toPort { parameters.append(("\(prefix).ToPort", String(to))) }
            let (list, key, value): (String, String, String) =
                switch permission.peer {
                case .cidr(let cidr): ("IpRanges", "CidrIp", cidr)
                case .cidrV6(let cidr): ("Ipv6Ranges", "CidrIpv6", cidr)
                case .group(let id): ("Groups", "GroupId", id)
                case .prefixList(let id): ("PrefixListIds", "PrefixListId", id)
                }
            parameters.append(("\(prefix).\(list).1.\(key)", value))
            if descriptions, let description = permission.description {
                parameters.append(("\(prefix).\(list).1.Description", description))
            }
        }
        return parameters
    }

    private func id(_ value: String?, _ operation: String) throws -> String {
        guard let value, !value.isEmpty else {
            throw AWSError(code: "MalformedResponse", message: "the answer carries no id", status: 200, operation: operation)
        }
        return value
    }
}

/// Deleting what is already gone succeeds: that is what makes deletes idempotent.
func ignoringNotFound(_ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch let error as AWSError where error.isNotFound {
        return
    }
}
