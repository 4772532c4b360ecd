/// DNS record types Plumb models. Records of other types are left alone (SPEC §3).
public enum RecordType: String, Codable, Sendable, CaseIterable, Comparable {
    case A, AAAA, CNAME, MX, TXT, SRV, NS, CAA, PTR
    // SPEC §8.5: the types real zones hold beyond the common ones.
    case DS, TLSA, SSHFP, NAPTR, LOC, HTTPS, SVCB, DNAME, URI, SPF

    public static func < (lhs: RecordType, rhs: RecordType) -> Bool { lhs.rawValue < rhs.rawValue }

    /// TXT and SPF: values written unquoted (SPEC §3), sent as quoted character-strings.
    public var isText: Bool { self == .TXT || self == .SPF }
}

/// A DNS zone. The zone's identity is its address; it has no attributes Plumb manages:
/// its SOA and apex NS belong to the provider.
public struct ZoneSpec: Hashable, Sendable, Codable {
    public init() {}
}

/// One record set: every value of one type at one name.
///
/// `values` are kept in canonical presentation form and sorted, so record sets compare as
/// sets with `==`.
public struct RecordSpec: Hashable, Sendable, Codable {
    public var ttl: Int
    public var values: [String]

    public init(ttl: Int, values: [String]) {
        self.ttl = ttl
        self.values = Array(Set(values)).sorted()
    }
}

/// Name helpers shared by the loader and providers.
public enum DNSName {
    /// The fully qualified name of `relative` ("@", "www", "*.dev") inside `zone`.
    public static func absolute(_ relative: String, zone: String) -> String {
        relative == "@" ? zone : "\(relative).\(zone)"
    }

    /// The name relative to `zone` ("@" for the apex); nil when outside the zone.
    public static func relative(_ absolute: String, zone: String) -> String? {
        let name = absolute.lowercasedIfNeeded()
        let zone = zone.lowercasedIfNeeded()
        if name == zone { return "@" }
        // On UTF-8 bytes: a describe maps every rrset of a zone through here, and
        // `String.count` and `hasSuffix` walk grapheme clusters.
        let nameBytes = name.utf8
        let zoneBytes = zone.utf8
        let prefixCount = nameBytes.count - zoneBytes.count - 1
        guard prefixCount > 0, nameBytes.suffix(zoneBytes.count).elementsEqual(zoneBytes),
            nameBytes[nameBytes.index(nameBytes.startIndex, offsetBy: prefixCount)] == UInt8(ascii: ".")
        else { return nil }
        return String(decoding: nameBytes.prefix(prefixCount), as: UTF8.self)
    }
}

extension String {
    /// `lowercased()`, without copying a string that has no upper-case letters (most names
    /// a describe reads).
    public func lowercasedIfNeeded() -> String {
        utf8.contains { (0x41...0x5A).contains($0) || $0 >= 0x80 } ? lowercased() : self
    }
}
