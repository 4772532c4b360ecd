/// Composes the everyday subset of YAML straight from UTF-8 bytes, or answers nil.
///
/// Desired-state files are block mappings and sequences of one-line scalars and one-line
/// flow collections; a 100,000-record zone is 8 MB of them. Composing those here takes a
/// tenth of the time and memory Yams needs (Docs/performance.md). Anything outside the
/// subset — anchors, aliases, tags, block scalars, multi-line scalars or flow collections,
/// explicit keys, directives, empty values, tabs, CR line ends, duplicate keys, and every
/// syntax error — gives nil, and the caller composes the text with Yams, whose result and
/// error messages stay the reference. A differential test and fuzz target hold this
/// composer to Yams's trees, marks included, on every input it accepts.
struct YAMLComposer {
    /// Outside the subset; the caller falls back to Yams.
    struct Unsupported: Error {
        /// Where the composer gave up, for tests.
        var line: Int
        init(line: Int = #line) { self.line = line }
    }

    /// The documents of `text`, or nil when Yams must compose it.
    static func compose(_ text: String) -> [YAMLNode]? {
        try? result(text).get()
    }

    /// The source line of the composer where it declined `text`, nil when it accepts it.
    static func declineLine(_ text: String) -> Int? {
        guard case .failure(let unsupported) = result(text) else { return nil }
        return unsupported.line
    }

    private static func result(_ text: String) -> Result<[YAMLNode], Unsupported> {
        var text = text
        return text.withUTF8 { buffer in
            var composer = YAMLComposer(bytes: buffer)
            return Result { () throws(Unsupported) in try composer.documents() }
        }
    }

    private let bytes: UnsafeBufferPointer<UInt8>
    private var index = 0
    private var line: Int32 = 1
    private var lineStart = 0
    private var depth = 0
    /// Where `here()` last counted a column.
    private var counted: (line: Int32, index: Int, column: Int32) = (0, 0, 1)

