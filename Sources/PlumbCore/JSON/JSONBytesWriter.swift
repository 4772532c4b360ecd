/// Writes JSON (RFC 8259) straight into UTF-8 bytes, for the few large requests whose shape
/// is fixed. The writer of `JSONBytesReader`: a PowerDNS PATCH of 500 rrsets went through
/// `JSONEncoder`'s keyed containers in a twentieth of a 10,000-record import (measured with
/// perf, Docs/performance.md). The caller writes the punctuation between members; strings
/// are escaped here, so no value can break out of its quotes.
public struct JSONBytesWriter {
    public private(set) var bytes: [UInt8] = []

    public init(capacity: Int = 0) {
        bytes.reserveCapacity(capacity)
    }

    /// A piece of JSON syntax (`{"rrsets":[`, `,`, `}`), written as is.
    public mutating func raw(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    public mutating func string(_ text: String) {
        bytes.append(0x22)
        for byte in text.utf8 {
            switch byte {
            case 0x22: bytes.append(contentsOf: [0x5C, 0x22])
            case 0x5C: bytes.append(contentsOf: [0x5C, 0x5C])
            case 0x0A: bytes.append(contentsOf: [0x5C, 0x6E])
            case 0x0D: bytes.append(contentsOf: [0x5C, 0x72])
            case 0x09: bytes.append(contentsOf: [0x5C, 0x74])
            case ..<0x20:
                let hex: [UInt8] = Array("0123456789abcdef".utf8)
                bytes.append(contentsOf: [0x5C, 0x75, 0x30, 0x30, hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]])
            default: bytes.append(byte)
            }
        }
        bytes.append(0x22)
    }

    public mutating func integer(_ value: Int) {
        bytes.append(contentsOf: String(value).utf8)
    }

    public mutating func boolean(_ value: Bool) {
        value ? raw("true") : raw("false")
    }
}
