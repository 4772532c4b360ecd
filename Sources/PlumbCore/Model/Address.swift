/// The identity of a resource: `dns.record/example.com./www/A`, `net.vpc/main`.
///
/// Addresses are what plans, drift reports, `after:` globs and `--target` speak of, so their
/// string form is part of the contract (SPEC §3 "Addresses").
public struct Address: Hashable, Comparable, Sendable, CustomStringConvertible, Codable {
    public let kind: ResourceKind
    public let name: String

    public init(kind: ResourceKind, name: String) {
        self.kind = kind
        self.name = name
    }

    public static func zone(_ zone: String) -> Address { Address(kind: .zone, name: zone) }

    public static func record(zone: String, name: String, type: RecordType) -> Address {
        Address(kind: .record, name: "\(zone)/\(name)/\(type.rawValue)")
    }

    /// Parses `KIND/NAME`; nil when the kind is unknown or the name empty.
    public init?(_ string: String) {
        guard let slash = string.firstIndex(of: "/") else { return nil }
        guard let kind = ResourceKind(rawValue: String(string[..<slash])) else { return nil }
        let name = String(string[string.index(after: slash)...])
        guard !name.isEmpty else { return nil }
        if kind == .record {
            // ZONE/NAME/TYPE: exactly two slashes and a known type (checked without splitting:
            // prior state decodes every managed address through here).
            guard name.utf8.reduce(0, { $0 + ($1 == UInt8(ascii: "/") ? 1 : 0) }) == 2,
                let last = name.lastIndex(of: "/"),
                RecordType(rawValue: String(name[name.index(after: last)...])) != nil
            else { return nil }
        }
        self.init(kind: kind, name: name)
    }

    public var description: String { "\(kind.rawValue)/\(name)" }

    /// For `dns.record` addresses: the zone, the relative name and the type.
    public var recordParts: (zone: String, name: String, type: RecordType)? {
        guard kind == .record, let (first, last) = slashes else { return nil }
        guard let type = RecordType(rawValue: String(name[name.index(after: last)...])) else { return nil }
        return (String(name[..<first]), String(name[name.index(after: first)..<last]), type)
    }

    /// For `dns.record` addresses: `ZONE/NAME` without the type, the owner several
    /// record types share.
    var ownerName: Substring? {
        guard kind == .record, let (_, last) = slashes else { return nil }
        return name[..<last]
    }

    /// The first and last slash of a record address's name, when it has exactly two.
    private var slashes: (String.Index, String.Index)? {
        let slash = UInt8(ascii: "/")
        guard let first = name.utf8.firstIndex(of: slash), let last = name.utf8.lastIndex(of: slash), first != last,
            name.utf8[name.utf8.index(after: first)..<last].firstIndex(of: slash) == nil
        else { return nil }
        return (first, last)
    }

    /// The zone a DNS address belongs to.
    public var zoneName: String? {
        switch kind {
        case .zone: return name
        case .record: return recordParts?.zone
        default: return nil
        }
    }

    public static func < (lhs: Address, rhs: Address) -> Bool {
        if lhs.kind != rhs.kind { return lhs.kind < rhs.kind }
        return lhs.name < rhs.name
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let string = try container.decode(String.self)
        guard let address = Address(string) else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "'\(string)' is not a resource address")
        }
        self = address
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
