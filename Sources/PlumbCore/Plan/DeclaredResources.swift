import OrderedCollections

/// What a commit declares, for the agent's focused reconcile: the focus of
/// a push is what it changed, not every resource of the documents it changed.
///
/// A push that edits one record of a 10,000-record document touches that record. Focusing
/// on the whole document made the run describe the whole zone (10,000 rrsets) for one
/// change; focusing on the changed declarations lets the describe read that rrset alone.
/// Drift of an unchanged declaration is left to the drift pass, as drift of an untouched
/// document always was.
public struct DeclaredResources: Sendable {
    /// The desired state's own map (shared, not copied): lookups by address need no index of
    /// their own, which cost 30 ms a push to build for 10,000 records.
    public let resources: OrderedDictionary<Address, DesiredResource>

    public init(_ desired: DesiredState) {
        resources = desired.resources
    }

    /// The addresses whose declaration differs from `before`'s: declared on one side only
    /// (a create or a delete), or declared otherwise. Every declaration is compared, not
    /// only those of the documents that changed: a declaration resolves values from other
    /// documents (a rule `from: subnet/web` holds that subnet's CIDR), so an unchanged
    /// document can still declare something new. Where a declaration sits (its file, line
    /// and column) is not a difference: a record moved to another document, or down a line,
    /// asks for nothing.
    public func touched(since before: DeclaredResources) -> Set<Address> {
        var touched: Set<Address> = []
        for resource in resources.values where !Self.same(resource, before.resources[resource.address]) {
            touched.insert(resource.address)
        }
        for address in before.resources.keys where resources[address] == nil {
            touched.insert(address)
        }
        return touched
    }

    private static func same(_ a: DesiredResource, _ b: DesiredResource?) -> Bool {
        guard var b else { return false }
        b.location = a.location
        return a == b
    }
}
