import Foundation
import PlumbCore

/// Reads a zone as PowerDNS exports it (`GET /zones/{id}/export`): one record per line,
/// `NAME<TAB>TTL<TAB>IN<TAB>TYPE<TAB>CONTENT`, content exactly as the JSON API gives it,
/// disabled records left out (as the mapping leaves them out of the JSON).
///
/// Why a read-back uses it: PowerDNS builds a 10,000-rrset zone's export in 23–33 ms against
/// 92–105 ms for its JSON, at 45 % of the bytes (measured with curl on PowerDNS 4.7.3,
/// Docs/performance.md), and a progressive import reads the zone back after every chunk.
///
/// Strict: a line that is not five tab-separated fields, a TTL that is not a number or a
/// class other than IN is a `Malformed` error naming the line, never a record quietly lost.
/// Not read from here: comments and disabled records, which the mapping ignores anyway.
enum ZoneExport {
    struct Malformed: Error, CustomStringConvertible {
        var line: Int
        var reason: String
        var description: String { "malformed zone export at line \(line): \(reason)" }
    }

    /// The zone's rrsets in the order their first record appears; records of one rrset
    /// belong together wherever their lines are. With `owners` (absolute names, lower case),
    /// only rrsets at those names are kept: every line is still checked, but no other line
    /// becomes strings (a chunk's read-back wants 500 names of a 10,000-rrset zone).
    static func decode(_ data: Data, zone: String, owners: Set<String>? = nil) throws -> PowerDNSAPI.Zone {
        let wanted = owners.map { Set($0.map { fingerprint($0.utf8[...]) }) }
        var rrsets: [PowerDNSAPI.RRSet] = []
        var index: [Key: Int] = [:]
        try lines(data) { fields in
            if let wanted, !wanted.contains(fingerprint(fields.name)) { return }
            let name = String(decoding: fields.name, as: UTF8.self)
            let type = String(decoding: fields.type, as: UTF8.self)
            let key = Key(name: name, type: type)
            if let at = index[key] {
                add(fields, to: &rrsets[at])
            } else {
                index[key] = rrsets.count
                rrsets.append(rrset(fields, name: name, type: type))
            }
        }
        return PowerDNSAPI.Zone(name: zone, rrsets: rrsets)
    }

    /// Records of one rrset on lines that are not consecutive: `decode(_:chunkSize:rrsets:)`
    /// cannot hand that rrset over whole, and the caller reads the zone with `decode` instead.
    struct NotGrouped: Error {}

    /// The zone's rrsets handed over `chunkSize` at a time as they are read, so a large
    /// zone's rrsets are never all held at once (the describe maps each chunk while the
    /// next is read: a 100,000-rrset zone peaked 50 MB higher decoded whole). Needs each
    /// rrset's records on consecutive lines, as PowerDNS writes them, and throws
    /// `NotGrouped` otherwise. The same checks as `decode`. Returns the rrset count.
    static func decode(_ data: Data, chunkSize: Int, rrsets handOver: ([PowerDNSAPI.RRSet]) -> Void) throws -> Int {
        var chunk: [PowerDNSAPI.RRSet] = []
        chunk.reserveCapacity(chunkSize)
        // Finished rrsets by fingerprint: a collision only sends the zone to `decode`.
        var finished: Set<UInt64> = []
        var current: UInt64?
        var count = 0
        try lines(data) { fields in
            let key = fingerprint(fields.name, type: fields.type)
            if key == current, let last = chunk.indices.last, chunk[last].name.utf8.elementsEqual(fields.name),
                chunk[last].type.utf8.elementsEqual(fields.type)
            {
                add(fields, to: &chunk[last])
                return
            }
            if let current { finished.insert(current) }
            guard !finished.contains(key) else { throw NotGrouped() }
            current = key
            if chunk.count == chunkSize {
                handOver(chunk)
                chunk.removeAll(keepingCapacity: true)
            }
            chunk.append(rrset(fields, name: String(decoding: fields.name, as: UTF8.self), type: String(decoding: fields.type, as: UTF8.self)))
            count += 1
        }
        if !chunk.isEmpty { handOver(chunk) }
        return count
    }

