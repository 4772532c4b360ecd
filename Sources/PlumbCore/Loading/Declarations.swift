/// What the documents declare, before cross-document validation.
struct Declarations {
    var resources: [DesiredResource] = []
    var checks: [Check] = []
    var references: [Reference] = []
    /// Where each document's `provider:` was named, with the kinds it declares.
    var providerUses: [ProviderUse] = []
    /// Every name a section declares, valid or not: a reference to a declaration that has
    /// errors of its own is not also reported as missing.
    var named: Set<Address> = []
}

/// A name one resource uses to point at another (`vpc: main`, `from: subnet/web-a`).
struct Reference {
    var from: Address
    var target: Address
    var provider: String
    var location: SourceLocation
    var what: String
}

struct ProviderUse {
    var provider: String
    var kinds: Set<ResourceKind>
    var location: SourceLocation
}
