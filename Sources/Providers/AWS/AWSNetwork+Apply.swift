import PlumbCore

extension AWSNetwork {
    /// Names to EC2 ids, for the VPCs and groups a batch refers to.
    struct IDs: Sendable {
        var vpcs: [String: String] = [:]
        var groups: [String: String] = [:]
        /// VPCs (by name) with an IPv6 block: their new groups get egress to `::/0` too.
        var dualStack: Set<String> = []
        /// Subnet name → its IPv6 block, for rules that name `subnet/NAME/ipv6`.
        var subnetIPv6: [String: String] = [:]
        /// Prefix list name → id, for rules that name `prefix_list/NAME`.
        var prefixLists: [String: String] = [:]
    }

    /// A group's id and the rules it has now, for computing the minimal rule changes.
    struct GroupState: Sendable {
        var id: String
        var ingress: [SecurityRule]
        var egress: [SecurityRule]
    }

    /// Applies a batch in dependency order: VPCs, subnets, groups, then the groups' rules
    /// (so a rule may name any group of the batch), then deletions in reverse. Independent
    /// writes of one kind run in parallel within the binding's limits. The first failure
    /// stops the batch; what follows is not attempted.
    func apply(_ changes: [Change], stack: String) async -> [Address: ChangeOutcome.Status] {
        var outcomes: [Address: ChangeOutcome.Status] = [:]
        var ids: IDs
        do {
            ids = try await resolve(changes, stack: stack)
        } catch {
            let failure = AWSProvider.providerError(error, provider: provider, address: nil)
            for change in changes { outcomes[change.address] = .failed(failure) }
            return outcomes
        }
        let writes = changes.filter { $0.action != .delete }
        let deletes = changes.filter { $0.action == .delete }

        for kind in [ResourceKind.vpc, .subnet] {
            let batch = writes.filter { $0.address.kind == kind }
            let known = ids
            let step = record(await AWSProvider.parallel(batch) { try await self.write($0, ids: known, stack: stack) }, into: &outcomes)
            for (change, id) in step.succeeded {
                if kind == .vpc { ids.vpcs[change.address.name] = id }
                if case .vpc(let vpc)? = change.after, vpc.ipv6 { ids.dualStack.insert(change.address.name) }
                outcomes[change.address] = .applied(id: id)
            }
            if step.failed { return outcomes }
        }

        let groupWrites = writes.filter { $0.address.kind == .securityGroup }
        // Rules naming a subnet's IPv6 block need the block, known only once the subnet exists.
        let ipv6Subnets = Set(
            groupWrites.flatMap { change -> [String] in
                guard case .securityGroup(let group)? = change.after else { return [] }
                return group.rules.compactMap(\.peerSubnetIPv6)
            })
        let listNames = Set(
            groupWrites.flatMap { change -> Set<String> in
                guard case .securityGroup(let group)? = change.after else { return [] }
                return group.namedPrefixLists
            })
        if !ipv6Subnets.isEmpty || !listNames.isEmpty {
            do {
                if !ipv6Subnets.isEmpty { ids.subnetIPv6 = try await subnetBlocks(ipv6Subnets, stack: stack) }
                if !listNames.isEmpty {
                    for list in try await ec2.describePrefixLists([("prefix-list-name", listNames.sorted())]) where ids.prefixLists[list.name] == nil
                    {
                        ids.prefixLists[list.name] = list.id
                    }
                }
            } catch {
                let failure = AWSProvider.providerError(error, provider: provider, address: nil)
                for change in groupWrites { outcomes[change.address] = .failed(failure) }
                return outcomes
            }
        }
        let known = ids
        let created = record(await AWSProvider.parallel(groupWrites) { try await self.writeGroup($0, ids: known, stack: stack) }, into: &outcomes)
        if created.failed { return outcomes }
        var states: [Address: GroupState] = [:]
        for (change, state) in created.succeeded {
            states[change.address] = state
            ids.groups[change.address.name] = state.id
        }
        let withGroups = ids
        let groupStates = states
        let synced = record(
            await AWSProvider.parallel(groupWrites) { change in
                guard let state = groupStates[change.address], case .securityGroup(let group)? = change.after else { return "" }
                try await self.syncRules(state, to: group, ids: withGroups)
                return state.id
            }, into: &outcomes)
        for (change, id) in synced.succeeded { outcomes[change.address] = .applied(id: id) }
        if synced.failed { return outcomes }

        // Deletions: groups (their rules that name other groups first, so groups that
        // reference each other can go), then subnets, then VPCs.
        let groupDeletes = deletes.filter { $0.address.kind == .securityGroup }
        let resolved = ids
        let unlinked = record(await AWSProvider.parallel(groupDeletes) { try await self.revokeGroupReferences($0, ids: resolved) }, into: &outcomes)
        if unlinked.failed { return outcomes }
        for kind in [ResourceKind.securityGroup, .subnet, .vpc] {
            let batch = deletes.filter { $0.address.kind == kind }
            let deleted = record(await AWSProvider.parallel(batch) { try await self.delete($0, ids: resolved) }, into: &outcomes)
            for (change, _) in deleted.succeeded { outcomes[change.address] = .applied(id: nil) }
            if deleted.failed { return outcomes }
        }
        return outcomes
    }

