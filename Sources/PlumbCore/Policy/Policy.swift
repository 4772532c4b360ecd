/// How much a policy finding weighs (SPEC §8.6): `deny` refuses the plan (even with
/// `--force`), `warn` is printed, `off` is not evaluated.
public enum PolicySeverity: String, Hashable, Sendable, Codable, CaseIterable {
    case deny, warn, off
}

/// One built-in rule. A rule is small and separate: one file, one concern, its own tests.
/// It reports what it finds; the engine decides the severity and applies waivers.
public protocol PolicyRule: Sendable {
    /// The rule's id, as written in `plumb.yaml` and in `waive:`.
    var id: String { get }
    var defaultSeverity: PolicySeverity { get }
    /// One line: what the rule finds, for `plumb.yaml` errors and the docs.
    var summary: String { get }
    func violations(in context: PolicyContext) -> [PolicyViolation]
}

/// What a rule sees: the desired state, and the plan's changes when there is a plan.
public struct PolicyContext: Sendable {
    public var desired: DesiredState
    /// Nil when only the desired state is evaluated (`plumb validate`).
    public var changes: [Change]?

    public init(desired: DesiredState, changes: [Change]? = nil) {
        self.desired = desired
        self.changes = changes
    }

    /// The desired resources of one kind, in declaration order.
    func resources(_ kind: ResourceKind) -> [DesiredResource] {
        desired.resources.values.filter { $0.address.kind == kind }
    }
}

/// What a rule found about one resource: the reason and the way out, without severity.
public struct PolicyViolation: Hashable, Sendable {
    public var address: Address
    public var reason: String
    public var hint: String

    public init(address: Address, reason: String, hint: String) {
        self.address = address
        self.reason = reason
        self.hint = hint
    }
}

/// A finding as plans and `validate` report it.
public struct PolicyFinding: Hashable, Sendable, Codable, CustomStringConvertible {
    public var rule: String
    public var severity: PolicySeverity
    public var address: Address
    public var reason: String
    /// The way out: what to change, or how to waive.
    public var hint: String
    /// The waiver's reason when the resource waives this rule; a waived finding blocks nothing.
    public var waiver: String?
    public var location: SourceLocation?

    public init(
        rule: String, severity: PolicySeverity, address: Address, reason: String, hint: String,
        waiver: String? = nil, location: SourceLocation? = nil
    ) {
        self.rule = rule
        self.severity = severity
        self.address = address
        self.reason = reason
        self.hint = hint
        self.waiver = waiver
        self.location = location
    }

    /// Refuses the plan: a `deny` that no waiver lifts.
    public var blocks: Bool { severity == .deny && waiver == nil }

    /// `deny sg-world-admin-port: net.security_group/bastion: …` on one line.
    public var description: String {
        let state = waiver.map { "waived (\($0))" } ?? severity.rawValue
        return "\(state) \(rule): \(address): \(reason)"
    }
}

extension PolicyFinding {
    /// The refusal a blocking finding puts on the plan: the rule, the resource, the way out.
    public var refusal: Plan.Refusal {
        Plan.Refusal(rule: .policy, message: "policy \(rule): \(address): \(reason); \(hint) (--force does not lift a policy)")
    }
}
