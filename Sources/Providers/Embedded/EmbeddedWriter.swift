import GRDB
import PlumbCore

/// One change inside one transaction, with the constraints a real provider enforces.
struct EmbeddedWriter {
    let db: Database
    let provider: String
    let stack: String
    /// Groups this batch creates or updates: a rule may reference them, as a cloud provider
    /// creates every group of a batch before authorising rules.
    let batchGroups: Set<String>
    /// The managed prefix lists this cloud has (the binding's `prefix_lists:`, names or ids).
    var prefixLists: Set<String> = []

    func apply(_ change: Change) throws -> String? {
        switch change.action {
        case .create:
            guard let spec = change.after else { throw invalid(change, "create without attributes") }
            return try create(change.address, spec)
        case .update:
            guard let spec = change.after else { throw invalid(change, "update without attributes") }
            guard let existing = try fetch(change.address) else {
                throw ProviderError(.notFound, provider: provider, "does not exist", address: change.address)
            }
            try checkConstraints(change.address, spec)
            var updated = existing
            updated.spec = Self.withDefaults(spec, existing: existing.spec)
            updated.owner = stack
            try updated.save(db)
            return existing.id
        case .replace:
            guard let spec = change.after else { throw invalid(change, "replace without attributes") }
            try delete(change.address)
            return try create(change.address, spec)
        case .delete:
            try delete(change.address)
            return change.liveID
        }
    }

    private func create(_ address: Address, _ spec: ResourceSpec) throws -> String {
        if let existing = try fetch(address) {
            // Idempotent create: a retry after a crash finds its own resource.
            guard existing.owner == stack || !address.kind.isTaggedCloudKind && address.kind != .zone else {
                throw ProviderError(.conflict, provider: provider, "already exists (owned by \(existing.owner ?? "nobody"))", address: address)
            }
            try checkConstraints(address, spec)
            var updated = existing
            updated.spec = Self.withDefaults(spec, existing: existing.spec)
            try updated.save(db)
            return existing.id
        }
        try checkConstraints(address, spec)
        let stored = StoredResource(
            kind: address.kind, name: address.name, id: EmbeddedIDs.make(address.kind), owner: stack,
            spec: Self.withDefaults(spec, existing: nil))
        try stored.save(db)
        return stored.id
    }

    private func delete(_ address: Address) throws {
        guard try fetch(address) != nil else { return }
        switch address.kind {
        case .vpc:
            let dependents =
                try all(.subnet).filter { if case .subnet(let s) = $0.spec { s.vpc == address.name } else { false } }
                + all(.securityGroup).filter { if case .securityGroup(let g) = $0.spec { g.vpc == address.name } else { false } }
            if let first = dependents.first {
                throw ProviderError(.dependency, provider: provider, "DependencyViolation: \(first.address) still uses this VPC", address: address)
            }
        case .securityGroup:
            let referencing = try all(.securityGroup).filter {
                $0.name != address.name
                    && {
                        if case .securityGroup(let g) = $0.spec { return g.referencedGroups.contains(address.name) } else { return false }
                    }($0)
            }
            if let first = referencing.first {
                throw ProviderError(
                    .dependency, provider: provider, "DependencyViolation: \(first.address) has a rule referencing this group", address: address)
            }
        case .zone:
            try db.execute(sql: "DELETE FROM resources WHERE kind = 'dns.record' AND zone = ?", arguments: [address.name])
            try db.execute(sql: "DELETE FROM unmodeled_records WHERE zone = ?", arguments: [address.name])
        default:
            break
        }
        try db.execute(sql: "DELETE FROM resources WHERE kind = ? AND name = ?", arguments: [address.kind.rawValue, address.name])
    }