    /// Looks up the ids of the VPCs and groups the batch names but does not carry ids for:
    /// one filtered call per kind.
    func resolve(_ changes: [Change], stack: String) async throws -> IDs {
        var ids = IDs()
        var vpcNames = Set<String>()
        var groupNames = Set<String>()
        for change in changes {
            if let id = change.liveID, change.action != .replace {
                if change.address.kind == .vpc { ids.vpcs[change.address.name] = id }
                if change.address.kind == .securityGroup { ids.groups[change.address.name] = id }
            }
            // New subnets and groups need their VPC's id; rules need the ids of the groups
            // they name (deleted groups: to unlink them first).
            let creates = change.action == .create || change.action == .replace
            switch change.action == .delete ? change.before : change.after {
            case .subnet(let subnet)? where creates: vpcNames.insert(subnet.vpc)
            case .securityGroup(let group)?:
                if creates { vpcNames.insert(group.vpc) }
                groupNames.formUnion(group.referencedGroups)
            default: break
            }
        }
        vpcNames.subtract(ids.vpcs.keys)
        groupNames.subtract(ids.groups.keys)
        let snapshot = try await snapshot(
            kinds: groupNames.isEmpty ? [.vpc] : [.vpc, .securityGroup], stack: stack,
            names: [.vpc: vpcNames, .securityGroup: groupNames], includeOwned: false, vpcAttributes: false)
        let owned = { (tags: [String: String]) in tags["plumb:stack"] == stack }
        for vpc in snapshot.vpcs.sorted(by: { owned($0.tags) && !owned($1.tags) }) {
            guard let name = vpc.tags["Name"], vpcNames.contains(name), ids.vpcs[name] == nil else { continue }
            ids.vpcs[name] = vpc.id
            if vpc.ipv6 != nil { ids.dualStack.insert(name) }
        }
        for group in snapshot.groups.sorted(by: { owned($0.tags) && !owned($1.tags) }) where groupNames.contains(group.name) {
            if ids.groups[group.name] == nil { ids.groups[group.name] = group.id }
        }
        return ids
    }