    private init(bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    // MARK: Documents

    private mutating func documents() throws(Unsupported) -> [YAMLNode] {
        try refuseUnusualCharacters()
        var documents: [YAMLNode] = []
        skipToContent()
        while index < bytes.count {
            if atMarker(.dash) {
                index += 3
                try endOfLine()
                skipToContent()
                // An empty document, or one more marker straight after: Yams decides.
                if index >= bytes.count || atMarker(.dash) { throw Unsupported() }
            }
            // A document end marker or a directive, also straight after `---`.
            if atMarker(.dot) || (index == lineStart && bytes[index] == .percent) { throw Unsupported() }
            documents.append(try blockNode())
            skipToContent()
            // Only a new document may follow a root node (a dedent is a syntax error).
            if index < bytes.count, !atMarker(.dash) { throw Unsupported() }
        }
        return documents
    }

    /// Bytes libyaml treats specially or refuses: Yams handles them (and says what is wrong).
    private func refuseUnusualCharacters() throws(Unsupported) {
        var i = 0
        let count = bytes.count
        while i < count {
            let byte = bytes[i]
            if byte < 0x20 {
                if byte != .newline { throw Unsupported() }
            } else if byte >= 0x7F {
                let next = i + 1 < count ? bytes[i + 1] : 0
                let third = i + 2 < count ? bytes[i + 2] : 0
                switch byte {
                case 0x7F: throw Unsupported()
                case 0xC2 where next < 0xA0: throw Unsupported()  // C1 controls and NEL
                case 0xE2 where next == 0x80 && (third == 0xA8 || third == 0xA9): throw Unsupported()  // LS, PS
                case 0xEF where (next == 0xBB && third == 0xBF) || (next == 0xBF && third >= 0xBE): throw Unsupported()  // BOM, non-characters
                default: break
                }
            }
            i += 1
        }
    }

    private enum Marker { case dash, dot }

    /// `---` or `...` at the start of a line, followed by a blank or the end.
    private func atMarker(_ marker: Marker) -> Bool {
        guard index == lineStart, index + 2 < bytes.count else { return false }
        let byte: UInt8 = marker == .dash ? .dash : .dot
        return bytes[index] == byte && bytes[index + 1] == byte && bytes[index + 2] == byte && isBlankOrEnd(index + 3)
    }

    // MARK: Block context

    /// A node starting at `index` (its first character); consumes through the end of its
    /// last line.
    private mutating func blockNode() throws(Unsupported) -> YAMLNode {
        // libyaml stops at 1,000 levels; Yams then reports it.
        depth += 1
        defer { depth -= 1 }
        guard depth < 200 else { throw Unsupported() }
        let byte = bytes[index]
        if byte == .dash && isBlankOrEnd(index + 1) { return try blockSequence() }
        if byte == .openBracket || byte == .openBrace {
            let node = try flowCollection()
            try endOfLine()
            return node
        }
        let indent = index - lineStart
        let scalar = try blockScalar()
        skipSpaces()
        if index < bytes.count, bytes[index] == .colon, isBlankOrEnd(index + 1) {
            return try blockMapping(indent: indent, firstKey: scalar, at: lineStart + indent)
        }
        try endOfLine()
        return .scalar(scalar)
    }

    /// A block mapping whose first key, starting at byte `keyStart`, was just read; `index`
    /// is at its colon.
    private mutating func blockMapping(indent: Int, firstKey: YAMLScalar, at keyStart: Int) throws(Unsupported) -> YAMLNode {
        var keyStart = keyStart
        var pairs: [YAMLPair] = []
        var keys: Set<String> = []
        var key = firstKey
        while true {
            // libyaml limits implicit keys to 1024 characters up to their colon; Yams reports
            // longer ones. (Counted in bytes: never fewer than those characters.)
            guard index - keyStart < 1000, keys.insert(key.text).inserted else { throw Unsupported() }
            index += 1
            skipSpaces()
            let value: YAMLNode
            if atCommentOrEnd() {
                try endOfLine()
                skipToContent()
                guard index < bytes.count else { throw Unsupported() }
                let childIndent = index - lineStart
                if childIndent > indent {
                    value = try blockNode()
                } else if childIndent == indent, bytes[index] == .dash, isBlankOrEnd(index + 1) {
                    value = try blockSequence()
                } else {
                    throw Unsupported()
                }
            } else {
                value = try inlineValue()
            }
            pairs.append(YAMLPair(key: .scalar(key), value: value))
            skipToContent()
            guard index < bytes.count else { break }
            let nextIndent = index - lineStart
            if nextIndent < indent || atMarker(.dash) { break }
            if nextIndent > indent || atMarker(.dot) { throw Unsupported() }
            keyStart = index
            key = try blockScalar()
            skipSpaces()
            guard index < bytes.count, bytes[index] == .colon, isBlankOrEnd(index + 1) else { throw Unsupported() }
        }
        return .mapping(pairs, firstKey.mark)
    }

    /// A block sequence; `index` is at its first `-`.
    private mutating func blockSequence() throws(Unsupported) -> YAMLNode {
        let indent = index - lineStart
        let mark = here()
        var items: [YAMLNode] = []
        while true {
            index += 1
            skipSpaces()
            if atCommentOrEnd() {
                try endOfLine()
                skipToContent()
                guard index < bytes.count, index - lineStart > indent else { throw Unsupported() }
            }
            items.append(try blockNode())
            skipToContent()
            guard index < bytes.count else { break }
            let nextIndent = index - lineStart
            if nextIndent < indent { break }
            if nextIndent > indent { throw Unsupported() }
            // Same indent, not an item: the end of an indentless sequence (the mapping above
            // goes on) or a syntax error the mapping above reports.
            guard bytes[index] == .dash, isBlankOrEnd(index + 1) else { break }
        }
        return .sequence(items, mark)
    }

    /// The value after `key: ` on the same line.
    private mutating func inlineValue() throws(Unsupported) -> YAMLNode {
        let byte = bytes[index]
        let node: YAMLNode
        if byte == .openBracket || byte == .openBrace {
            node = try flowCollection()
        } else {
            node = .scalar(try blockScalar())
            skipSpaces()
            // `a: b: c` and friends.
            if index < bytes.count, bytes[index] == .colon { throw Unsupported() }
        }
        try endOfLine()
        return node
    }

    /// A quoted or plain scalar on one line, in block context.
    private mutating func blockScalar() throws(Unsupported) -> YAMLScalar {
        switch bytes[index] {
        case .doubleQuote, .singleQuote: return try quoted()
        default: return try plain(flow: false)
        }
    }

    // MARK: Flow context (one line)

    private mutating func flowCollection() throws(Unsupported) -> YAMLNode {
        depth += 1
        defer { depth -= 1 }
        guard depth < 200 else { throw Unsupported() }
        let mark = here()
        let isMapping = bytes[index] == .openBrace
        let close: UInt8 = isMapping ? .closeBrace : .closeBracket
        index += 1
        skipSpaces()
        var items: [YAMLNode] = []
        var pairs: [YAMLPair] = []
        var keys: Set<String> = []
        if index < bytes.count, bytes[index] == close {
            index += 1
            return isMapping ? .mapping([], mark) : .sequence([], mark)
        }
        while true {
            guard index < bytes.count else { throw Unsupported() }
            if isMapping {
                let keyStart = index
                let key = try flowScalar()
                guard index - keyStart < 1000, keys.insert(key.text).inserted,
                    index + 1 < bytes.count, bytes[index] == .colon, bytes[index + 1] == .space
                else { throw Unsupported() }
                index += 1
                skipSpaces()
                pairs.append(YAMLPair(key: .scalar(key), value: try flowItem()))
            } else {
                items.append(try flowItem())
            }
            skipSpaces()
            guard index < bytes.count else { throw Unsupported() }
            if bytes[index] == .comma {
                index += 1
                skipSpaces()
                // A trailing comma, or one item too few: Yams decides.
                guard index < bytes.count, bytes[index] != close, bytes[index] != .comma else { throw Unsupported() }
                continue
            }
            guard bytes[index] == close else { throw Unsupported() }
            index += 1
            return isMapping ? .mapping(pairs, mark) : .sequence(items, mark)
        }
    }

    private mutating func flowItem() throws(Unsupported) -> YAMLNode {
        guard index < bytes.count else { throw Unsupported() }
        let byte = bytes[index]
        if byte == .openBracket || byte == .openBrace { return try flowCollection() }
        let scalar = try flowScalar()
        // `[a: b]` is a one-pair mapping inside the sequence: Yams composes those.
        if index < bytes.count, bytes[index] == .colon { throw Unsupported() }
        return .scalar(scalar)
    }

    private mutating func flowScalar() throws(Unsupported) -> YAMLScalar {
        let scalar: YAMLScalar
        switch bytes[index] {
        case .doubleQuote, .singleQuote: scalar = try quoted()
        default: return try plain(flow: true)
        }
        skipSpaces()
        return scalar
    }

    // MARK: Scalars

    /// A plain scalar ending at the end of the line, at `: ` or ` #`, and in flow context
    /// at `,[]{}`. A start with an indicator, or (in flow context) a `:` or `?` inside,
    /// goes to Yams.
    private mutating func plain(flow: Bool) throws(Unsupported) -> YAMLScalar {
        let mark = here()
        let start = index
        let first = bytes[start]
        if first == .dash {
            // `-1`, `-all`: fine; anything else starting with a dash is Yams's to judge.
            guard start + 1 < bytes.count, bytes[start + 1].isAlphanumeric else { throw Unsupported() }
        } else if first.isIndicator {
            throw Unsupported()
        }
        var end = start
        var i = start
        scan: while i < bytes.count {
            switch bytes[i] {
            case .newline:
                break scan
            case .colon:
                if isBlankOrEnd(i + 1) { break scan }
                if flow { throw Unsupported() }
            case .hash where i > start && bytes[i - 1] == .space:
                break scan
            case .comma, .openBracket, .closeBracket, .openBrace, .closeBrace:
                if flow { break scan }
            case .question:
                if flow { throw Unsupported() }
            default:
                break
            }
            i += 1
            if bytes[i - 1] != .space { end = i }
        }
        index = end
        guard end > start else { throw Unsupported() }
        return YAMLScalar(text: string(start..<end), style: .plain, mark: mark)
    }

    /// A single- or double-quoted scalar on one line: the bytes between the quotes, copied
    /// only when an escape (`''`, or a backslash between double quotes) changes them.
    private mutating func quoted() throws(Unsupported) -> YAMLScalar {
        let mark = here()
        let quote = bytes[index]
        let style: YAMLScalar.Style = quote == .singleQuote ? .singleQuoted : .doubleQuoted
        index += 1
        let start = index
        var text: [UInt8]? = nil
        while true {
            guard index < bytes.count, bytes[index] != .newline else { throw Unsupported() }
            let byte = bytes[index]
            if byte == quote {
                if quote == .singleQuote, index + 1 < bytes.count, bytes[index + 1] == .singleQuote {
                    if text == nil { text = Array(bytes[start..<index]) }
                    text?.append(.singleQuote)
                    index += 2
                    continue
                }
                let result = text.map { String(decoding: $0, as: UTF8.self) } ?? string(start..<index)
                index += 1
                return YAMLScalar(text: result, style: style, mark: mark, tag: .string)
            }
            if byte == .backslash, quote == .doubleQuote {
                if text == nil { text = Array(bytes[start..<index]) }
                try escape(into: &text)
                continue
            }
            text?.append(byte)
            index += 1
        }
    }

    /// One escape of a double-quoted scalar; `index` is at the backslash.
    private mutating func escape(into text: inout [UInt8]?) throws(Unsupported) {
        guard index + 1 < bytes.count else { throw Unsupported() }
        let code = bytes[index + 1]
        index += 2
        let scalar: UInt32
        switch code {
        case UInt8(ascii: "0"): scalar = 0
        case UInt8(ascii: "a"): scalar = 0x07
        case UInt8(ascii: "b"): scalar = 0x08
        case UInt8(ascii: "t"): scalar = 0x09
        case UInt8(ascii: "n"): scalar = 0x0A
        case UInt8(ascii: "v"): scalar = 0x0B
        case UInt8(ascii: "f"): scalar = 0x0C
        case UInt8(ascii: "r"): scalar = 0x0D
        case UInt8(ascii: "e"): scalar = 0x1B
        case .space, .doubleQuote, .slash, .backslash: scalar = UInt32(code)
        case UInt8(ascii: "N"): scalar = 0x85
        case UInt8(ascii: "_"): scalar = 0xA0
        case UInt8(ascii: "L"): scalar = 0x2028
        case UInt8(ascii: "P"): scalar = 0x2029
        case UInt8(ascii: "x"): scalar = try hex(digits: 2)
        case UInt8(ascii: "u"): scalar = try hex(digits: 4)
        case UInt8(ascii: "U"): scalar = try hex(digits: 8)
        default: throw Unsupported()
        }
        guard let unicode = Unicode.Scalar(scalar) else { throw Unsupported() }
        text?.append(contentsOf: String(unicode).utf8)
    }

    private mutating func hex(digits: Int) throws(Unsupported) -> UInt32 {
        guard index + digits <= bytes.count else { throw Unsupported() }
        var value: UInt32 = 0
        for _ in 0..<digits {
            guard let digit = bytes[index].hexValue else { throw Unsupported() }
            value = value << 4 | UInt32(digit)
            index += 1
        }
        return value
    }

    // MARK: Lines and positions

    /// Counted on from the last mark of the same line: marks come in order along a line,
    /// and one long line (a whole zone as one flow mapping) must not be walked per scalar.
    private mutating func here() -> YAMLMark {
        if counted.line != line || counted.index > index { counted = (line, lineStart, 1) }
        var column = counted.column
        var i = counted.index
        while i < index {
            if bytes[i] & 0xC0 != 0x80 { column += 1 }
            i += 1
        }
        counted = (line, index, column)
        return YAMLMark(line: line, column: column)
    }

    private func string(_ range: Range<Int>) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)
    }