    /// Every non-empty line's fields, in order; a malformed line throws with its number.
    private static func lines(_ data: Data, _ body: (Fields) throws -> Void) throws {
        var lineNumber = 0
        try data.withUnsafeBytes { raw in
            let bytes = raw.bindMemory(to: UInt8.self)
            var start = 0
            while start < bytes.count {
                var end = start
                while end < bytes.count, bytes[end] != 0x0A { end += 1 }
                lineNumber += 1
                var line = bytes[start..<end]
                if line.last == 0x0D { line = line.dropLast() }
                start = end + 1
                guard !line.isEmpty else { continue }
                try body(try Fields(line, lineNumber: lineNumber))
            }
        }
    }

    private static func rrset(_ fields: Fields, name: String, type: String) -> PowerDNSAPI.RRSet {
        PowerDNSAPI.RRSet(name: name, type: type, ttl: fields.ttl, changetype: nil, records: [record(fields)])
    }

    /// Records of one rrset with different TTLs (a zone loaded from a file can hold them):
    /// the JSON API reports the lowest (PowerDNS 4.7.3, 60 and 30 give 30), and so does this.
    private static func add(_ fields: Fields, to rrset: inout PowerDNSAPI.RRSet) {
        rrset.ttl = min(rrset.ttl ?? fields.ttl, fields.ttl)
        rrset.records?.append(record(fields))
    }

    private static func record(_ fields: Fields) -> PowerDNSAPI.Record {
        PowerDNSAPI.Record(content: String(decoding: fields.content, as: UTF8.self), disabled: false)
    }

    private struct Key: Hashable {
        var name: String
        var type: String
    }

    /// FNV-1a of a name's bytes in lower case: a name that might be wanted. A collision
    /// only keeps a line the mapping then leaves out.
    private static func fingerprint<Bytes: Collection<UInt8>>(_ name: Bytes) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in name {
            hash = (hash ^ UInt64(byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte)) &* 0x100_0000_01b3
        }
        return hash
    }

    /// FNV-1a of an rrset's name and type, as written (a tab, which neither holds, between).
    private static func fingerprint<Bytes: Collection<UInt8>>(_ name: Bytes, type: Bytes) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in name { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        hash = (hash ^ 0x09) &* 0x100_0000_01b3
        for byte in type { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return hash
    }

    /// One line's fields, still bytes: the first four tabs end the fixed fields, the
    /// content is the rest of the line, tabs and all.
    private struct Fields {
        typealias Bytes = Slice<UnsafeBufferPointer<UInt8>>
        var name: Bytes
        var ttl: Int
        var type: Bytes
        var content: Bytes

        init(_ line: Bytes, lineNumber: Int) throws {
            func malformed(_ reason: String) -> Malformed { Malformed(line: lineNumber, reason: reason) }
            // The first four tabs, without an array per line (a 100,000-rrset describe reads as many).
            func tab(after start: Int) throws -> Int {
                guard let at = line[start...].firstIndex(of: 0x09) else {
                    throw malformed("expected NAME, TTL, IN, TYPE and CONTENT separated by tabs")
                }
                return at
            }
            let first = try tab(after: line.startIndex)
            let second = try tab(after: first + 1)
            let third = try tab(after: second + 1)
            let fourth = try tab(after: third + 1)
            name = line[line.startIndex..<first]
            let ttlBytes = line[(first + 1)..<second]
            guard !ttlBytes.isEmpty, ttlBytes.count <= 10, ttlBytes.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
                throw malformed("the TTL is not a number")
            }
            ttl = ttlBytes.reduce(0) { $0 * 10 + Int($1 - 0x30) }
            let classBytes = line[(second + 1)..<third]
            guard classBytes.elementsEqual("IN".utf8) else { throw malformed("class \(String(decoding: classBytes, as: UTF8.self)), not IN") }
            type = line[(third + 1)..<fourth]
            content = line[(fourth + 1)..<line.endIndex]
            guard !name.isEmpty, !type.isEmpty else { throw malformed("an empty name or type") }
        }
    }
}