    /// Creates, updates or replaces a VPC or a subnet; returns its id.
    private func write(_ change: Change, ids: IDs, stack: String) async throws -> String {
        let name = change.address.name
        if change.action == .replace, let old = change.liveID {
            try await change.address.kind == .vpc ? ec2.deleteVPC(old) : ec2.deleteSubnet(old)
        }
        switch change.after {
        case .vpc(let vpc)?:
            let tags = Self.allTags(vpc.tags, name: name, stack: stack)
            let before: VPCSpec? = if case .vpc(let spec)? = change.before, change.action == .update { spec } else { nil }
            if change.action == .update, let id = change.liveID {
                try await retag(change, id: id, to: tags)
                try await settle(vpc: id, from: before, to: vpc)
                return id
            }
            let id = try await ec2.createVPC(cidr: vpc.cidr, ipv6: vpc.ipv6, tags: tags)
            try await settle(vpc: id, from: VPCSpec(cidr: vpc.cidr, ipv6: vpc.ipv6), to: vpc)
            return id
        case .subnet(let subnet)?:
            let tags = Self.allTags(subnet.tags, name: name, stack: stack)
            let before: SubnetSpec? = if case .subnet(let spec)? = change.before, change.action == .update { spec } else { nil }
            if change.action == .update, let id = change.liveID {
                try await retag(change, id: id, to: tags)
                try await settle(subnet: id, vpcID: ids.vpcs[subnet.vpc], from: before, to: subnet)
                return id
            }
            guard let vpcID = ids.vpcs[subnet.vpc] else { throw Self.missing("VPC", subnet.vpc) }
            var ipv6: String?
            if let index = subnet.ipv6Index { ipv6 = try await ipv6Block(vpcID: vpcID, vpc: subnet.vpc, index: index) }
            let id: String
            do {
                id = try await ec2.createSubnet(vpcID: vpcID, cidr: subnet.cidr, ipv6Cidr: ipv6, zone: subnet.zone, tags: tags)
            } catch let error as AWSError where error.code == "InvalidSubnet.Conflict" {
                // A create retried after a crash finds its own subnet: adopt it, never a second.
                let existing = try await ec2.describeSubnets([("vpc-id", [vpcID]), ("cidr-block", [subnet.cidr])])
                guard let mine = existing.first(where: { $0.tags["Name"] == name && $0.tags["plumb:stack"] == stack }) else { throw error }
                id = mine.id
            }
            try await settle(
                subnet: id, vpcID: vpcID, from: SubnetSpec(vpc: subnet.vpc, cidr: subnet.cidr, zone: subnet.zone, ipv6Index: subnet.ipv6Index),
                to: subnet)
            return id
        default:
            throw AWSError(code: "InvalidChange", message: "\(change.action.rawValue) without attributes", status: 400, operation: "apply")
        }
    }

    /// The IPv6 blocks of the named subnets (the stack's own first): one filtered call.
    private func subnetBlocks(_ names: Set<String>, stack: String) async throws -> [String: String] {
        var blocks: [String: String] = [:]
        let subnets = try await ec2.describeSubnets([("tag:Name", names.sorted())])
        for subnet in subnets.sorted(by: { ($0.tags["plumb:stack"] == stack ? 0 : 1) < ($1.tags["plumb:stack"] == stack ? 0 : 1) }) {
            guard let name = subnet.tags["Name"], let block = subnet.ipv6, blocks[name] == nil else { continue }
            blocks[name] = block.cidr
        }
        return blocks
    }

    /// A VPC's IPv6 block and DNS settings, only what differs from `before` (for a new VPC:
    /// what AWS gives one). `before == nil`: not known, so every setting is written.
    private func settle(vpc id: String, from before: VPCSpec?, to after: VPCSpec) async throws {
        if before?.ipv6 != after.ipv6 {
            let block = try await ec2.describeVPCs([("vpc-id", [id])]).first?.ipv6
            if after.ipv6, block == nil { try await ec2.associateVPCIPv6(id) }
            if !after.ipv6, let block { try await ec2.disassociateVPCBlock(block.associationID) }
        }
        // DNS hostnames need DNS support: turn support on first and off last.
        if after.dnsSupport, before?.dnsSupport != true { try await ec2.setVPCAttribute(id, "EnableDnsSupport", true) }
        if before?.dnsHostnames != after.dnsHostnames { try await ec2.setVPCAttribute(id, "EnableDnsHostnames", after.dnsHostnames) }
        if !after.dnsSupport, before?.dnsSupport != false { try await ec2.setVPCAttribute(id, "EnableDnsSupport", false) }
    }

