import Foundation
import PlumbCore
import PlumbProviderKit

/// `kind: aws`: Route 53 zones and records, EC2 VPCs, subnets and security groups, and IAM
/// roles, through one signed client per binding.
///
/// Settings: `region` (required), `endpoint` (one URL for every service: an
/// AWS-compatible server; empty means AWS itself). Credentials come from
/// `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and `AWS_SESSION_TOKEN`.
public struct AWSProvider: Provider {
    public let binding: ProviderBinding
    let network: AWSNetwork
    let roles: AWSRoles
    let dns: AWSDNS
    let transport: ProviderTransport

    /// Requests this binding has sent in this process (retries included).
    public var requestsSent: Int { transport.requestsSent }
    /// The same, by AWS operation (`DescribeSubnets`, `RevokeSecurityGroupIngress`…).
    public var operationCounts: [String: Int] { transport.operationCounts }

    public init(binding: ProviderBinding, environment: [String: String], retry: RetryPolicy = RetryPolicy()) throws {
        guard let region = binding.settings["region"], !region.isEmpty else {
            throw ProviderError(.invalid, provider: binding.name, "region is empty", address: nil)
        }
        guard let credentials = AWSCredentials.fromEnvironment(environment) else {
            throw ProviderError(
                .unauthorized, provider: binding.name,
                "no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for temporary ones)")
        }
        var endpoint = binding.settings["endpoint"].flatMap { $0.isEmpty ? nil : $0 }
        while endpoint?.hasSuffix("/") == true { endpoint?.removeLast() }
        if let endpoint, !(endpoint.hasPrefix("http://") || endpoint.hasPrefix("https://")) {
            throw ProviderError(.invalid, provider: binding.name, "endpoint must be an http:// or https:// URL")
        }
        self.binding = binding
        transport = ProviderTransport.shared(for: binding, retry: retry)
        let client = AWSClient(provider: binding.name, transport: transport, credentials: credentials, region: region, endpoint: endpoint)
        network = AWSNetwork(ec2: EC2API(client: client), provider: binding.name)
        roles = AWSRoles(iam: IAMAPI(client: client), provider: binding.name, pathScope: binding.settings["iam_path"])
        dns = AWSDNS(route53: Route53API(client: client), provider: binding.name)
    }

    public func describe(_ scope: DescribeScope) async throws -> Inventory {
        let kinds = scope.kinds.intersection(servedKinds)
        let network = self.network
        let roles = self.roles
        let dns = self.dns
        do {
            async let networkPart =
                kinds.isDisjoint(with: [.vpc, .subnet, .securityGroup])
                ? Inventory()
                : network.inventory(
                    network.snapshot(
                        kinds: kinds, stack: scope.stack, names: scope.names, everything: scope.everything,
                        prefixLists: scope.prefixLists),
                    kinds: kinds, stack: scope.stack)
            async let rolePart =
                kinds.contains(.role)
                ? roles.describe(stack: scope.stack, names: scope.names[.role] ?? [], everything: scope.everything) : Inventory()
            async let dnsPart =
                kinds.isDisjoint(with: [.zone, .record])
                ? Inventory() : dns.describe(zones: scope.zones, records: kinds.contains(.record))
            return try await networkPart + rolePart + dnsPart
        } catch {
            throw Self.providerError(error, provider: binding.name, address: nil)
        }
    }

    /// Services do not depend on each other, so each applies its part of the batch in its
    /// own dependency order: EC2, then IAM, then Route 53, stopping at the first failure.
    public func apply(_ changes: [Change], context: ApplyContext) async -> BatchResult {
        var outcomes: [Address: ChangeOutcome.Status] = [:]
        let networkChanges = changes.filter { [.vpc, .subnet, .securityGroup].contains($0.address.kind) }
        let roleChanges = changes.filter { $0.address.kind == .role }
        let dnsChanges = changes.filter { [.zone, .record].contains($0.address.kind) }
        if !networkChanges.isEmpty {
            outcomes.merge(await network.apply(networkChanges, stack: context.stack)) { _, new in new }
        }
        if !roleChanges.isEmpty, !outcomes.values.contains(where: \.isFailed) {
            outcomes.merge(await roles.apply(roleChanges, stack: context.stack)) { _, new in new }
        }
        if !dnsChanges.isEmpty, !outcomes.values.contains(where: \.isFailed) {
            outcomes.merge(await dns.apply(dnsChanges)) { _, new in new }
        }
        return BatchResult(outcomes: changes.map { ChangeOutcome(address: $0.address, status: outcomes[$0.address] ?? .notAttempted) })
    }

    /// Reads back only what the batch touched: the named network resources, the named
    /// roles, and the zones whose records changed.
    public func readBack(_ addresses: [Address], scope: DescribeScope) async throws -> Inventory {
        let wanted = Set(addresses)
        var names: [ResourceKind: Set<String>] = [:]
        for address in addresses { names[address.kind, default: []].insert(address.name) }
        let kinds = Set(addresses.map(\.kind))
        var inventory = Inventory()
        do {
            let networkKinds = kinds.intersection([.vpc, .subnet, .securityGroup])
            if !networkKinds.isEmpty {
                let snapshot = try await network.snapshot(
                    kinds: networkKinds, stack: scope.stack, names: names, includeOwned: false, prefixLists: scope.prefixLists)
                inventory.merge(network.inventory(snapshot, kinds: networkKinds, stack: scope.stack))
            }
            if let roleNames = names[.role] {
                inventory.merge(try await roles.describe(stack: scope.stack, names: roleNames, only: roleNames))
            }
            if !kinds.isDisjoint(with: [.zone, .record]) {
                let zones = Set(addresses.compactMap(\.zoneName)).sorted()
                inventory.merge(try await dns.describe(zones: zones, records: kinds.contains(.record)))
            }
        } catch {
            throw Self.providerError(error, provider: binding.name, address: nil)
        }
        return Inventory(resources: inventory.resources.filter { wanted.contains($0.key) })
    }

    static func providerError(_ error: any Error, provider: String, address: Address?) -> ProviderError {
        if let aws = error as? AWSError { return aws.providerError(provider, address: address) }
        if var providerError = error as? ProviderError {
            providerError.address = providerError.address ?? address
            return providerError
        }
        return ProviderError(.other, provider: provider, "\(error)", address: address)
    }

    /// Runs independent writes at once (the transport bounds requests in flight and their
    /// rate); results in the input's order.
    static func parallel<T: Sendable>(
        _ changes: [Change], _ body: @escaping @Sendable (Change) async throws -> T
    ) async -> [(Change, Result<T, any Error>)] {
        await withTaskGroup(of: (Int, Result<T, any Error>).self) { group in
            for (index, change) in changes.enumerated() {
                group.addTask {
                    do { return (index, .success(try await body(change))) } catch { return (index, .failure(error)) }
                }
            }
            var results = [Result<T, any Error>?](repeating: nil, count: changes.count)
            for await (index, result) in group { results[index] = result }
            return zip(changes, results).compactMap { change, result in result.map { (change, $0) } }
        }
    }
}