    private func isBlankOrEnd(_ i: Int) -> Bool {
        i >= bytes.count || bytes[i] == .space || bytes[i] == .newline
    }

    private func atCommentOrEnd() -> Bool {
        index >= bytes.count || bytes[index] == .newline || bytes[index] == .hash
    }

    private mutating func skipSpaces() {
        while index < bytes.count, bytes[index] == .space { index += 1 }
    }

    /// Spaces, then a comment (after at least one space) or nothing, then the line's end.
    private mutating func endOfLine() throws(Unsupported) {
        skipSpaces()
        guard index < bytes.count else { return }
        if bytes[index] == .hash {
            guard index == lineStart || bytes[index - 1] == .space else { throw Unsupported() }
            while index < bytes.count, bytes[index] != .newline { index += 1 }
        }
        guard index < bytes.count else { return }
        guard bytes[index] == .newline else { throw Unsupported() }
        index += 1
        line += 1
        lineStart = index
    }

    /// From a line's start, past blank and comment-only lines, to the next content (or
    /// the end), leaving `index` at the first non-space character.
    private mutating func skipToContent() {
        while index < bytes.count {
            skipSpaces()
            guard index < bytes.count else { return }
            if bytes[index] == .hash {
                while index < bytes.count, bytes[index] != .newline { index += 1 }
            }
            guard index < bytes.count, bytes[index] == .newline else { return }
            index += 1
            line += 1
            lineStart = index
        }
    }
}