    /// A subnet's IPv6 /64 and launch settings, only what differs from `before`.
    private func settle(subnet id: String, vpcID: String?, from before: SubnetSpec?, to after: SubnetSpec) async throws {
        if before?.mapPublicIPOnLaunch != after.mapPublicIPOnLaunch {
            try await ec2.setSubnetAttribute(id, "MapPublicIpOnLaunch", after.mapPublicIPOnLaunch)
        }
        // Assigning IPv6 addresses needs the block: off before it goes, on once it is there.
        let assignChanges = before?.assignIPv6OnCreation != after.assignIPv6OnCreation
        if assignChanges, !after.assignIPv6OnCreation { try await ec2.setSubnetAttribute(id, "AssignIpv6AddressOnCreation", false) }
        if before?.ipv6Index != after.ipv6Index {
            let live = try await ec2.describeSubnets([("subnet-id", [id])]).first
            if let old = live?.ipv6 { try await ec2.disassociateSubnetBlock(old.associationID) }
            if let index = after.ipv6Index {
                let block = try await ipv6Block(vpcID: vpcID ?? live?.vpcID ?? "", vpc: after.vpc, index: index)
                try await ec2.associateSubnetIPv6(id, cidr: block)
            }
        }
        if assignChanges, after.assignIPv6OnCreation { try await ec2.setSubnetAttribute(id, "AssignIpv6AddressOnCreation", true) }
    }

    /// The /64 number `index` of the VPC's IPv6 block. A block asked for moments ago may
    /// still be on its way on AWS: asked again a few times, a second apart.
    private func ipv6Block(vpcID: String, vpc: String, index: Int) async throws -> String {
        for attempt in 0..<10 {
            if let block = try await ec2.describeVPCs([("vpc-id", [vpcID])]).first?.ipv6, let parent = IPv6CIDR(block.cidr) {
                guard let subnet = parent.subnet(index, length: 64) else {
                    throw AWSError(
                        code: "InvalidSubnet.Range", message: "ipv6_index \(index) does not fit VPC \(vpc)'s block \(block.cidr)", status: 400,
                        operation: "CreateSubnet")
                }
                return subnet.description
            }
            if attempt < 9 { try await Task.sleep(for: .seconds(1)) }
        }
        throw AWSError(
            code: "InvalidSubnet.Range", message: "VPC \(vpc) has no IPv6 block for ipv6_index \(index)", status: 400, operation: "CreateSubnet")
    }

    /// Creates a group (or takes its own earlier create over), or updates its tags.
    private func writeGroup(_ change: Change, ids: IDs, stack: String) async throws -> GroupState {
        guard case .securityGroup(let group)? = change.after else {
            throw AWSError(code: "InvalidChange", message: "\(change.action.rawValue) without attributes", status: 400, operation: "apply")
        }
        let name = change.address.name
        let tags = Self.allTags(group.tags, name: name, stack: stack)
        if change.action == .update, let id = change.liveID, case .securityGroup(let before)? = change.before {
            try await retag(change, id: id, to: tags)
            return GroupState(id: id, ingress: before.ingress, egress: before.egress ?? EC2Rules.defaultEgress(dualStack: false))
        }
        if change.action == .replace, let old = change.liveID {
            try await ec2.deleteSecurityGroup(old)
        }
        guard let vpcID = ids.vpcs[group.vpc] else { throw Self.missing("VPC", group.vpc) }
        do {
            let id = try await ec2.createSecurityGroup(name: name, description: group.description, vpcID: vpcID, tags: tags)
            return GroupState(id: id, ingress: [], egress: EC2Rules.defaultEgress(dualStack: ids.dualStack.contains(group.vpc)))
        } catch let error as AWSError where error.code == "InvalidGroup.Duplicate" {
            let existing = try await ec2.describeSecurityGroups([("vpc-id", [vpcID]), ("group-name", [name])])
            guard let mine = existing.first, mine.tags["plumb:stack"] == stack else { throw error }
            let names = Dictionary(ids.groups.map { ($0.value, $0.key) }, uniquingKeysWith: { first, _ in first })
            return GroupState(
                id: mine.id, ingress: mine.ingress.map { EC2Rules.rule($0, ingress: true, groupNames: names) },
                egress: mine.egress.map { EC2Rules.rule($0, ingress: false, groupNames: names) })
        }
    }

