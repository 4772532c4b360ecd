/// A resource as the desired state declares it.
public struct DesiredResource: Hashable, Sendable {
    public var address: Address
    /// The provider binding's name (a document's `provider:`).
    public var provider: String
    public var spec: ResourceSpec
    public var protect: Bool
    /// Where it was declared, for diagnostics.
    public var location: SourceLocation?
    /// `waive:` — policy rule id → the reason it does not apply here (SPEC §8.6).
    public var waivers: [String: String]

    public init(
        address: Address, provider: String, spec: ResourceSpec, protect: Bool = false,
        location: SourceLocation? = nil, waivers: [String: String] = [:]
    ) {
        self.address = address
        self.provider = provider
        self.spec = spec
        self.protect = protect
        self.location = location
        self.waivers = waivers
    }
}

/// A resource as a provider reports it.
public struct LiveResource: Hashable, Sendable, Codable {
    public var address: Address
    public var spec: ResourceSpec
    /// The provider's own id (`vpc-…`, a zone id), when it has one.
    public var id: String?
    /// The stack named by the resource's `plumb:stack` tag, for kinds that carry tags.
    public var owner: String?

    public init(address: Address, spec: ResourceSpec, id: String? = nil, owner: String? = nil) {
        self.address = address
        self.spec = spec
        self.id = id
        self.owner = owner
    }

    enum CodingKeys: String, CodingKey { case address, spec, id, owner }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        address = try container.decode(Address.self, forKey: .address)
        let attributes = try container.decode(JSONValue.self, forKey: .spec)
        spec = try ResourceSpec(kind: address.kind, attributes: attributes)
        id = try container.decodeIfPresent(String.self, forKey: .id)
        owner = try container.decodeIfPresent(String.self, forKey: .owner)
    }
}

/// A record of a type Plumb does not model (DS, TLSA, …): never changed, never pruned, and
/// listed once as not managed.
public struct UnmodeledRecord: Hashable, Sendable, Codable, Comparable {
    public var zone: String
    public var name: String
    public var type: String
    public var ttl: Int
    public var values: [String]

    public init(zone: String, name: String, type: String, ttl: Int, values: [String]) {
        self.zone = zone
        self.name = name
        self.type = type
        self.ttl = ttl
        self.values = values
    }

    public var label: String { "\(zone)/\(name)/\(type)" }

    public static func < (lhs: UnmodeledRecord, rhs: UnmodeledRecord) -> Bool { lhs.label < rhs.label }
}
