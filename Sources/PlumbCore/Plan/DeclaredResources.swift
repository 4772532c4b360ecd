/// What each document of a commit declares, for the agent's focused reconcile: the focus of
/// a push is what it changed, not every resource of the documents it changed.
///
/// A push that edits one record of a 10,000-record document touches that record. Focusing
/// on the whole document made the run describe the whole zone (10,000 rrsets) for one
/// change; focusing on the changed declarations lets the describe read that rrset alone.
/// Drift of an unchanged declaration is left to the drift pass, as drift of an untouched
/// document always was.
public struct DeclaredResources: Sendable {
    /// Document path → address → its declaration.
    public private(set) var files: [String: [Address: DesiredResource]] = [:]

    public init(_ desired: DesiredState) {
        for resource in desired.resources.values {
            files[resource.location?.file ?? "", default: [:]][resource.address] = resource
        }
    }

    /// The addresses of `changedFiles` whose declaration differs from `before`'s: declared
    /// on one side only (a create or a delete), or declared otherwise. Where a declaration
    /// sits (its file, line and column) is not a difference: a record moved to another
    /// document, or down a line, asks for nothing. Without `before` (the applied commit
    /// could not be loaded), every declaration of the changed files.
    public func touched(since before: DeclaredResources?, in changedFiles: Set<String>) -> Set<Address> {
        var now: [Address: DesiredResource] = [:]
        for file in changedFiles { now.merge(files[file] ?? [:]) { first, _ in first } }
        guard let before else { return Set(now.keys) }
        var was: [Address: DesiredResource] = [:]
        for file in changedFiles { was.merge(before.files[file] ?? [:]) { first, _ in first } }
        var touched: Set<Address> = []
        for (address, resource) in now where !Self.same(resource, was[address]) { touched.insert(address) }
        for address in was.keys where now[address] == nil { touched.insert(address) }
        return touched
    }

    private static func same(_ a: DesiredResource, _ b: DesiredResource?) -> Bool {
        guard var b else { return false }
        b.location = a.location
        return a == b
    }
}
