/// Describes, while the desired state is still loading, what a plan will most likely ask
/// a DNS binding for — the zones the stack's last apply managed — so the provider's time
/// to answer (PowerDNS takes 0.8 s to serve a 100,000-record zone) overlaps the loading.
///
/// A prefetched inventory is used only when the scope the plan then asks for is exactly
/// the one predicted; otherwise it is dropped and the binding described as usual. So a
/// wrong guess costs one request's work, never a wrong plan.
public struct DescribePrefetch: Sendable {
    public let predicted: [String: DescribeScope]
    private let providers: [String: any Provider]
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
        self.providers = providers.filter { started[$0.key] != nil }
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

    /// The bindings whose prefetch is exactly the describe a plan is about to make: one it
    /// describes at all (a binding no document uses is not), with the predicted scope and
    /// the same settings (the bindings were read twice, the first time for this).
    public func matching(_ scopes: [String: DescribeScope], providers planned: [String: any Provider]) -> Set<String> {
        Set(
            predicted.keys.filter { name in
                guard let scope = scopes[name], let provider = planned[name] else { return false }
                return scope == predicted[name] && provider.binding == providers[name]?.binding
            })
    }

    /// The prefetched inventories of `names` (from `matching`); every other prefetch is
    /// cancelled, and so are these if the caller is. A prefetch that failed throws its
    /// error, as the describe would have after the same retries (asking again would only
    /// double the wait for a server that is down).
    public func inventories(of names: Set<String>) async throws -> [String: Inventory] {
        for (name, task) in tasks where !names.contains(name) { task.cancel() }
        let tasks = self.tasks
        return try await withTaskCancellationHandler {
            var result: [String: Inventory] = [:]
            for name in names {
                if let task = tasks[name] { result[name] = try await task.value }
            }
            return result
        } onCancel: {
            for task in tasks.values { task.cancel() }
        }
    }

    /// Stops every prefetch still running (the plan was abandoned).
    public func cancel() {
        for task in tasks.values { task.cancel() }
    }
}
