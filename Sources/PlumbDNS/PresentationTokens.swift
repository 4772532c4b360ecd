/// The fields of a record value in zone-file presentation form (RFC 1035 §5.1): separated
/// by white space, where a field in double quotes may hold spaces. Escapes (`\"`, `\\`,
/// `\DDD`) are kept as written, so a quoted field comes back exactly as it went in.
public struct PresentationToken: Equatable, Sendable {
    public var text: Substring
    public var quoted: Bool

    /// The field as it is written back: quoted fields in their quotes.
    public var written: String { quoted ? "\"\(text)\"" : String(text) }
}

public enum PresentationTokens {
    /// Nil when a quote is left open.
    public static func split(_ value: String) -> [PresentationToken]? {
        var tokens: [PresentationToken] = []
        let utf8 = value.utf8
        var index = utf8.startIndex
        func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 }
        while index < utf8.endIndex {
            let byte = utf8[index]
            if isSpace(byte) {
                index = utf8.index(after: index)
                continue
            }
            let quoted = byte == UInt8(ascii: "\"")
            let start = quoted ? utf8.index(after: index) : index
            var cursor = start
            var closed = !quoted
            // An unquoted field may hold a quoted part (SVCB's `alpn="h2,h3"`).
            var innerQuote = false
            while cursor < utf8.endIndex {
                let current = utf8[cursor]
                if current == UInt8(ascii: "\\") {
                    cursor = utf8.index(after: cursor)
                    if cursor < utf8.endIndex { cursor = utf8.index(after: cursor) }
                    continue
                }
                if quoted, current == UInt8(ascii: "\"") {
                    closed = true
                    break
                }
                if !quoted, current == UInt8(ascii: "\"") { innerQuote.toggle() }
                if !quoted, !innerQuote, isSpace(current) { break }
                cursor = utf8.index(after: cursor)
            }
            guard closed, !innerQuote else { return nil }
            tokens.append(PresentationToken(text: value[start..<cursor], quoted: quoted))
            index = quoted ? utf8.index(after: cursor) : cursor
        }
        return tokens
    }
}
