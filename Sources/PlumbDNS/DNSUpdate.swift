/// A DNS UPDATE message (RFC 2136): the zone, prerequisites and updates, as records in
/// the wire form RFC 2136 §2.4 and §2.5 give them meaning by class and TTL.
public struct DNSUpdate: Sendable {
    public struct Record: Sendable, Equatable {
        public var name: String
        public var type: UInt16
        public var recordClass: UInt16
        public var ttl: UInt32
        public var rdata: [UInt8]

        /// Prerequisite: an rrset exists with exactly these values, one record per value (§2.4.2).
        public static func exists(_ name: String, _ type: DNSRecordType, rdata: [UInt8]) -> Record {
            Record(name: name, type: type.code, recordClass: 1, ttl: 0, rdata: rdata)
        }

        /// Prerequisite: no rrset of this name and type (§2.4.3).
        public static func absent(_ name: String, _ type: DNSRecordType) -> Record {
            Record(name: name, type: type.code, recordClass: 254, ttl: 0, rdata: [])
        }

        /// Update: delete the whole rrset (§2.5.2).
        public static func deleteRRSet(_ name: String, _ type: DNSRecordType) -> Record {
            Record(name: name, type: type.code, recordClass: 255, ttl: 0, rdata: [])
        }

        /// Update: add a record to an rrset (§2.5.1).
        public static func add(_ name: String, _ type: DNSRecordType, ttl: UInt32, rdata: [UInt8]) -> Record {
            Record(name: name, type: type.code, recordClass: 1, ttl: ttl, rdata: rdata)
        }
    }

    public var zone: String
    public var prerequisites: [Record] = []
    public var updates: [Record] = []

    public init(zone: String) {
        self.zone = zone
    }

    /// The unsigned message. Names are written uncompressed: simple, and what every server reads.
    public func message(id: UInt16) throws(DNSError) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.appendUInt16(id)
        bytes.appendUInt16(5 << 11)  // opcode UPDATE
        for count in [1, prerequisites.count, updates.count, 0] { bytes.appendUInt16(UInt16(count)) }
        bytes += try DNSMessage.encode(name: zone)
        bytes.appendUInt16(DNSRecordType.soa.code)
        bytes.appendUInt16(1)
        for record in prerequisites + updates {
            bytes += try DNSMessage.encode(name: record.name)
            bytes.appendUInt16(record.type)
            bytes.appendUInt16(record.recordClass)
            bytes.appendUInt16(UInt16(record.ttl >> 16))
            bytes.appendUInt16(UInt16(record.ttl & 0xFFFF))
            bytes.appendUInt16(UInt16(record.rdata.count))
            bytes += record.rdata
        }
        return bytes
    }
}

extension DNSMessage {
    /// An AXFR request for `zone` (RFC 5936): no recursion, no EDNS, to be signed.
    public static func transferQuery(zone: String, id: UInt16) throws(DNSError) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.appendUInt16(id)
        bytes.appendUInt16(0)
        for count: UInt16 in [1, 0, 0, 0] { bytes.appendUInt16(count) }
        bytes += try encode(name: zone)
        bytes.appendUInt16(252)
        bytes.appendUInt16(1)
        return bytes
    }

    /// A non-recursive question for one rrset, without EDNS, to be signed or not.
    public static func plainQuery(name: String, type: DNSRecordType, id: UInt16) throws(DNSError) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.appendUInt16(id)
        bytes.appendUInt16(0)
        for count: UInt16 in [1, 0, 0, 0] { bytes.appendUInt16(count) }
        bytes += try encode(name: name)
        bytes.appendUInt16(type.code)
        bytes.appendUInt16(1)
        return bytes
    }
}
