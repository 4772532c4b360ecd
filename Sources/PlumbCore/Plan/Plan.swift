/// A plan: what applying the desired state would change, in apply order, cut into chunks.
///
/// A value: renderers (text, JSON, Markdown) live in their own files, and a saved plan
/// applies only while the inventory still hashes to `observed`.
public struct Plan: Hashable, Sendable, Codable {
    public var format = "plumb.plan/v1"
    public var stack: String
    public var source: PlanSource
    public var summary: Summary
    public var chunks: [Chunk]
    public var conflicts: [Conflict]
    /// Why applying this plan is refused without `--force` (or at all, for protection).
    public var refusals: [Refusal]
    /// Records of types Plumb does not model, left as they are.
    public var unmanaged: [UnmodeledRecord]
    /// Policy findings (SPEC §8.6), waived ones included with their reason; the blocking
    /// ones are also refusals.
    public var policies: [PolicyFinding]
    /// SHA-256 of the inventory this plan was computed from.
    public var observed: String
    /// How the chunks were cut and what a failed check does (nil in plans saved before
    /// version 2 of the format's contract).
    public var chunking: Chunking?

    public init(
        stack: String, source: PlanSource, summary: Summary, chunks: [Chunk], conflicts: [Conflict],
        refusals: [Refusal] = [], unmanaged: [UnmodeledRecord] = [], policies: [PolicyFinding] = [], observed: String, chunking: Chunking? = nil
    ) {
        self.chunking = chunking
        self.stack = stack
        self.source = source
        self.summary = summary
        self.chunks = chunks
        self.conflicts = conflicts
        self.refusals = refusals
        self.unmanaged = unmanaged
        self.policies = policies
        self.observed = observed
    }

    enum CodingKeys: String, CodingKey {
        case format, stack, source, summary, chunks, conflicts, refusals, unmanaged, policies, observed, chunking
    }

    /// Plans saved before policies existed have no `policies`: read as none; nor, before
    /// progressive chunking, `chunking`.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        format = try container.decode(String.self, forKey: .format)
        stack = try container.decode(String.self, forKey: .stack)
        source = try container.decode(PlanSource.self, forKey: .source)
        summary = try container.decode(Summary.self, forKey: .summary)
        chunks = try container.decode([Chunk].self, forKey: .chunks)
        conflicts = try container.decode([Conflict].self, forKey: .conflicts)
        refusals = try container.decode([Refusal].self, forKey: .refusals)
        unmanaged = try container.decode([UnmodeledRecord].self, forKey: .unmanaged)
        policies = try container.decodeIfPresent([PolicyFinding].self, forKey: .policies) ?? []
        observed = try container.decode(String.self, forKey: .observed)
        chunking = try container.decodeIfPresent(Chunking.self, forKey: .chunking)
    }

    public var changes: [Change] { chunks.flatMap(\.changes) }
    public var hasChanges: Bool { !chunks.isEmpty }

    public struct Summary: Hashable, Sendable, Codable {
        public var create = 0
        public var update = 0
        public var delete = 0
        public var replace = 0
        public var unchanged = 0
        public var conflict = 0

        public init() {}

        public var total: Int { create + update + delete + replace }
    }

    public struct Chunk: Hashable, Sendable, Codable {
        public var index: Int
        public var provider: String?
        public var kind: ResourceKind?
        public var changes: [Change]

        public init(index: Int, provider: String?, kind: ResourceKind?, changes: [Change]) {
            self.index = index
            self.provider = provider
            self.kind = kind
            self.changes = changes
        }

        enum CodingKeys: String, CodingKey { case index, provider, kind, changes }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(index, forKey: .index)
            try container.encode(provider, forKey: .provider)
            try container.encode(kind, forKey: .kind)
            try container.encode(changes, forKey: .changes)
        }
    }

    /// The chunking settings a plan was cut with, shown with it (SPEC §8.5).
    public struct Chunking: Hashable, Sendable, Codable {
        public var strategy: StackSettings.ChunkStrategy
        public var first: Int
        public var maxChanges: Int
        public var onFailure: StackSettings.OnFailure
        /// Each chunk's number of changes, in apply order.
        public var sizes: [Int]

        public init(settings: StackSettings, sizes: [Int]) {
            strategy = settings.chunkStrategy
            first = settings.chunkFirst
            maxChanges = settings.chunkSize
            onFailure = settings.onFailure
            self.sizes = sizes
        }

        /// For people: "1, 2, 4 (progressive: …)".
        public var description: String {
            let list = sizes.map(String.init).joined(separator: ", ")
            let how =
                switch strategy {
                case .progressive: "progressive: each chunk twice the one before while read-back and checks pass, up to \(maxChanges)"
                case .fixed: "fixed: up to \(maxChanges) each"
                }
            return "\(list) (\(how); on failure: \(onFailure.rawValue))"
        }

        enum CodingKeys: String, CodingKey {
            case strategy, first, sizes
            case maxChanges = "max_changes"
            case onFailure = "on_failure"
        }
    }

    public struct Conflict: Hashable, Sendable, Codable {
        public var address: Address
        public var reason: String

        public init(address: Address, reason: String) {
            self.address = address
            self.reason = reason
        }
    }

    /// A safety rule the plan breaks: the numbers and the way out.
    public struct Refusal: Hashable, Sendable, Codable {
        public enum Rule: String, Hashable, Sendable, Codable {
            case maxChanges = "max_changes"
            case maxDeletes = "max_deletes"
            case maxDeletePercent = "max_delete_percent"
            case protected
            /// A `deny` policy finding without a waiver (SPEC §8.6).
            case policy
        }

        public var rule: Rule
        public var message: String

        public init(rule: Rule, message: String) {
            self.rule = rule
            self.message = message
        }

        /// Protection and policies are never lifted by `--force` (SPEC §3, §8.6).
        public var overridable: Bool { rule != .protected && rule != .policy }
    }
}

/// Where the desired state came from.
public struct PlanSource: Hashable, Sendable, Codable {
    public var repo: String?
    public var ref: String?
    public var commit: String?
    public var base: String?
    public var mergeBase: String?
    public var root: String?
    /// A `--root` inside a git work tree whose files differ from `commit` (HEAD). Plumb
    /// extension of `plumb.plan/v1`, absent otherwise.
    public var dirty: Bool?

    public init(repo: String? = nil, ref: String? = nil, commit: String? = nil, base: String? = nil, mergeBase: String? = nil, root: String? = nil) {
        self.repo = repo
        self.ref = ref
        self.commit = commit
        self.base = base
        self.mergeBase = mergeBase
        self.root = root
    }

    enum CodingKeys: String, CodingKey {
        case repo, ref, commit, base, root, dirty
        case mergeBase = "merge_base"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(repo, forKey: .repo)
        try container.encode(ref, forKey: .ref)
        try container.encode(commit, forKey: .commit)
        try container.encode(base, forKey: .base)
        try container.encodeIfPresent(mergeBase, forKey: .mergeBase)
        try container.encodeIfPresent(root, forKey: .root)
        try container.encodeIfPresent(dirty == true ? true : nil, forKey: .dirty)
    }
}
