import Foundation
import PlumbCore

/// Reads a PowerDNS zone (`GET /zones/{id}`) straight from its bytes into `PowerDNSAPI.Zone`.
///
/// Foundation's `JSONDecoder` spent a fifth of a 10,000-record apply decoding the two zone
/// GETs (describe and read-back) through keyed containers. This reader knows the one shape
/// it wants — `name`, and `rrsets` of `name`, `type`, `ttl`, `records` of `content` and
/// `disabled` — and skips every other value whole. It accepts exactly JSON (RFC 8259);
/// anything else, or a missing field, is an error, as it was for `JSONDecoder`.
enum ZoneJSON {
    typealias Malformed = JSONBytesReader.Malformed

    static func decode(_ data: Data) throws -> PowerDNSAPI.Zone {
        try data.withUnsafeBytes { raw in
            try JSONBytesReader.read(raw.bindMemory(to: UInt8.self), what: "zone JSON") { try $0.zone() }
        }
    }
}

/// The zone's shape, read member by member.
extension JSONBytesReader {
    mutating func zone() throws -> PowerDNSAPI.Zone {
        var name: String?
        var rrsets: [PowerDNSAPI.RRSet]?
        try object { reader, key in
            switch key {
            case "name": name = try reader.string()
            case "rrsets": rrsets = try reader.array { try $0.rrset() }
            default: try reader.skipValue()
            }
        }
        guard let name, let rrsets else { throw malformed("a zone needs name and rrsets") }
        return PowerDNSAPI.Zone(name: name, rrsets: rrsets)
    }

    mutating func rrset() throws -> PowerDNSAPI.RRSet {
        var name: String?
        var type: String?
        var ttl: Int?
        var records: [PowerDNSAPI.Record]?
        try object { reader, key in
            switch key {
            case "name": name = try reader.string()
            case "type": type = try reader.string()
            case "ttl": ttl = try reader.nullable { try $0.integer() }
            case "records": records = try reader.nullable { try $0.array { try $0.record() } }
            default: try reader.skipValue()
            }
        }
        guard let name, let type else { throw malformed("an rrset needs name and type") }
        return PowerDNSAPI.RRSet(name: name, type: type, ttl: ttl, changetype: nil, records: records)
    }

    mutating func record() throws -> PowerDNSAPI.Record {
        var content: String?
        var disabled: Bool?
        try object { reader, key in
            switch key {
            case "content": content = try reader.string()
            case "disabled": disabled = try reader.boolean()
            default: try reader.skipValue()
            }
        }
        guard let content, let disabled else { throw malformed("a record needs content and disabled") }
        return PowerDNSAPI.Record(content: content, disabled: disabled)
    }
}
