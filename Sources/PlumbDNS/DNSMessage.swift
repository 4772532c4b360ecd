/// DNS wire format (RFC 1035): building queries, parsing responses.
public enum DNSMessage {
    /// EDNS0 payload size we advertise: the DNS Flag Day 2020 value, small enough to avoid
    /// IP fragmentation, large enough that most answers need no TCP retry.
    public static let udpPayloadSize: UInt16 = 1232

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
    public static func encode(name: String) throws(DNSError) -> [UInt8] {
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

    public static func typeName(_ code: UInt16) -> String {
        DNSRecordType(code: code)?.rawValue ?? "TYPE\(code)"
    }
}

extension [UInt8] {
    public mutating func appendUInt16(_ value: UInt16) {
        append(UInt8(value >> 8))
        append(UInt8(value & 0xFF))
    }
}
