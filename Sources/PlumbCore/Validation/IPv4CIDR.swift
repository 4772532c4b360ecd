/// An IPv4 network such as `10.0.1.0/24`, for containment and overlap checks.
public struct IPv4CIDR: Hashable, Sendable, CustomStringConvertible {
    public let network: UInt32
    public let prefix: Int

    /// Parses `A.B.C.D/N`. The address must be the network address itself (`10.0.1.5/24` is
    /// refused: providers reject it and users almost always mean `10.0.1.0/24`).
    public init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let prefix = Int(parts[1]), (0...32).contains(prefix),
            let address = IPv4CIDR.parseAddress(String(parts[0]))
        else { return nil }
        let mask: UInt32 = prefix == 0 ? 0 : ~UInt32(0) << UInt32(32 - prefix)
        guard address & mask == address else { return nil }
        self.network = address
        self.prefix = prefix
    }

    public var mask: UInt32 { prefix == 0 ? 0 : ~UInt32(0) << UInt32(32 - prefix) }
    public var last: UInt32 { network | ~mask }

    public func contains(_ other: IPv4CIDR) -> Bool {
        other.prefix >= prefix && other.network & mask == network
    }

    public func overlaps(_ other: IPv4CIDR) -> Bool {
        network <= other.last && other.network <= last
    }

    public var description: String {
        "\(IPv4CIDR.format(network))/\(prefix)"
    }

    /// Parses a dotted quad with no leading zeros; nil otherwise.
    public static func parseAddress(_ text: String) -> UInt32? {
        let octets = text.split(separator: ".", omittingEmptySubsequences: false)
        guard octets.count == 4 else { return nil }
        var value: UInt32 = 0
        for octet in octets {
            guard !octet.isEmpty, octet.count <= 3, octet.allSatisfy(\.isASCII),
                octet.allSatisfy(\.isNumber), let number = UInt32(octet), number <= 255,
                octet == "0" || !octet.hasPrefix("0")
            else { return nil }
            value = value << 8 | number
        }
        return value
    }

    public static func format(_ address: UInt32) -> String {
        "\(address >> 24).\(address >> 16 & 255).\(address >> 8 & 255).\(address & 255)"
    }

    /// The reason `text` is not a usable CIDR, for messages.
    public static func problem(_ text: String) -> String {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2 else { return "'\(text)' is not a CIDR (expected A.B.C.D/N)" }
        guard let address = parseAddress(String(parts[0])) else {
            return "'\(parts[0])' in '\(text)' is not an IPv4 address"
        }
        guard let prefix = Int(parts[1]), (0...32).contains(prefix) else {
            return "'/\(parts[1])' in '\(text)' is not a prefix length from 0 to 32"
        }
        let mask: UInt32 = prefix == 0 ? 0 : ~UInt32(0) << UInt32(32 - prefix)
        return "'\(text)' has host bits set; the network is \(format(address & mask))/\(prefix)"
    }
}
