/// What Plumb remembers from the last successful apply of a stack: which addresses it
/// managed (so a zone removed from the documents is known to be Plumb's to delete) and which
/// were protected (protection outlives the document, SPEC §3).
public struct PriorState: Hashable, Sendable, Codable {
    public var managed: Set<Address>
    public var protected: Set<Address>

    public init(managed: Set<Address> = [], protected: Set<Address> = []) {
        self.managed = managed
        self.protected = protected
    }

    /// The state after applying `plan` to a stack whose desired state is `desired`: what was
    /// deleted is forgotten, what is desired is remembered, protection follows the documents
    /// for what is still declared.
    public func updated(by desired: DesiredState, appliedDeletes: Set<Address>) -> PriorState {
        let declared = Set(desired.resources.keys)
        let nowProtected = Set(desired.resources.values.filter(\.protect).map(\.address))
        let stillRemembered = protected.subtracting(declared).subtracting(appliedDeletes)
        return PriorState(
            managed: managed.union(declared).subtracting(appliedDeletes),
            protected: nowProtected.union(stillRemembered))
    }
}

/// Options that shape a plan.
public struct PlanOptions: Sendable {
    /// Addresses whose untagged namesakes Plumb may take over (`--adopt`).
    public var adopt: Set<Address>
    /// Only changes whose address matches one of these globs (`--target`); empty: all.
    public var targets: [String]
    /// Only these addresses, and describe only their kinds and zones: the agent's
    /// incremental reconcile of what a push touched. Nil: everything.
    public var focus: Set<Address>?

    public init(adopt: Set<Address> = [], targets: [String] = [], focus: Set<Address>? = nil) {
        self.adopt = adopt
        self.targets = targets
        self.focus = focus
    }
}
