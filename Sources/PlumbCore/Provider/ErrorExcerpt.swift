/// What of a provider's answer goes into an error: one line, at most `limit` characters.
/// Error bodies can be large (a proxy's HTML page, a policy quoted back, a stack trace) and
/// errors are stored in the history and served by the agent (`/runs`, `/status`), so only
/// the status and a short excerpt are kept.
public enum ErrorExcerpt {
    /// The excerpt of a body put after an HTTP status.
    public static let bodyLimit = 200
    /// The most any provider error message keeps.
    public static let messageLimit = 600

    /// `text` on one line (runs of whitespace and control characters become one space), cut
    /// at `limit` characters with `…` when longer.
    public static func of(_ text: some StringProtocol, limit: Int = bodyLimit) -> String {
        var line = ""
        var count = 0
        var pendingSpace = false
        for character in text {
            if character.isWhitespace || character.unicodeScalars.allSatisfy({ $0.properties.generalCategory == .control }) {
                pendingSpace = !line.isEmpty
                continue
            }
            if pendingSpace {
                line.append(" ")
                count += 1
                pendingSpace = false
            }
            line.append(character)
            count += 1
            if count > limit { return String(line.prefix(limit)) + "…" }
        }
        return line
    }
}
