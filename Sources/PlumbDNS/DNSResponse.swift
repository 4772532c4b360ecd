/// A whole reply: every section read, the TSIG record (if any) taken apart for
/// verification. The zone transfer and UPDATE replies of the rfc2136 provider.
public struct DNSResponse: Sendable {
    public var id: UInt16
    public var opcode: Int
    public var rcode: Int
    public var truncated: Bool
    public var answers: [DNSRecord]
    /// A referral's NS records, or the SOA of a negative answer.
    public var authority: [DNSRecord] = []
    public var signature: DNSSignature?

    public var rcodeName: String {
        DNSAnswer(id: id, rcode: rcode, truncated: truncated, authoritative: false, records: []).rcodeName
    }
}

/// The TSIG record of a message (RFC 8945 §4.2) and where it starts.
public struct DNSSignature: Sendable {
    public var recordOffset: Int
    public var keyName: String
    public var algorithm: String
    public var timeSigned: UInt64
    public var fudge: UInt16
    public var mac: [UInt8]
    public var originalID: UInt16
    public var error: UInt16
    public var other: [UInt8]
}

extension DNSMessage {
    /// Parses every section. A TSIG record must be the last of the additional section.
    public static func parseResponse(_ bytes: [UInt8]) throws(DNSError) -> DNSResponse {
        var reader = DNSReader(bytes: bytes)
        let id = try reader.uint16()
        let flags = try reader.uint16()
        var counts: [Int] = []
        for _ in 0..<4 { counts.append(Int(try reader.uint16())) }
        for _ in 0..<counts[0] {
            _ = try reader.name()
            _ = try reader.bytes(4)
        }
        var answers: [DNSRecord] = []
        for _ in 0..<counts[1] { answers.append(try reader.record()) }
        var authority: [DNSRecord] = []
        for _ in 0..<counts[2] {
            // An UPDATE's own update section has records without RDATA: skipped, not read.
            let start = reader.offset
            if let record = try? reader.record() {
                authority.append(record)
            } else {
                reader.offset = start
                try reader.skipRecord()
            }
        }
        var signature: DNSSignature?
        for index in 0..<counts[3] {
            let start = reader.offset
            let name = try reader.name()
            let type = try reader.uint16()
            guard type == 250 else {
                reader.offset = start
                try reader.skipRecord()
                continue
            }
            guard index == counts[3] - 1 else { throw DNSReader.malformed("TSIG is not the last record") }
            signature = try reader.signature(name: name, start: start)
        }
        // Extended RCODE bits live in an OPT record; the replies read here need only the low four.
        return DNSResponse(
            id: id, opcode: Int(flags >> 11 & 0x0F), rcode: Int(flags & 0x000F), truncated: flags & 0x0200 != 0,
            answers: answers, authority: authority, signature: signature)
    }
}

extension DNSReader {
    /// The RDATA of a TSIG record (RFC 8945 §4.2), its owner and type already read.
    mutating func signature(name: String, start: Int) throws(DNSError) -> DNSSignature {
        _ = try bytes(6)  // class, TTL
        let length = Int(try uint16())
        let end = offset + length
        let algorithm = try self.name()
        let time = try bytes(6).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        let fudge = try uint16()
        let mac = Array(try bytes(Int(try uint16())))
        let originalID = try uint16()
        let error = try uint16()
        let other = Array(try bytes(Int(try uint16())))
        guard offset == end else { throw Self.malformed("TSIG RDATA length does not fit its contents") }
        return DNSSignature(
            recordOffset: start, keyName: name, algorithm: algorithm, timeSigned: time, fudge: fudge, mac: mac,
            originalID: originalID, error: error, other: other)
    }

    /// Skips one record whatever its type.
    public mutating func skipRecord() throws(DNSError) {
        _ = try name()
        _ = try bytes(8)
        _ = try bytes(Int(try uint16()))
    }
}
