import PlumbCore
import PlumbProviderKit

/// IAM roles: trust policy, inline and managed policies, boundary, session duration,
/// description and tags.
///
/// IAM lists roles without their tags, so describe reads each role (`GetRole`) to learn its
/// owner, and the inline policies of the roles Plumb owns or is asked about.
struct AWSRoles: Sendable {
    let iam: IAMAPI
    let provider: String
    /// The binding's `iam_path:`: only roles under it are Plumb's to find (one `ListRoles`
    /// page and a `GetRole` for each of those, instead of one for every role in the account).
    var pathScope: String?

    /// Roles under these paths belong to AWS itself.
    static let reservedPaths = ["/aws-service-role/", "/aws-reserved/"]

    func describe(stack: String, names: Set<String>, only: Set<String>? = nil, everything: Bool = false) async throws -> Inventory {
        let candidates: [String]
        if let only {
            candidates = only.sorted()
        } else {
            // Desired names outside the scope are refused by validation; an import sees everything.
            let listed = try await iam.listRoles(pathPrefix: everything ? nil : pathScope)
                .filter { role in !Self.reservedPaths.contains { role.path.hasPrefix($0) } }.map(\.name)
            candidates = Array(Set(listed).union(pathScope == nil || everything ? [] : names)).sorted()
        }
        let iam = self.iam
        let roles = try await concurrentMap(candidates) { name -> LiveResource? in
            guard let role = try await iam.getRole(name) else { return nil }
            let owner = role.tags["plumb:stack"]
            // Another's role that the desired state does not name is not Plumb's business.
            guard owner == stack || names.contains(name) || only != nil || everything else { return nil }
            let spec = try await Self.spec(role, iam: iam)
            return LiveResource(address: Address(kind: .role, name: name), spec: .role(spec), id: role.id, owner: owner)
        }
        var inventory = Inventory()
        for case let role? in roles { inventory.resources[role.address] = role }
        return inventory
    }

    /// Everything Plumb manages of a role: `GetRole` plus its inline and attached policies.
    static func spec(_ role: IAMRole, iam: IAMAPI) async throws -> RoleSpec {
        async let policies = iam.inlinePolicies(role.name)
        async let managed = iam.attachedPolicies(role.name)
        return RoleSpec(
            path: role.path, description: role.description, trust: role.trust, policies: try await policies,
            managedPolicies: try await managed, permissionsBoundary: role.permissionsBoundary,
            maxSessionDuration: role.maxSessionDuration, tags: role.tags.filter { $0.key != "plumb:stack" })
    }

    func apply(_ changes: [Change], stack: String) async -> [Address: ChangeOutcome.Status] {
        var outcomes: [Address: ChangeOutcome.Status] = [:]
        for (change, result) in await AWSProvider.parallel(changes, { try await self.write($0, stack: stack) }) {
            switch result {
            case .success(let id): outcomes[change.address] = .applied(id: id)
            case .failure(let error):
                outcomes[change.address] = .failed(AWSProvider.providerError(error, provider: provider, address: change.address))
            }
        }
        return outcomes
    }

    private func write(_ change: Change, stack: String) async throws -> String? {
        let name = change.address.name
        switch change.action {
        case .delete:
            try await iam.deleteRole(name)
            return nil
        case .update:
            guard case .role(let after)? = change.after else { return change.liveID }
            let before: RoleSpec? = if case .role(let spec)? = change.before { spec } else { nil }
            try await update(name, from: before, to: after, stack: stack, adopting: change.isAdoption)
            return change.liveID
        case .create, .replace:
            guard case .role(let after)? = change.after else { return nil }
            if change.action == .replace { try await iam.deleteRole(name) }
            do {
                let id = try await iam.createRole(
                    name, path: after.path, description: after.description, trust: after.trust,
                    tags: after.tags.merging(["plumb:stack": stack]) { _, plumb in plumb },
                    boundary: after.permissionsBoundary, maxSessionDuration: after.maxSessionDuration)
                for (policy, document) in after.policies.sorted(by: { $0.key < $1.key }) {
                    try await iam.putPolicy(name, policy, document)
                }
                for arn in after.managedPolicies {
                    try await iam.attachPolicy(name, arn)
                }
                return id
            } catch let error as AWSError where error.code == "EntityAlreadyExists" {
                // Our own earlier create (a run killed half-way): bring it up to date.
                guard let role = try await iam.getRole(name), role.tags["plumb:stack"] == stack, role.path == after.path else { throw error }
                let live = try await Self.spec(role, iam: iam)
                try await update(name, from: live, to: after, stack: stack, adopting: false)
                return role.id
            }
        }
    }

    /// Only what differs: the description and session duration (one call), the trust
    /// policy, the boundary, each inline policy, each managed policy attached or detached,
    /// each tag.
    private func update(_ name: String, from before: RoleSpec?, to after: RoleSpec, stack: String, adopting: Bool) async throws {
        try await iam.updateRole(
            name, description: before?.description != after.description ? after.description : nil,
            maxSessionDuration: before?.maxSessionDuration != after.maxSessionDuration ? after.maxSessionDuration : nil)
        if before?.trust != after.trust { try await iam.updateTrust(name, after.trust) }
        if before?.permissionsBoundary != after.permissionsBoundary { try await iam.setBoundary(name, after.permissionsBoundary) }
        let attached = Set(before?.managedPolicies ?? [])
        for arn in after.managedPolicies where !attached.contains(arn) {
            try await iam.attachPolicy(name, arn)
        }
        for arn in attached.subtracting(after.managedPolicies).sorted() {
            try await iam.detachPolicy(name, arn)
        }
        let oldPolicies = before?.policies ?? [:]
        for (policy, document) in after.policies.sorted(by: { $0.key < $1.key }) where oldPolicies[policy] != document {
            try await iam.putPolicy(name, policy, document)
        }
        for policy in oldPolicies.keys.sorted() where after.policies[policy] == nil {
            try await iam.deletePolicy(name, policy)
        }
        let tags = after.tags.merging(["plumb:stack": stack]) { _, plumb in plumb }
        let oldTags = before?.tags ?? [:]
        // Adopting a role means setting plumb:stack on it.
        try await iam.tagRole(name, tags.filter { (oldTags[$0.key] != $0.value && $0.key != "plumb:stack") || ($0.key == "plumb:stack" && adopting) })
        try await iam.untagRole(name, oldTags.keys.filter { tags[$0] == nil })
    }
}
