/// Load → describe → diff: everything up to a plan, with stage timings. The CLI and the
/// agent both plan through this.
public struct PlanPipeline: Sendable {
    public var desired: DesiredState
    public var providers: [String: any Provider]
    public var prior: PriorState
    public var options: PlanOptions

    public init(desired: DesiredState, providers: [String: any Provider], prior: PriorState, options: PlanOptions = PlanOptions()) {
        self.desired = desired
        self.providers = providers
        self.prior = prior
        self.options = options
    }

    public struct Outcome: Sendable {
        public var plan: Plan
        public var inventories: [String: Inventory]
        public var scopes: [String: DescribeScope]
        public var timings: [(stage: String, seconds: Double)]
    }

    public var planner: Planner { Planner(desired: desired, prior: prior, options: options) }

    /// The scopes to describe: every binding the desired state configures.
    public var scopes: [String: DescribeScope] {
        Dictionary(uniqueKeysWithValues: desired.providers.keys.map { ($0, planner.scope(for: $0)) })
    }

    /// Plans; `prefetch` supplies the inventories it described for exactly these scopes.
    public func run(source: PlanSource, prefetch: DescribePrefetch? = nil) async throws -> Outcome {
        let scopes = self.scopes
        let describeWatch = Stopwatch()
        // Bindings the prefetch got right are awaited beside the describes of the others.
        let prefetched = prefetch?.matching(scopes, providers: providers) ?? []
        async let early = prefetch?.inventories(of: prefetched)
        var inventories = try await Describer(providers: providers).describe(scopes: scopes.filter { !prefetched.contains($0.key) })
        for (name, inventory) in try await early ?? [:] { inventories[name] = inventory }
        let describeSeconds = describeWatch.seconds
        let planWatch = Stopwatch()
        // Hashing a 100,000-record inventory takes as long as diffing it: side by side.
        let known = inventories
        async let observed = Planner.fingerprint(known)
        var plan = planner.plan(inventories: inventories, source: source, observed: "")
        plan.observed = await observed
        return Outcome(
            plan: plan, inventories: inventories, scopes: scopes,
            timings: [("describe", describeSeconds), ("plan", planWatch.seconds)])
    }
}
