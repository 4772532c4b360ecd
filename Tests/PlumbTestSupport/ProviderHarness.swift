import PlumbCore

/// Plans and applies a desired state against one real provider, as `plumb apply` does
/// (planner, chunks, applier with read-back), without a store or a CLI.
public struct ProviderHarness: Sendable {
    public var desired: DesiredState
    public var provider: any Provider
    public var prior: PriorState

    public init(desired: DesiredState, provider: any Provider, prior: PriorState = PriorState()) {
        self.desired = desired
        self.provider = provider
        self.prior = prior
    }

    public var name: String { provider.binding.name }

    public func plan(_ options: PlanOptions = PlanOptions()) async throws -> (plan: Plan, scope: DescribeScope) {
        let planner = Planner(desired: desired, prior: prior, options: options)
        let scope = planner.scope(for: name)
        let inventory = try await provider.describe(scope)
        return (planner.plan(inventories: [name: inventory], source: PlanSource()), scope)
    }

    public func apply(_ plan: Plan, scope: DescribeScope) async -> ApplyResult {
        let applier = Applier(
            providers: [name: provider], scopes: [name: scope], context: ApplyContext(stack: desired.settings.stack),
            checks: [], executor: CheckExecutor(probe: ScriptedProbe(), workingDirectory: "/tmp"), recorder: MemoryRecorder())
        return await applier.apply(plan)
    }

    /// Plans, applies, and returns the result.
    public func converge(_ options: PlanOptions = PlanOptions()) async throws -> (plan: Plan, result: ApplyResult) {
        let (plan, scope) = try await plan(options)
        return (plan, await apply(plan, scope: scope))
    }
}
