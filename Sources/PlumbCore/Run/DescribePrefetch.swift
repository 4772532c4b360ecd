/// Describes, while the desired state is still loading, what a plan will most likely ask
/// a DNS binding for — the zones the stack's last apply managed — so the provider's time
/// to answer (PowerDNS takes 0.8 s to serve a 100,000-record zone) overlaps the loading.
///
/// A prefetched inventory is used only when the scope the plan then asks for is exactly
/// the one predicted; otherwise it is dropped and the binding described as usual. So a
/// wrong guess costs one request's work, never a wrong plan.
public struct DescribePrefetch: Sendable {
    public let predicted: [String: DescribeScope]
    private let tasks: [String: Task<Inventory, any Error>]

    /// Starts describing `predicted` (one task per binding, on `providers`).
    public init(predicted: [String: DescribeScope], providers: [String: any Provider]) {
        var tasks: [String: Task<Inventory, any Error>] = [:]
        var started: [String: DescribeScope] = [:]
        for (name, scope) in predicted {
            guard let provider = providers[name] else { continue }
            tasks[name] = Task { try await provider.describe(scope) }
            started[name] = scope
        }
        self.predicted = started
        self.tasks = tasks
    }

    /// The scopes worth predicting for `stack`: a binding that serves DNS and nothing else,
    /// when it is the only such binding (so the zones the prior state remembers are its
    /// zones) and the stack managed zones before. Its scope is then what `Planner.scope`
    /// gives when the documents name the same zones: DNS is described by zone, not by name.
    public static func predictedScopes(stack: String, bindings: [String: ProviderBinding], prior: PriorState) -> [String: DescribeScope] {
        let dnsOnly = bindings.filter { $0.value.type.servedKinds.isSubset(of: [.zone, .record]) }
        let zones = prior.managed.filter { $0.kind == .zone }.map(\.name).sorted()
        guard dnsOnly.count == 1, let (name, binding) = dnsOnly.first, !zones.isEmpty else { return [:] }
        return [name: DescribeScope(stack: stack, kinds: binding.type.servedKinds, zones: zones)]
    }

    /// The inventories prefetched for exactly the scopes asked for now; prefetches that
    /// guessed wrong are cancelled. A prefetch that failed where it guessed right throws
    /// its error, as the describe would have (after the same retries: asking again would
    /// only double the wait).
    public func inventories(for scopes: [String: DescribeScope]) async throws -> [String: Inventory] {
        var result: [String: Inventory] = [:]
        for (name, task) in tasks where scopes[name] != predicted[name] { task.cancel() }
        for (name, task) in tasks where scopes[name] == predicted[name] {
            result[name] = try await task.value
        }
        return result
    }

    /// Stops every prefetch still running (the plan was abandoned).
    public func cancel() {
        for task in tasks.values { task.cancel() }
    }
}
