/// The record types Plumb's DNS checks ask for.
public enum DNSRecordType: String, Sendable, CaseIterable {
    case a = "A", aaaa = "AAAA", cname = "CNAME", mx = "MX", txt = "TXT"
    case srv = "SRV", ns = "NS", caa = "CAA", ptr = "PTR"

    /// Accepts any case ("aaaa").
    public init?(name: String) { self.init(rawValue: name.uppercased()) }

    init?(code: UInt16) {
        guard let type = Self.allCases.first(where: { $0.code == code }) else { return nil }
        self = type
    }

    /// The RFC 1035 / 3596 / 2782 / 8659 TYPE value.
    public var code: UInt16 {
        switch self {
        case .a: 1
        case .ns: 2
        case .cname: 5
        case .ptr: 12
        case .mx: 15
        case .txt: 16
        case .aaaa: 28
        case .srv: 33
        case .caa: 257
        }
    }
}

/// One resource record of the answer section, in presentation format.
public struct DNSRecord: Sendable, Equatable {
    /// Owner name, lower-cased, with the trailing dot.
    public var name: String
    /// "A", "MX", …; "TYPE99" for a type Plumb does not know (RFC 3597).
    public var type: String
    public var ttl: UInt32
    /// E.g. "192.0.2.1", "10 mail.example.com.", `0 issue "letsencrypt.org"`.
    public var value: String

    public init(name: String, type: String, ttl: UInt32, value: String) {
        self.name = name
        self.type = type
        self.ttl = ttl
        self.value = value
    }
}

/// A parsed DNS response.
public struct DNSAnswer: Sendable, Equatable {
    public var id: UInt16
    /// 0 NOERROR, 2 SERVFAIL, 3 NXDOMAIN, …
    public var rcode: Int
    /// TC: the server cut the message short; the answer section may be incomplete.
    public var truncated: Bool
    public var authoritative: Bool
    /// The question echoed by the server (lower-cased, trailing dot), if it sent one.
    public var questionName: String?
    public var questionType: String?
    /// The answer section in order, CNAMEs included.
    public var records: [DNSRecord]

    /// Values of the records of the type asked for: for an A query that met a CNAME chain,
    /// the addresses without the aliases.
    public var values: [String] {
        records.filter { $0.type == questionType }.map(\.value)
    }

    public var rcodeName: String {
        switch rcode {
        case 0: "NOERROR"
        case 1: "FORMERR"
        case 2: "SERVFAIL"
        case 3: "NXDOMAIN"
        case 4: "NOTIMP"
        case 5: "REFUSED"
        default: "RCODE\(rcode)"
        }
    }
}

public struct DNSError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: Sendable, Hashable {
        case invalidName, unsupportedType
        /// Short, garbled or self-contradicting wire data.
        case malformedMessage
        /// A reply that is not the answer to our query (wrong id or question).
        case mismatchedResponse
        case timeout, connectionFailed, other
    }

    public var code: Code
    public var message: String

    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "DNS \(code): \(message)" }
}

/// DNS wire format (RFC 1035): building queries, parsing responses.
public enum DNSMessage {
    /// EDNS0 payload size we advertise: the DNS Flag Day 2020 value, small enough to avoid
    /// IP fragmentation, large enough that most answers need no TCP retry.
    static let udpPayloadSize: UInt16 = 1232

    /// A recursive query for `name` (with or without the trailing dot) carrying an EDNS0 OPT record.
    public static func query(name: String, type: DNSRecordType, id: UInt16 = .random(in: .min ... .max)) throws(DNSError) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.appendUInt16(id)
        bytes.appendUInt16(0x0100)  // RD: recursion desired
        for count: UInt16 in [1, 0, 0, 1] { bytes.appendUInt16(count) }
        try bytes.append(contentsOf: encode(name: name))
        bytes.appendUInt16(type.code)
        bytes.appendUInt16(1)  // class IN
        // OPT pseudo-record: root owner, TYPE 41, CLASS = payload size, TTL 0, no options.
        bytes.append(0)
        bytes.appendUInt16(41)
        bytes.appendUInt16(udpPayloadSize)
        bytes.append(contentsOf: [0, 0, 0, 0, 0, 0])
        return bytes
    }

    /// Wire form of a name: printable ASCII labels of 1–63 bytes, 255 bytes in all.
    static func encode(name: String) throws(DNSError) -> [UInt8] {
        guard !name.isEmpty else { throw DNSError(code: .invalidName, message: "empty name (the root is \".\")") }
        let trimmed = name.hasSuffix(".") ? String(name.dropLast()) : name
        var wire: [UInt8] = []
        if !trimmed.isEmpty {
            for label in trimmed.split(separator: ".", omittingEmptySubsequences: false) {
                let bytes = Array(label.utf8)
                guard !bytes.isEmpty, bytes.count <= 63 else {
                    throw DNSError(code: .invalidName, message: "'\(name)': labels must be 1 to 63 bytes")
                }
                guard bytes.allSatisfy({ (0x21...0x7E).contains($0) && $0 != UInt8(ascii: "\\") }) else {
                    throw DNSError(code: .invalidName, message: "'\(name)': only printable ASCII (use punycode for IDNs)")
                }
                wire.append(UInt8(bytes.count))
                wire.append(contentsOf: bytes)
            }
        }
        wire.append(0)
        guard wire.count <= 255 else {
            throw DNSError(code: .invalidName, message: "'\(name)' is longer than 255 bytes")
        }
        return wire
    }

    /// Parses a whole response: header, question and answer section (authority and
    /// additional are not needed by checks and are not read). Any inconsistency throws.
    public static func parse(_ bytes: [UInt8]) throws(DNSError) -> DNSAnswer {
        var reader = DNSReader(bytes: bytes)
        let id = try reader.uint16()
        let flags = try reader.uint16()
        let questionCount = try reader.uint16()
        let answerCount = try reader.uint16()
        _ = try reader.uint16()
        _ = try reader.uint16()
        var answer = DNSAnswer(
            id: id, rcode: Int(flags & 0x000F), truncated: flags & 0x0200 != 0,
            authoritative: flags & 0x0400 != 0, records: [])
        for index in 0..<Int(questionCount) {
            let name = try reader.name()
            let type = try reader.uint16()
            _ = try reader.uint16()
            if index == 0 {
                answer.questionName = name
                answer.questionType = typeName(type)
            }
        }
        for _ in 0..<Int(answerCount) {
            answer.records.append(try reader.record())
        }
        return answer
    }

    static func typeName(_ code: UInt16) -> String {
        DNSRecordType(code: code)?.rawValue ?? "TYPE\(code)"
    }
}

