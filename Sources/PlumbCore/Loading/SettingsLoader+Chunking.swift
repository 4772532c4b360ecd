extension SettingsLoader {
    /// `chunking:` (SPEC §4, §8.5): strategy, first, max_changes, by, canary.
    static func chunking(_ node: YAMLNode, reader: YAMLReader, into settings: inout StackSettings) {
        let allowed = ["strategy", "first", "max_changes", "by", "canary"]
        guard let items = reader.mapping(node, "chunking", allowed: allowed) else { return }
        for item in items {
            switch item.key {
            case "max_changes":
                settings.chunkSize = reader.int(item.value, "chunking.max_changes", range: 1...100_000) ?? settings.chunkSize
            case "first":
                settings.chunkFirst = reader.int(item.value, "chunking.first", range: 1...100_000) ?? settings.chunkFirst
            case "strategy":
                guard let text = reader.string(item.value, "chunking.strategy") else { continue }
                if let strategy = StackSettings.ChunkStrategy(rawValue: text) {
                    settings.chunkStrategy = strategy
                } else {
                    reader.error(.invalidValue, item.value, "chunking.strategy must be progressive or fixed, not '\(text)'")
                }
            case "canary":
                settings.canary = reader.strings(item.value, "chunking.canary")?.map(\.0) ?? settings.canary
            default:
                guard let text = reader.string(item.value, "chunking.by") else { continue }
                if let by = StackSettings.ChunkBoundary(rawValue: text) {
                    settings.chunkBy = by
                } else {
                    reader.error(.invalidValue, item.value, "chunking.by must be kind, provider or none, not '\(text)'")
                }
            }
        }
    }
}