    private func checkConstraints(_ address: Address, _ spec: ResourceSpec) throws {
        switch spec {
        case .record:
            guard let parts = address.recordParts else { return }
            guard try fetch(.zone(parts.zone)) != nil else {
                throw ProviderError(.notFound, provider: provider, "zone \(parts.zone) does not exist", address: address)
            }
            let siblings = try Row.fetchAll(db, sql: "SELECT name FROM resources WHERE kind = 'dns.record' AND zone = ?", arguments: [parts.zone])
                .compactMap { Address(kind: .record, name: $0["name"]).recordParts }
                .filter { $0.name == parts.name && $0.type != parts.type }
            if let other = siblings.first, parts.type == .CNAME || other.type == .CNAME {
                throw ProviderError(
                    .conflict, provider: provider,
                    "CNAME and \(parts.type == .CNAME ? other.type.rawValue : parts.type.rawValue) cannot both stand at \(parts.name)",
                    address: address)
            }
        case .subnet(let subnet):
            guard let vpc = try fetch(Address(kind: .vpc, name: subnet.vpc)), case .vpc(let vpcSpec) = vpc.spec else {
                throw ProviderError(.notFound, provider: provider, "VPC \(subnet.vpc) does not exist", address: address)
            }
            guard let cidr = IPv4CIDR(subnet.cidr), let vpcCIDR = IPv4CIDR(vpcSpec.cidr), vpcCIDR.contains(cidr) else {
                throw ProviderError(
                    .invalid, provider: provider, "InvalidSubnet.Range: \(subnet.cidr) is not inside \(vpcSpec.cidr)", address: address)
            }
            if let index = subnet.ipv6Index, !vpcSpec.ipv6 {
                throw ProviderError(
                    .invalid, provider: provider, "InvalidSubnet.Range: ipv6_index \(index) but VPC \(subnet.vpc) has no IPv6 block", address: address
                )
            }
            for other in try all(.subnet) where other.name != address.name {
                guard case .subnet(let o) = other.spec, o.vpc == subnet.vpc else { continue }
                if let oc = IPv4CIDR(o.cidr), oc.overlaps(cidr) {
                    throw ProviderError(
                        .conflict, provider: provider, "InvalidSubnet.Conflict: \(subnet.cidr) overlaps \(other.address) (\(o.cidr))",
                        address: address)
                }
                if let index = subnet.ipv6Index, o.ipv6Index == index {
                    throw ProviderError(
                        .conflict, provider: provider, "InvalidSubnet.Conflict: IPv6 /64 number \(index) is \(other.address)'s", address: address)
                }
            }
        case .securityGroup(let group):
            guard try fetch(Address(kind: .vpc, name: group.vpc)) != nil else {
                throw ProviderError(.notFound, provider: provider, "VPC \(group.vpc) does not exist", address: address)
            }
            for list in Set(group.rules.compactMap(\.peerPrefixList)) where !prefixLists.contains(list) {
                throw ProviderError(
                    .notFound, provider: provider, "InvalidPrefixListID.NotFound: prefix list \(list) does not exist", address: address)
            }
            for name in Set(group.rules.compactMap(\.peerSubnetIPv6)) {
                guard case .subnet(let subnet)? = try fetch(Address(kind: .subnet, name: name))?.spec, subnet.ipv6Index != nil else {
                    throw ProviderError(.notFound, provider: provider, "InvalidSubnet.NotFound: subnet \(name) has no IPv6 block", address: address)
                }
            }
            for name in group.referencedGroups where name != address.name && !batchGroups.contains(name) {
                guard try fetch(Address(kind: .securityGroup, name: name)) != nil else {
                    throw ProviderError(
                        .notFound, provider: provider, "InvalidGroup.NotFound: security group \(name) does not exist", address: address)
                }
            }
        default:
            break
        }
    }

    /// A group written without `egress:` keeps what it has, or gets the cloud default: all
    /// traffic out.
    static func withDefaults(_ spec: ResourceSpec, existing: ResourceSpec?) -> ResourceSpec {
        guard case .securityGroup(let group) = spec, group.egress == nil else { return spec }
        var egress = [SecurityRule(protocol: "all", ports: nil, to: "0.0.0.0/0")]
        if case .securityGroup(let old)? = existing, let kept = old.egress { egress = kept }
        return .securityGroup(
            SecurityGroupSpec(vpc: group.vpc, description: group.description, ingress: group.ingress, egress: egress, tags: group.tags))
    }

    private func fetch(_ address: Address) throws -> StoredResource? {
        try Row.fetchOne(db, sql: "SELECT * FROM resources WHERE kind = ? AND name = ?", arguments: [address.kind.rawValue, address.name])
            .map(StoredResource.init(row:))
    }

    private func all(_ kind: ResourceKind) throws -> [StoredResource] {
        try Row.fetchAll(db, sql: "SELECT * FROM resources WHERE kind = ?", arguments: [kind.rawValue]).map(StoredResource.init(row:))
    }

    private func invalid(_ change: Change, _ message: String) -> ProviderError {
        ProviderError(.invalid, provider: provider, message, address: change.address)
    }
}