extension [UInt8] {
    mutating func appendUInt16(_ value: UInt16) {
        append(UInt8(value >> 8))
        append(UInt8(value & 0xFF))
    }
}

/// A bounds-checked cursor over a DNS message. Every read checks the length first, so
/// hostile or cut-off input throws instead of trapping.
struct DNSReader {
    let bytes: [UInt8]
    var offset = 0

    static func malformed(_ why: String) -> DNSError {
        DNSError(code: .malformedMessage, message: why)
    }

    mutating func bytes(_ count: Int) throws(DNSError) -> ArraySlice<UInt8> {
        guard count >= 0, count <= bytes.count - offset else { throw Self.malformed("message ends early at byte \(offset)") }
        defer { offset += count }
        return bytes[offset..<offset + count]
    }

    mutating func uint8() throws(DNSError) -> UInt8 {
        try bytes(1).first ?? 0
    }

    mutating func uint16() throws(DNSError) -> UInt16 {
        try bytes(2).reduce(0) { $0 << 8 | UInt16($1) }
    }

    mutating func uint32() throws(DNSError) -> UInt32 {
        try bytes(4).reduce(0) { $0 << 8 | UInt32($1) }
    }

    /// A possibly compressed name, in presentation form. Compression pointers must point
    /// strictly before the labels that hold them, which rules out loops.
    mutating func name() throws(DNSError) -> String {
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
    static func presentation(label: ArraySlice<UInt8>) -> String {
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
    mutating func record() throws(DNSError) -> DNSRecord {
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

    private mutating func rdata(type: UInt16, end: Int) throws(DNSError) -> String {
        switch DNSRecordType(code: type) {
        case .a:
            return try bytes(4).map(String.init).joined(separator: ".")
        case .aaaa:
            return IPv6Text.canonical(Array(try bytes(16)))
        case .cname, .ns, .ptr:
            return try boundedName(end: end)
        case .mx:
            let preference = try uint16()
            return "\(preference) \(try boundedName(end: end))"
        case .srv:
            let (priority, weight, port) = (try uint16(), try uint16(), try uint16())
            return "\(priority) \(weight) \(port) \(try boundedName(end: end))"
        case .txt:
            var text: [UInt8] = []
            while offset < end {
                let count = Int(try uint8())
                guard offset + count <= end else { throw Self.malformed("TXT string runs past its RDATA") }
                text += try bytes(count)
            }
            return String(decoding: text, as: UTF8.self)
        case .caa:
            let flags = try uint8()
            let tagLength = Int(try uint8())
            guard tagLength > 0, offset + tagLength <= end else { throw Self.malformed("CAA tag length \(tagLength) invalid") }
            let tag = String(decoding: try bytes(tagLength), as: UTF8.self)
            var value = String(decoding: try bytes(end - offset), as: UTF8.self)
            value = value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            return "\(flags) \(tag) \"\(value)\""
        case nil:
            // RFC 3597 generic form, so unknown types still compare as text.
            let data = try bytes(end - offset)
            return "\\# \(data.count)" + (data.isEmpty ? "" : " " + data.map(Self.hex).joined())
        }
    }

    /// A name inside RDATA: its own labels may not spill past the RDATA (pointers may point anywhere before).
    private mutating func boundedName(end: Int) throws(DNSError) -> String {
        let name = try name()
        guard offset <= end else { throw Self.malformed("name runs past its RDATA") }
        return name
    }

    static func hex(_ byte: UInt8) -> String {
        let digits = Array("0123456789abcdef")
        return String([digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]])
    }
}

/// RFC 5952 text for IPv6 addresses: lower-case hex without leading zeros, the longest
/// run (first on a tie) of two or more zero groups as "::", IPv4-mapped as ::ffff:a.b.c.d.
enum IPv6Text {
    static func canonical(_ bytes: [UInt8]) -> String {
        guard bytes.count == 16 else { return "" }
        let groups = (0..<8).map { UInt16(bytes[2 * $0]) << 8 | UInt16(bytes[2 * $0 + 1]) }
        if groups[0..<5].allSatisfy({ $0 == 0 }) && groups[5] == 0xFFFF {
            return "::ffff:" + bytes[12...].map(String.init).joined(separator: ".")
        }
        var best = (start: -1, length: 0)
        var index = 0
        while index < 8 {
            guard groups[index] == 0 else {
                index += 1
                continue
            }
            let start = index
            while index < 8 && groups[index] == 0 { index += 1 }
            if index - start > best.length { best = (start, index - start) }
        }
        let text = groups.map { String($0, radix: 16) }
        guard best.length >= 2 else { return text.joined(separator: ":") }
        let head = text[..<best.start].joined(separator: ":")
        let tail = text[(best.start + best.length)...].joined(separator: ":")
        return head + "::" + tail
    }
}
