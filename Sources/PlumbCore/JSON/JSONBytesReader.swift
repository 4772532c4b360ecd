/// A reader of JSON (RFC 8259) straight from UTF-8 bytes, for the few large answers whose
/// one shape is known: a caller reads the members it wants (`object`, `elements`,
/// `string`, …) and skips the rest whole. Broken JSON is a `Malformed` error with the byte
/// offset. `JSONDecoder` spent a fifth of a large apply in keyed containers; the PowerDNS
/// zone reader and the stores' prior state are read through this instead.
public struct JSONBytesReader {
    public struct Malformed: Error, CustomStringConvertible {
        public var offset: Int
        public var reason: String
        /// What was read ("zone JSON"), for the description.
        public var what: String

        public init(offset: Int, reason: String, what: String = "JSON") {
            self.offset = offset
            self.reason = reason
            self.what = what
        }

        public var description: String { "malformed \(what) at byte \(offset): \(reason)" }
    }

    public let bytes: UnsafeBufferPointer<UInt8>
    public var position = 0
    /// Nesting of skipped values, bounded so hostile input cannot exhaust the stack.
    var depth = 0
    static let maximumDepth = 64
    let what: String

    public init(bytes: UnsafeBufferPointer<UInt8>, what: String = "JSON") {
        self.bytes = bytes
        self.what = what
    }

    /// Reads one value of `bytes` with `read`, then checks that nothing but white space follows.
    public static func read<T>(_ bytes: UnsafeBufferPointer<UInt8>, what: String = "JSON", _ read: (inout JSONBytesReader) throws -> T) throws -> T {
        var reader = JSONBytesReader(bytes: bytes, what: what)
        let value = try read(&reader)
        reader.skipWhitespace()
        guard reader.position == reader.bytes.count else { throw reader.malformed("trailing bytes") }
        return value
    }

    public func malformed(_ reason: String) -> Malformed {
        Malformed(offset: position, reason: reason, what: what)
    }

    public mutating func skipWhitespace() {
        while position < bytes.count {
            let byte = bytes[position]
            guard byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 else { return }
            position += 1
        }
    }

    /// The next significant byte, without consuming it.
    public mutating func peek() throws -> UInt8 {
        skipWhitespace()
        guard position < bytes.count else { throw malformed("unexpected end") }
        return bytes[position]
    }

    public mutating func expect(_ byte: UInt8) throws {
        guard try peek() == byte else { throw malformed("expected '\(Character(Unicode.Scalar(byte)))'") }
        position += 1
    }

    public mutating func object(_ member: (inout JSONBytesReader, String) throws -> Void) throws {
        try expect(UInt8(ascii: "{"))
        if try peek() == UInt8(ascii: "}") {
            position += 1
            return
        }
        while true {
            let key = try string()
            try expect(UInt8(ascii: ":"))
            try member(&self, key)
            let next = try peek()
            position += 1
            if next == UInt8(ascii: "}") { return }
            guard next == UInt8(ascii: ",") else { throw malformed("expected ',' or '}'") }
        }
    }

    public mutating func array<T>(_ element: (inout JSONBytesReader) throws -> T) throws -> [T] {
        var items: [T] = []
        try elements { items.append(try element(&$0)) }
        return items
    }

    /// Each element of an array, read by `element` in place.
    public mutating func elements(_ element: (inout JSONBytesReader) throws -> Void) throws {
        try expect(UInt8(ascii: "["))
        if try peek() == UInt8(ascii: "]") {
            position += 1
            return
        }
        while true {
            try element(&self)
            let next = try peek()
            position += 1
            if next == UInt8(ascii: "]") { return }
            guard next == UInt8(ascii: ",") else { throw malformed("expected ',' or ']'") }
        }
    }

    public mutating func nullable<T>(_ value: (inout JSONBytesReader) throws -> T) throws -> T? {
        if try peek() == UInt8(ascii: "n") {
            try literal("null")
            return nil
        }
        return try value(&self)
    }

    public mutating func literal(_ word: String) throws {
        let expected = word.utf8
        guard position + expected.count <= bytes.count, bytes[position..<position + expected.count].elementsEqual(expected) else {
            throw malformed("expected \(word)")
        }
        position += expected.count
    }

    public mutating func boolean() throws -> Bool {
        if try peek() == UInt8(ascii: "t") {
            try literal("true")
            return true
        }
        try literal("false")
        return false
    }

    public mutating func integer() throws -> Int {
        _ = try peek()
        let start = position
        try number()
        guard let text = String(validating: bytes[start..<position], as: UTF8.self) else { throw malformed("expected a number") }
        // JSON has one number type: 300, 300.0 and 3E2 are the same TTL.
        if let value = Int(text) { return value }
        guard let double = Double(text), let value = Int(exactly: double) else { throw malformed("expected a whole number") }
        return value
    }

