import Foundation

/// A bounds-checked cursor over a DNS message. Every read checks the length first, so
/// hostile or cut-off input throws instead of trapping.
public struct DNSReader {
    public let bytes: [UInt8]
    public var offset = 0

    public init(bytes: [UInt8], offset: Int = 0) {
        self.bytes = bytes
        self.offset = offset
    }

    public static func malformed(_ why: String) -> DNSError {
        DNSError(code: .malformedMessage, message: why)
    }

    public mutating func bytes(_ count: Int) throws(DNSError) -> ArraySlice<UInt8> {
        guard count >= 0, count <= bytes.count - offset else { throw Self.malformed("message ends early at byte \(offset)") }
        defer { offset += count }
        return bytes[offset..<offset + count]
    }

    public mutating func uint8() throws(DNSError) -> UInt8 {
        try bytes(1).first ?? 0
    }

    public mutating func uint16() throws(DNSError) -> UInt16 {
        try bytes(2).reduce(0) { $0 << 8 | UInt16($1) }
    }

    public mutating func uint32() throws(DNSError) -> UInt32 {
        try bytes(4).reduce(0) { $0 << 8 | UInt32($1) }
    }

    /// A possibly compressed name, in presentation form. Compression pointers must point
    /// strictly before the labels that hold them, which rules out loops.
    public mutating func name() throws(DNSError) -> String {
        var labels: [String] = []
        var position = offset
        var segmentStart = offset
        var jumped = false
        var wireLength = 1
        while true {
            guard position < bytes.count else { throw Self.malformed("name runs past the end") }
            let length = Int(bytes[position])
            switch length & 0xC0 {
            case 0x00 where length == 0:
                if !jumped { offset = position + 1 }
                return labels.isEmpty ? "." : labels.joined(separator: ".") + "."
            case 0x00:
                guard position + 1 + length <= bytes.count else { throw Self.malformed("label runs past the end") }
                wireLength += length + 1
                guard wireLength <= 255 else { throw Self.malformed("name longer than 255 bytes") }
                labels.append(Self.presentation(label: bytes[position + 1..<position + 1 + length]))
                position += 1 + length
            case 0xC0:
                guard position + 1 < bytes.count else { throw Self.malformed("compression pointer cut off") }
                let target = (length & 0x3F) << 8 | Int(bytes[position + 1])
                guard target < segmentStart else { throw Self.malformed("compression pointer does not point backwards") }
                if !jumped { offset = position + 2 }
                jumped = true
                segmentStart = target
                position = target
            default:
                throw Self.malformed("unknown label type \(length >> 6)")
            }
        }
    }

    /// Lower-cased (names compare case-insensitively), with RFC 4343 escapes for dots,
    /// backslashes and unprintable bytes.
    public static func presentation(label: ArraySlice<UInt8>) -> String {
        var text = ""
        for byte in label {
            switch byte {
            case UInt8(ascii: "."), UInt8(ascii: "\\"):
                text += "\\" + String(UnicodeScalar(byte))
            case 0x21...0x7E:
                text += String(UnicodeScalar(byte)).lowercased()
            default:
                let digits = String(byte)
                text += "\\" + String(repeating: "0", count: 3 - digits.count) + digits
            }
        }
        return text
    }

    /// One resource record; the RDATA must be consumed exactly.
    public mutating func record() throws(DNSError) -> DNSRecord {
        let name = try name()
        let type = try uint16()
        _ = try uint16()  // class
        let ttl = try uint32()
        let length = Int(try uint16())
        guard length <= bytes.count - offset else { throw Self.malformed("RDATA runs past the end") }
        let end = offset + length
        let value = try rdata(type: type, end: end)
        guard offset == end else { throw Self.malformed("\(DNSMessage.typeName(type)) RDATA length \(length) does not fit its contents") }
        return DNSRecord(name: name, type: DNSMessage.typeName(type), ttl: ttl, value: value)
    }

    /// A name inside RDATA: its own labels may not spill past the RDATA (pointers may point anywhere before).
    mutating func boundedName(end: Int) throws(DNSError) -> String {
        let name = try name()
        guard offset <= end else { throw Self.malformed("name runs past its RDATA") }
        return name
    }

    public static func hex(_ byte: UInt8) -> String {
        let digits = Array("0123456789abcdef")
        return String([digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]])
    }
}
