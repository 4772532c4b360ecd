import OrderedCollections

/// `plumb.yaml`: the stack's settings (SPEC §4).
public struct StackSettings: Hashable, Sendable, Codable {
    public enum ChunkBoundary: String, Hashable, Sendable, Codable {
        case kind, provider, none
    }

    /// How chunk sizes are chosen (SPEC §8.5).
    public enum ChunkStrategy: String, Hashable, Sendable, Codable {
        /// The first chunk holds `chunkFirst` changes; each next one twice as many, up to
        /// `chunkSize`. The apply stops at the first failure, so the sizes a plan shows are
        /// the sizes it applies.
        case progressive
        /// Every chunk holds `chunkSize` changes (the behaviour before version 2).
        case fixed
    }

    /// What an apply does when a check fails after some chunks were applied.
    public enum OnFailure: String, Hashable, Sendable, Codable {
        /// Stop; what was applied stays (exit 3).
        case stop
        /// Put back every change the run applied, newest first (exit 4).
        case revert
    }

    public var stack: String
    /// `chunking.max_changes`: the largest chunk (fixed: every chunk).
    public var chunkSize: Int = 500
    public var chunkBy: ChunkBoundary = .kind
    public var chunkStrategy: ChunkStrategy = .progressive
    /// `chunking.first`: the canary chunk's size.
    public var chunkFirst: Int = 1
    /// `chunking.canary`: address globs whose changes go first, in the first chunk.
    public var canary: [String] = []
    public var onFailure: OnFailure = .stop
    public var safety = SafetyLimits()
    /// `policies:` — a rule id's severity when it differs from the rule's default (§8.6).
    public var policies: [String: PolicySeverity] = [:]

    public init(stack: String) {
        self.stack = stack
    }
}

public struct SafetyLimits: Hashable, Sendable, Codable {
    public var maxChanges: Int = 1000
    public var maxDeletes: Int = 25
    public var maxDeletePercent: Double = 30
    /// Below this many owned resources of one kind, the percentage rule does not apply.
    public var deletePercentFloor: Int = 10

    public init() {}
}

/// The kinds of provider a binding may name (SPEC §2).
public enum ProviderType: String, Hashable, Sendable, Codable, CaseIterable {
    case powerdns, aws, embedded
    /// Any server that speaks DNS UPDATE and zone transfer (SPEC §8.5). Its zones exist on
    /// the server already: the binding's `zones:` lists them.
    case rfc2136

    public var servedKinds: Set<ResourceKind> {
        switch self {
        case .powerdns, .rfc2136: return [.zone, .record]
        case .aws, .embedded: return Set(ResourceKind.allCases)
        }
    }

    /// The most changes one of this provider's chunks holds under progressive chunking,
    /// whatever `max_changes` says: one Route 53 change batch holds 1,000 records, and an
    /// UPSERT counts twice. PowerDNS takes a zone's changes in one PATCH of any size; rfc2136
    /// splits an UPDATE only past the 65,535 bytes of a DNS message.
    public var chunkLimit: Int? {
        switch self {
        case .aws: return 500
        case .powerdns, .embedded, .rfc2136: return nil
        }
    }

    /// The record types this kind of provider can hold; the validator refuses the others
    /// at the record that declares them. Route 53 holds neither LOC, DNAME nor URI.
    public var servedRecordTypes: Set<RecordType> {
        switch self {
        case .aws: return Set(RecordType.allCases).subtracting([.LOC, .DNAME, .URI])
        case .powerdns, .embedded, .rfc2136: return Set(RecordType.allCases)
        }
    }

    /// The documented request rate when a binding sets none.
    public var defaultRateLimit: Double {
        switch self {
        case .powerdns: return 50
        // A DNS server answers thousands of queries a second, and read-back is one query
        // per changed rrset; UPDATEs are few (one per zone per chunk).
        case .rfc2136: return 500
        case .aws: return 5
        case .embedded: return 1000
        }
    }
}

/// `Providers/NAME.yaml`: one binding of a provider.
public struct ProviderBinding: Hashable, Sendable {
    public var name: String
    public var type: ProviderType
    /// Every other key, interpolated. Keys listed in `secretKeys` hold secrets.
    public var settings: [String: String]
    public var secretKeys: Set<String>
    public var rateLimit: Double
    public var concurrency: Int
    /// Limit on each request's whole exchange (`timeout:`); nil: the provider's default.
    public var timeout: Duration?
    public var location: SourceLocation?
    /// Where each setting's value is written, for errors found after loading.
    public var valueLocations: [String: SourceLocation] = [:]

    public init(
        name: String, type: ProviderType, settings: [String: String] = [:],
        secretKeys: Set<String> = [], rateLimit: Double? = nil, concurrency: Int = 8,
        location: SourceLocation? = nil
    ) {
        self.name = name
        self.type = type
        self.settings = settings
        self.secretKeys = secretKeys
        self.rateLimit = rateLimit ?? type.defaultRateLimit
        self.concurrency = concurrency
        self.location = location
    }
}

/// Everything a desired-state repository says, loaded and validated.
public struct DesiredState: Sendable {
    public var settings: StackSettings
    public var providers: [String: ProviderBinding]
    /// In declaration order. Ordered, not hashed: the values sit in one array and the table
    /// holds only their indices, which for 100,000 resources is 12 MB instead of a
    /// dictionary's 31 (decision 34).
    public var resources: OrderedDictionary<Address, DesiredResource>
    public var checks: [Check]

    public init(
        settings: StackSettings, providers: [String: ProviderBinding],
        resources: OrderedDictionary<Address, DesiredResource>, checks: [Check]
    ) {
        self.settings = settings
        self.providers = providers
        self.resources = resources
        self.checks = checks
    }

    /// The DNS zones a binding's documents name.
    public func zones(of provider: String) -> [String] {
        resources.values.filter { $0.provider == provider && $0.address.kind == .zone }
            .map(\.address.name).sorted()
    }
}
