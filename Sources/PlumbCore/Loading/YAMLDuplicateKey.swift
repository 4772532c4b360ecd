/// Where a duplicate key repeats. Yams names the duplicate keys of a mapping and marks the
/// first occurrence; the error belongs on the second, which is usually the line just added.
enum YAMLDuplicateKey {
    /// The line and column of the next occurrence of `key` after `first` in the same
    /// mapping: later in the same flow mapping, or a later line of a block mapping at the
    /// same column. Nil when it cannot be found (the caller keeps the first's position).
    static func `repeat`(of key: String, first: (line: Int, column: Int), in text: String) -> (line: Int, column: Int)? {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { Array($0.utf8) }
        guard first.line >= 1, first.line <= lines.count else { return nil }
        let spellings = [key, "\"\(key)\"", "'\(key)'"].map { Array($0.utf8) }
        let start = first.column - 1
        // The same line: a flow mapping, `{a: 1, a: 2}`.
        let own = lines[first.line - 1]
        if start >= 0, start < own.count {
            var index = start + 1
            while index < own.count {
                if own[index - 1] == UInt8(ascii: ",") || own[index - 1] == UInt8(ascii: "{") || own[index - 1] == UInt8(ascii: " "),
                    keyAt(index, in: own, spellings: spellings)
                {
                    return (first.line, index + 1)
                }
                index += 1
            }
        }
        // Later lines of a block mapping: the key at the same column with only spaces before
        // it. A line that starts left of that column (a `- ` item too) ends the mapping.
        for number in first.line..<lines.count {
            let line = lines[number]
            guard let content = line.firstIndex(where: { $0 != UInt8(ascii: " ") }), line[content] != UInt8(ascii: "#") else { continue }
            if content < start { return nil }
            if content == start, keyAt(start, in: line, spellings: spellings) { return (number + 1, first.column) }
        }
        return nil
    }

    private static func keyAt(_ index: Int, in line: [UInt8], spellings: [[UInt8]]) -> Bool {
        for spelling in spellings where line.count >= index + spelling.count && Array(line[index..<index + spelling.count]) == spelling {
            var after = index + spelling.count
            while after < line.count, line[after] == UInt8(ascii: " ") { after += 1 }
            if after < line.count, line[after] == UInt8(ascii: ":") { return true }
        }
        return false
    }
}