    /// Authorizes the rules the group lacks and revokes the ones it should not have: one
    /// call each way and direction, nothing when nothing differs. A group without `egress:`
    /// keeps whatever egress it has.
    private func syncRules(_ state: GroupState, to group: SecurityGroupSpec, ids: IDs) async throws {
        let permissions = { (rules: [SecurityRule]) in
            try rules.map { try EC2Rules.permission($0, groupIDs: ids.groups, subnetIPv6: ids.subnetIPv6, prefixListIDs: ids.prefixLists) }
        }
        let directions: [(ingress: Bool, live: [SecurityRule], desired: [SecurityRule]?)] = [
            (true, state.ingress, group.ingress), (false, state.egress, group.egress),
        ]
        for (ingress, live, desired) in directions {
            guard let desired else { continue }
            let delta = EC2Rules.delta(from: live, to: desired)
            try await ec2.authorize(groupID: state.id, ingress: ingress, permissions(delta.authorize))
            try await ec2.revoke(groupID: state.id, ingress: ingress, permissions(delta.revoke))
            try await ec2.describeRules(groupID: state.id, ingress: ingress, permissions(delta.redescribe))
        }
    }

    /// Before a group goes, its rules that name other groups go, so two groups that name
    /// each other can both be deleted.
    private func revokeGroupReferences(_ change: Change, ids: IDs) async throws {
        guard case .securityGroup(let group)? = change.before, let id = change.liveID ?? ids.groups[change.address.name] else { return }
        let linked = { (rules: [SecurityRule]) in
            rules.filter { $0.peerGroup != nil }.compactMap { try? EC2Rules.permission($0, groupIDs: ids.groups) }
        }
        try await ec2.revoke(groupID: id, ingress: true, linked(group.ingress))
        try await ec2.revoke(groupID: id, ingress: false, linked(group.egress ?? []))
    }

    private func delete(_ change: Change, ids: IDs) async throws {
        let name = change.address.name
        switch change.address.kind {
        case .vpc:
            guard let id = change.liveID ?? ids.vpcs[name] else { return }
            try await ec2.deleteVPC(id)
        case .subnet:
            guard let id = change.liveID else { return }
            try await ec2.deleteSubnet(id)
        default:
            guard let id = change.liveID ?? ids.groups[name] else { return }
            try await ec2.deleteSecurityGroup(id)
        }
    }

    /// Records the failures of a parallel step in `outcomes`; the caller records the
    /// successes as the step means them.
    private func record<T>(
        _ results: [(Change, Result<T, any Error>)], into outcomes: inout [Address: ChangeOutcome.Status]
    ) -> (succeeded: [(Change, T)], failed: Bool) {
        var succeeded: [(Change, T)] = []
        var failed = false
        for (change, result) in results {
            switch result {
            case .success(let value):
                succeeded.append((change, value))
            case .failure(let error):
                outcomes[change.address] = .failed(AWSProvider.providerError(error, provider: provider, address: change.address))
                failed = true
            }
        }
        return (succeeded, failed)
    }

    /// Sets the tags that differ (all of them when adopting, which marks the resource as the
    /// stack's) and removes the user tags the document dropped.
    private func retag(_ change: Change, id: String, to tags: [String: String]) async throws {
        let old: [String: String] =
            switch change.before {
            case .vpc(let vpc)?: vpc.tags
            case .subnet(let subnet)?: subnet.tags
            case .securityGroup(let group)?: group.tags
            default: [:]
            }
        let wanted = change.isAdoption ? tags : tags.filter { Self.userTags(tags)[$0.key] != nil && old[$0.key] != $0.value }
        try await ec2.createTags(id, wanted)
        try await ec2.deleteTags(id, old.keys.filter { tags[$0] == nil })
    }

    static func missing(_ what: String, _ name: String) -> AWSError {
        AWSError(code: "NotFound", message: "\(what) \(name) does not exist", status: 404, operation: "resolve")
    }
}
