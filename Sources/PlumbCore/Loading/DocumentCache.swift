import Foundation

/// Parsed documents by (path, content id), so loading two commits that share most files
/// parses each distinct file once (`plan --base`, the agent following a branch).
public final class DocumentCache: @unchecked Sendable {
    struct Entry {
        var declarations: Declarations
        var diagnostics: [Diagnostic]
    }

    private let lock = NSLock()
    private var entries: [String: Entry] = [:]
    public private(set) var hits = 0
    public private(set) var misses = 0

    public init() {}

    func entry(path: String, contentID: String, parse: () -> Entry) -> Entry {
        let key = path + "\u{0}" + contentID
        lock.lock()
        if let cached = entries[key] {
            hits += 1
            lock.unlock()
            return cached
        }
        misses += 1
        lock.unlock()
        let entry = parse()
        lock.lock()
        entries[key] = entry
        lock.unlock()
        return entry
    }
}
