import Foundation

/// The commits exported under `--state/checkouts/COMMIT` for command checks (see
/// `Workspace.checkExecutor`). An export is made again when a check needs it, so pruning
/// one is always safe; the commits of runs the store still holds keep theirs.
public enum Checkouts {
    public static func directory(stateDirectory: String) -> String {
        (stateDirectory as NSString).appendingPathComponent("checkouts")
    }

    /// Removes checkouts last written before `cutoff` whose commit is not in `keeping`;
    /// returns how many.
    @discardableResult
    public static func prune(stateDirectory: String, before cutoff: Date, keeping: Set<String>) -> Int {
        let root = directory(stateDirectory: stateDirectory)
        let files = FileManager.default
        var removed = 0
        for name in (try? files.contentsOfDirectory(atPath: root)) ?? [] where !keeping.contains(name) {
            let path = (root as NSString).appendingPathComponent(name)
            guard let modified = (try? files.attributesOfItem(atPath: path))?[.modificationDate] as? Date, modified < cutoff else { continue }
            if (try? files.removeItem(atPath: path)) != nil { removed += 1 }
        }
        return removed
    }
}
