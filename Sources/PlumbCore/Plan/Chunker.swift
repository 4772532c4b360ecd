/// Cuts ordered changes into chunks (SPEC §4 and §8.5 `chunking`): a new chunk wherever the
/// boundary (`kind` or `provider`) changes, and at most a chunk's size of changes each.
/// Deletions never share a chunk with creates or updates, so a failed check after a create
/// stops before anything is removed.
///
/// Progressive: the first chunk holds `first` changes (the canary), each next one twice as
/// many as the one before was allowed, up to `size` and the provider's own limit. A boundary
/// cuts a chunk short without resetting the growth. The apply stops at the first failed
/// read-back or check, so growing "while they pass" needs no decision at apply time: the
/// sizes the plan shows are the sizes applied.
public struct Chunker: Sendable {
    public var size: Int
    public var boundary: StackSettings.ChunkBoundary
    public var strategy: StackSettings.ChunkStrategy
    public var first: Int
    /// The most changes per chunk by provider binding name (`ProviderType.chunkLimit`).
    public var limits: [String: Int]
    /// Changes at the front that must share the first chunk (`chunking.canary`).
    public var leading: Int

    /// Fixed chunks of `size`.
    public init(size: Int, boundary: StackSettings.ChunkBoundary) {
        self.init(size: size, boundary: boundary, strategy: .fixed)
    }

    public init(
        size: Int, boundary: StackSettings.ChunkBoundary, strategy: StackSettings.ChunkStrategy,
        first: Int = 1, limits: [String: Int] = [:], leading: Int = 0
    ) {
        self.size = max(1, size)
        self.boundary = boundary
        self.strategy = strategy
        self.first = max(1, first)
        self.limits = limits
        self.leading = max(0, leading)
    }

    /// The chunker `plumb.yaml` asks for, with the bindings' own limits.
    public init(settings: StackSettings, providers: [String: ProviderBinding], leading: Int = 0) {
        self.init(
            size: settings.chunkSize, boundary: settings.chunkBy, strategy: settings.chunkStrategy,
            first: settings.chunkFirst, limits: providers.compactMapValues(\.type.chunkLimit), leading: leading)
    }

    public func chunks(_ ordered: [Change]) -> [Plan.Chunk] {
        var chunks: [[Change]] = []
        var current: [Change] = []
        var target = initialTarget
        for change in ordered {
            if let last = current.last, current.count >= limit(target, current) || breaks(between: last, and: change) {
                chunks.append(current)
                current = []
                target = next(after: target)
            }
            current.append(change)
        }
        if !current.isEmpty { chunks.append(current) }
        return chunks.enumerated().map { index, changes in
            let providers = Set(changes.map(\.provider))
            let kinds = Set(changes.map(\.address.kind))
            return Plan.Chunk(
                index: index, provider: providers.count == 1 ? providers.first : nil,
                kind: kinds.count == 1 ? kinds.first : nil, changes: changes)
        }
    }

    private var initialTarget: Int {
        switch strategy {
        case .fixed: return size
        case .progressive: return min(size, max(first, leading))
        }
    }

    private func next(after target: Int) -> Int {
        switch strategy {
        case .fixed: return size
        case .progressive: return min(size, target.multipliedReportingOverflow(by: 2).overflow ? size : target * 2)
        }
    }

    /// The chunk's size: the target, and no more than its providers take at once.
    private func limit(_ target: Int, _ current: [Change]) -> Int {
        guard strategy == .progressive, !limits.isEmpty else { return target }
        let providerLimit = Set(current.map(\.provider)).compactMap { limits[$0] }.min() ?? target
        return max(1, min(target, providerLimit))
    }

    private func breaks(between previous: Change, and next: Change) -> Bool {
        if (previous.action == .delete) != (next.action == .delete) { return true }
        switch boundary {
        case .kind: return previous.address.kind != next.address.kind || previous.provider != next.provider
        case .provider: return previous.provider != next.provider
        case .none: return false
        }
    }
}