extension UInt8 {
    fileprivate static let newline = UInt8(ascii: "\n")
    fileprivate static let space = UInt8(ascii: " ")
    fileprivate static let dash = UInt8(ascii: "-")
    fileprivate static let dot = UInt8(ascii: ".")
    fileprivate static let colon = UInt8(ascii: ":")
    fileprivate static let comma = UInt8(ascii: ",")
    fileprivate static let hash = UInt8(ascii: "#")
    fileprivate static let question = UInt8(ascii: "?")
    fileprivate static let percent = UInt8(ascii: "%")
    fileprivate static let slash = UInt8(ascii: "/")
    fileprivate static let backslash = UInt8(ascii: "\\")
    fileprivate static let singleQuote = UInt8(ascii: "'")
    fileprivate static let doubleQuote = UInt8(ascii: "\"")
    fileprivate static let openBracket = UInt8(ascii: "[")
    fileprivate static let closeBracket = UInt8(ascii: "]")
    fileprivate static let openBrace = UInt8(ascii: "{")
    fileprivate static let closeBrace = UInt8(ascii: "}")

    /// Characters that give a plain scalar's first position another meaning.
    fileprivate var isIndicator: Bool {
        switch self {
        case UInt8(ascii: "-"), UInt8(ascii: "?"), UInt8(ascii: ":"), UInt8(ascii: ","),
            UInt8(ascii: "["), UInt8(ascii: "]"), UInt8(ascii: "{"), UInt8(ascii: "}"),
            UInt8(ascii: "#"), UInt8(ascii: "&"), UInt8(ascii: "*"), UInt8(ascii: "!"),
            UInt8(ascii: "|"), UInt8(ascii: ">"), UInt8(ascii: "'"), UInt8(ascii: "\""),
            UInt8(ascii: "%"), UInt8(ascii: "@"), UInt8(ascii: "`"), UInt8(ascii: " "):
            true
        default:
            false
        }
    }

    fileprivate var isAlphanumeric: Bool {
        (0x30...0x39).contains(self) || (0x41...0x5A).contains(self) || (0x61...0x7A).contains(self)
    }

    fileprivate var hexValue: UInt8? {
        switch self {
        case 0x30...0x39: self - 0x30
        case 0x41...0x46: self - 0x41 + 10
        case 0x61...0x66: self - 0x61 + 10
        default: nil
        }
    }
}

/// Holds `YAMLComposer` to Yams: the differential test and the loader's fuzz target.
@_spi(Testing)
public enum YAMLComposerCheck {
    public enum Outcome: Equatable, Sendable {
        /// The composer left the text to Yams.
        case declined
        case agreed
        /// What differs, for the failure message.
        case disagreed(String)
    }

    public static func compare(_ text: String) -> Outcome {
        // Only texts the composer accepts go to Yams here: those hold no aliases to expand.
        guard let composed = YAMLComposer.compose(text) else { return .declined }
        let reference: [YAMLNode]
        do {
            reference = try YAMLNode.composeAll(text)
        } catch {
            return .disagreed("the composer accepted what Yams refuses: \(error)")
        }
        guard composed != reference else { return .agreed }
        return .disagreed("composer \(composed)\nYams     \(reference)")
    }
}
