import Foundation

/// DNS label and owner-name syntax.
public enum DNSLabel {
    /// Letters, digits, hyphen and underscore (for `_sip._tcp`), 1–63 characters per label,
    /// 253 in all.
    public static func isValidName(_ name: String) -> Bool {
        isValidName(name.utf8[...])
    }

    /// On UTF-8 bytes: the loader checks every record name and host-name value with it.
    static func isValidName(_ name: Substring.UTF8View) -> Bool {
        guard !name.isEmpty, name.count <= 253 else { return false }
        var label = 0
        for byte in name {
            switch byte {
            case UInt8(ascii: "."):
                guard label > 0 else { return false }
                label = 0
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"):
                label += 1
                guard label <= 63 else { return false }
            default:
                return false
            }
        }
        return label > 0
    }

    /// A record's name relative to its zone: `@`, `www`, `*`, `*.dev`, `_sip._tcp`.
    public static func isValidRelativeName(_ name: String) -> Bool {
        if name == "@" || name == "*" { return true }
        return isValidName(name.hasPrefix("*.") ? name.utf8.dropFirst(2) : name.utf8[...])
    }
}

/// IPv6 canonical text (RFC 5952) through the C library.
public enum IPv6 {
    public static func canonical(_ text: String) -> String? {
        var address = in6_addr()
        guard inet_pton(AF_INET6, text, &address) == 1 else { return nil }
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        guard inet_ntop(AF_INET6, &address, &buffer, socklen_t(buffer.count)) != nil else { return nil }
        return String(validating: buffer.prefix { $0 != 0 }, as: UTF8.self)
    }
}
