/// A line diff small enough for binding files: longest common subsequence, shown whole
/// (bindings are a few lines; anything over `limit` lines is shown as removed + added).
enum LineDiff {
    static let limit = 2_000

    static func unified(_ old: [String], _ new: [String]) -> [String] {
        let old = old.last == "" ? Array(old.dropLast()) : old
        let new = new.last == "" ? Array(new.dropLast()) : new
        guard old.count <= limit, new.count <= limit else {
            return old.map { "-" + $0 } + new.map { "+" + $0 }
        }
        // lengths[i][j]: the LCS of old[i...] and new[j...].
        var lengths = Array(repeating: Array(repeating: 0, count: new.count + 1), count: old.count + 1)
        for i in stride(from: old.count - 1, through: 0, by: -1) {
            for j in stride(from: new.count - 1, through: 0, by: -1) {
                lengths[i][j] = old[i] == new[j] ? lengths[i + 1][j + 1] + 1 : max(lengths[i + 1][j], lengths[i][j + 1])
            }
        }
        var out: [String] = []
        var i = 0
        var j = 0
        while i < old.count || j < new.count {
            if i < old.count, j < new.count, old[i] == new[j] {
                out.append(" " + old[i])
                i += 1
                j += 1
            } else if i < old.count, j == new.count || lengths[i + 1][j] >= lengths[i][j + 1] {
                // Removed lines before added ones, as `git diff` shows them.
                out.append("-" + old[i])
                i += 1
            } else {
                out.append("+" + new[j])
                j += 1
            }
        }
        return out
    }
}
