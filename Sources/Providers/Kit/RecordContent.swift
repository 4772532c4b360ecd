import PlumbCore

/// Record values between Plumb's form and the presentation form DNS providers speak
/// (PowerDNS's `content`, Route 53's `Value`).
///
/// TXT and SPF are the types whose forms differ: Plumb keeps the text unquoted; providers
/// want one or more quoted character-strings of at most 255 bytes, with `"` and `\`
/// escaped and control bytes as `\DDD`.
public enum RecordContent {
    public static func content(_ value: String, type: RecordType) -> String {
        type.isText ? quoteTXT(value) : value
    }

    public static func value(_ content: String, type: RecordType) -> String {
        if type.isText { return unquoteTXT(content) }
        switch RecordValues.canonical(content, type: type) {
        case .success(let canonical): return canonical
        case .failure: return content
        }
    }

    /// `"first 255 bytes" "rest"`, split on character boundaries.
    public static func quoteTXT(_ text: String) -> String {
        var chunks: [String] = []
        var current = ""
        var bytes = 0
        for character in text {
            let escaped = character == "\"" || character == "\\" ? "\\\(character)" : escapedControl(character)
            let size = String(character).utf8.count
            if bytes + size > 255 {
                chunks.append(current)
                current = ""
                bytes = 0
            }
            current += escaped
            bytes += size
        }
        chunks.append(current)
        return chunks.map { "\"\($0)\"" }.joined(separator: " ")
    }

    /// A control character as `\DDD`, which every zone-file parser reads back as the byte.
    static func escapedControl(_ character: Character) -> String {
        guard let scalar = character.unicodeScalars.first, character.unicodeScalars.count == 1,
            scalar.value < 0x20 || scalar.value == 0x7F
        else { return String(character) }
        let digits = String(scalar.value)
        return "\\" + String(repeating: "0", count: 3 - digits.count) + digits
    }

    /// Concatenates the quoted character-strings of a TXT content, unescaping `\"`, `\\` and
    /// `\DDD` (a byte, as servers write non-ASCII text).
    public static func unquoteTXT(_ content: String) -> String {
        let input = Array(content.utf8)
        guard input.contains(UInt8(ascii: "\"")) else { return content }
        var bytes: [UInt8] = []
        var inQuotes = false
        var index = 0
        while index < input.count {
            let byte = input[index]
            if byte == UInt8(ascii: "\"") {
                inQuotes.toggle()
            } else if inQuotes, byte == UInt8(ascii: "\\"), index + 1 < input.count {
                let digits = input[(index + 1)..<min(index + 4, input.count)]
                if digits.count == 3, digits.allSatisfy({ $0 >= 48 && $0 <= 57 }),
                    let value = UInt8(String(decoding: digits, as: UTF8.self))
                {
                    bytes.append(value)
                    index += 4
                    continue
                }
                bytes.append(input[index + 1])
                index += 2
                continue
            } else if inQuotes {
                bytes.append(byte)
            }
            index += 1
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
