/// Cuts ordered changes into chunks (SPEC §4 `chunking`): at most `size` changes each, and a
/// new chunk wherever the boundary (`kind` or `provider`) changes. Deletions never share a
/// chunk with creates or updates, so a failed check after a create stops before anything
/// is removed.
public struct Chunker: Sendable {
    public var size: Int
    public var boundary: StackSettings.ChunkBoundary

    public init(size: Int, boundary: StackSettings.ChunkBoundary) {
        self.size = max(1, size)
        self.boundary = boundary
    }

    public func chunks(_ ordered: [Change]) -> [Plan.Chunk] {
        var chunks: [[Change]] = []
        var current: [Change] = []
        for change in ordered {
            if let last = current.last, current.count >= size || breaks(between: last, and: change) {
                chunks.append(current)
                current = []
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

    private func breaks(between previous: Change, and next: Change) -> Bool {
        if (previous.action == .delete) != (next.action == .delete) { return true }
        switch boundary {
        case .kind: return previous.address.kind != next.address.kind || previous.provider != next.provider
        case .provider: return previous.provider != next.provider
        case .none: return false
        }
    }
}