    /// A JSON number, consumed and checked against the grammar.
    mutating func number() throws {
        func digits(_ reader: inout JSONBytesReader) -> Int {
            let start = reader.position
            while reader.position < reader.bytes.count, (0x30...0x39).contains(reader.bytes[reader.position]) { reader.position += 1 }
            return reader.position - start
        }
        _ = try peek()
        if bytes[position] == UInt8(ascii: "-") { position += 1 }
        let start = position
        guard digits(&self) > 0 else { throw malformed("expected a number") }
        if bytes[start] == 0x30, position - start > 1 { throw malformed("leading zero") }
        if position < bytes.count, bytes[position] == UInt8(ascii: ".") {
            position += 1
            guard digits(&self) > 0 else { throw malformed("expected digits after '.'") }
        }
        if position < bytes.count, bytes[position] | 0x20 == UInt8(ascii: "e") {
            position += 1
            if position < bytes.count, bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-") { position += 1 }
            guard digits(&self) > 0 else { throw malformed("expected an exponent") }
        }
    }

    public mutating func string() throws -> String {
        try expect(UInt8(ascii: "\""))
        let start = position
        // The common case: no escapes, so the bytes are the string.
        while position < bytes.count {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") {
                defer { position += 1 }
                return try utf8(bytes[start..<position])
            }
            if byte == UInt8(ascii: "\\") { break }
            guard byte >= 0x20 else { throw malformed("control character in a string") }
            position += 1
        }
        var text = Array(bytes[start..<position])
        while position < bytes.count {
            let byte = bytes[position]
            position += 1
            switch byte {
            case UInt8(ascii: "\""):
                return try utf8(text[...])
            case UInt8(ascii: "\\"):
                try escape(into: &text)
            case 0..<0x20:
                throw malformed("control character in a string")
            default:
                text.append(byte)
            }
        }
        throw malformed("unterminated string")
    }

    func utf8<C: Collection<UInt8>>(_ slice: C) throws -> String {
        // The standard library's validation, not Foundation's String(bytes:encoding:),
        // which was a tenth of decoding a 100,000-rrset zone.
        guard let text = String(validating: slice, as: UTF8.self) else { throw malformed("invalid UTF-8") }
        return text
    }

    mutating func escape(into text: inout [UInt8]) throws {
        guard position < bytes.count else { throw malformed("unterminated escape") }
        let byte = bytes[position]
        position += 1
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): text.append(byte)
        case UInt8(ascii: "b"): text.append(0x08)
        case UInt8(ascii: "f"): text.append(0x0C)
        case UInt8(ascii: "n"): text.append(0x0A)
        case UInt8(ascii: "r"): text.append(0x0D)
        case UInt8(ascii: "t"): text.append(0x09)
        case UInt8(ascii: "u"):
            var scalar = try hex4()
            if (0xD800...0xDBFF).contains(scalar) {
                // A high surrogate must be followed by a low one.
                guard position + 1 < bytes.count, bytes[position] == UInt8(ascii: "\\"), bytes[position + 1] == UInt8(ascii: "u") else {
                    throw malformed("unpaired surrogate")
                }
                position += 2
                let low = try hex4()
                guard (0xDC00...0xDFFF).contains(low) else { throw malformed("unpaired surrogate") }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            } else if (0xDC00...0xDFFF).contains(scalar) {
                throw malformed("unpaired surrogate")
            }
            guard let unicode = Unicode.Scalar(scalar) else { throw malformed("invalid \\u escape") }
            text.append(contentsOf: String(unicode).utf8)
        default:
            throw malformed("invalid escape")
        }
    }

    mutating func hex4() throws -> UInt32 {
        guard position + 4 <= bytes.count else { throw malformed("short \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[position]
            position += 1
            let digit: UInt8
            switch byte {
            case 0x30...0x39: digit = byte - 0x30
            case 0x41...0x46: digit = byte - 0x41 + 10
            case 0x61...0x66: digit = byte - 0x61 + 10
            default: throw malformed("invalid \\u escape")
            }
            value = value << 4 | UInt32(digit)
        }
        return value
    }

    /// Any JSON value, checked and thrown away.
    public mutating func skipValue() throws {
        depth += 1
        defer { depth -= 1 }
        guard depth <= Self.maximumDepth else { throw malformed("nested too deeply") }
        switch try peek() {
        case UInt8(ascii: "{"): try object { reader, _ in try reader.skipValue() }
        case UInt8(ascii: "["): try elements { try $0.skipValue() }
        case UInt8(ascii: "\""): _ = try string()
        case UInt8(ascii: "t"), UInt8(ascii: "f"): _ = try boolean()
        case UInt8(ascii: "n"): try literal("null")
        default: try number()
        }
    }
}
