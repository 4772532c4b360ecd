/// An IPv6 network such as `2001:db8::/32`, kept in the canonical text form (RFC 5952:
/// lower case, longest zero run compressed) that EC2 reports, so rules compare as written.
public struct IPv6CIDR: Hashable, Sendable, CustomStringConvertible {
    /// The address as eight 16-bit groups.
    public let groups: [UInt16]
    public let prefix: Int

    /// Parses `ADDRESS/N`. As for IPv4, the address must be the network itself.
    public init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let prefix = Int(parts[1]), (0...128).contains(prefix),
            let groups = IPv6CIDR.parseAddress(String(parts[0])),
            IPv6CIDR.masked(groups, prefix) == groups
        else { return nil }
        self.groups = groups
        self.prefix = prefix
    }

    public var description: String { "\(IPv6CIDR.format(groups))/\(prefix)" }

    /// The network number `index` of length `length` inside this one: a VPC's /56 and a
    /// subnet's /64 number N. Nil when it does not fit (lengths beyond 64 are not needed).
    public func subnet(_ index: Int, length: Int) -> IPv6CIDR? {
        guard length <= 64, length > prefix, index >= 0, index < 1 << (length - prefix) else { return nil }
        let high = groups[0..<4].reduce(UInt64(0)) { $0 << 16 | UInt64($1) } | UInt64(index) << UInt64(64 - length)
        let text = IPv6CIDR.format((0..<4).map { UInt16(truncatingIfNeeded: high >> UInt64(48 - 16 * $0)) } + [0, 0, 0, 0])
        return IPv6CIDR("\(text)/\(length)")
    }

    /// Which network of length `prefix` inside `parent` this one is: the inverse of `subnet`.
    public func index(in parent: IPv6CIDR) -> Int? {
        guard prefix <= 64, prefix > parent.prefix, IPv6CIDR.masked(groups, parent.prefix) == parent.groups else { return nil }
        let high = groups[0..<4].reduce(UInt64(0)) { $0 << 16 | UInt64($1) }
        return Int((high >> UInt64(64 - prefix)) & ((1 << UInt64(prefix - parent.prefix)) - 1))
    }

    /// The reason `text` is not a usable IPv6 CIDR, for messages.
    public static func problem(_ text: String) -> String {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2 else { return "'\(text)' is not a CIDR (expected ADDRESS/N)" }
        guard let groups = parseAddress(String(parts[0])) else { return "'\(parts[0])' in '\(text)' is not an IPv6 address" }
        guard let prefix = Int(parts[1]), (0...128).contains(prefix) else {
            return "'/\(parts[1])' in '\(text)' is not a prefix length from 0 to 128"
        }
        return "'\(text)' has host bits set; the network is \(format(masked(groups, prefix)))/\(prefix)"
    }

    public static func masked(_ groups: [UInt16], _ prefix: Int) -> [UInt16] {
        groups.enumerated().map { index, group in
            let bits = max(0, min(16, prefix - index * 16))
            return bits == 0 ? 0 : group & ~UInt16(0) << UInt16(16 - bits)
        }
    }

    /// Hex groups separated by `:`, at most one `::`; no embedded IPv4 form, no zone index.
    static func parseAddress(_ text: String) -> [UInt16]? {
        guard !text.isEmpty, text.allSatisfy({ $0.isHexDigit || $0 == ":" }) else { return nil }
        let halves = text.components(separatedBy: "::")
        guard halves.count <= 2 else { return nil }
        func groups(_ part: String) -> [UInt16]? {
            if part.isEmpty { return [] }
            var result: [UInt16] = []
            for piece in part.split(separator: ":", omittingEmptySubsequences: false) {
                guard (1...4).contains(piece.count), let value = UInt16(piece, radix: 16) else { return nil }
                result.append(value)
            }
            return result
        }
        guard let head = groups(halves[0]) else { return nil }
        if halves.count == 1 { return head.count == 8 ? head : nil }
        guard let tail = groups(halves[1]), head.count + tail.count <= 7 else { return nil }
        return head + Array(repeating: 0, count: 8 - head.count - tail.count) + tail
    }

    /// RFC 5952: the longest run of two or more zero groups (the first of equals) becomes `::`.
    public static func format(_ groups: [UInt16]) -> String {
        var best: Range<Int>?
        var index = 0
        while index < groups.count {
            guard groups[index] == 0 else {
                index += 1
                continue
            }
            var end = index
            while end < groups.count, groups[end] == 0 { end += 1 }
            if end - index >= 2, end - index > (best?.count ?? 0) { best = index..<end }
            index = end
        }
        let hex = groups.map { String($0, radix: 16) }
        guard let best else { return hex.joined(separator: ":") }
        return hex[..<best.lowerBound].joined(separator: ":") + "::" + hex[best.upperBound...].joined(separator: ":")
    }
}
