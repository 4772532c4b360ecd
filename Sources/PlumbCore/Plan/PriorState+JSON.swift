import Foundation

extension PriorState {
    /// The prior state from the JSON the stores keep (`JSONOutput.encode(prior)`).
    ///
    /// A stack of 100,000 records remembers 100,000 addresses, and `JSONDecoder` took a
    /// fifth of a second over them, on the path of every plan. This reads the two arrays of
    /// plain strings directly; JSON of any other shape (escapes, other keys, other types)
    /// goes to `JSONDecoder`, which decides and words the error.
    public static func decode(json text: String) throws -> PriorState {
        if let state = PriorStateReader.read(text) { return state }
        return try JSONDecoder().decode(PriorState.self, from: Data(text.utf8))
    }
}

/// `{"managed": [STRING…], "protected": [STRING…]}` with strings free of escapes; nil for
/// anything else.
private struct PriorStateReader {
    static func read(_ text: String) -> PriorState? {
        var text = text
        return text.withUTF8 { bytes in
            var reader = PriorStateReader(bytes: bytes)
            return reader.state()
        }
    }

    let bytes: UnsafeBufferPointer<UInt8>
    var index = 0

    mutating func state() -> PriorState? {
        var managed: Set<Address>?
        var protected: Set<Address>?
        guard take(UInt8(ascii: "{")) else { return nil }
        repeat {
            guard let key = string() else { return nil }
            guard take(UInt8(ascii: ":")), let addresses = addresses() else { return nil }
            switch key {
            case "managed" where managed == nil: managed = addresses
            case "protected" where protected == nil: protected = addresses
            default: return nil
            }
        } while take(UInt8(ascii: ","))
        guard take(UInt8(ascii: "}")) else { return nil }
        skipSpace()
        guard index == bytes.count, let managed, let protected else { return nil }
        return PriorState(managed: managed, protected: protected)
    }

    mutating func addresses() -> Set<Address>? {
        guard take(UInt8(ascii: "[")) else { return nil }
        var result: Set<Address> = []
        if take(UInt8(ascii: "]")) { return result }
        repeat {
            guard let text = string(), let address = Address(text) else { return nil }
            result.insert(address)
        } while take(UInt8(ascii: ","))
        return take(UInt8(ascii: "]")) ? result : nil
    }

    /// A string without escapes or control characters.
    mutating func string() -> String? {
        guard take(UInt8(ascii: "\"")) else { return nil }
        let start = index
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                index += 1
                return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index - 1]), as: UTF8.self)
            }
            if byte == UInt8(ascii: "\\") || byte < 0x20 { return nil }
            index += 1
        }
        return nil
    }

    /// Skips white space, then consumes `byte` if it is next.
    mutating func take(_ byte: UInt8) -> Bool {
        skipSpace()
        guard index < bytes.count, bytes[index] == byte else { return false }
        index += 1
        return true
    }

    mutating func skipSpace() {
        while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x0A || bytes[index] == 0x0D || bytes[index] == 0x09 {
            index += 1
        }
    }
}
