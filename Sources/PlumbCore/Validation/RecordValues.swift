import Foundation

/// Per-type syntax of DNS record values (SPEC §3), and their canonical form.
///
/// Canonical forms are what providers report back, so desired and live compare equal:
/// host names lower-cased with their trailing dot, IPv6 compressed, CAA values quoted.
public enum RecordValues {
    public enum Failure: Error, Equatable {
        case invalid(String, hint: String)
    }

    public static func canonical(_ value: String, type: RecordType) -> Result<String, Failure> {
        // Most values have nothing to trim; Foundation's trimming bridges every string.
        let value = hasNoOuterSpace(value) ? value : value.trimmingCharacters(in: .whitespaces)
        switch type {
        case .A:
            guard let address = IPv4CIDR.parseAddress(value) else {
                return .failure(.invalid("'\(value)' is not an IPv4 address", hint: "write A values as 192.0.2.10"))
            }
            return .success(IPv4CIDR.format(address))
        case .AAAA:
            guard let canonical = IPv6.canonical(value) else {
                return .failure(.invalid("'\(value)' is not an IPv6 address", hint: "write AAAA values as 2001:db8::10"))
            }
            return .success(canonical)
        case .CNAME, .NS, .PTR:
            return hostName(value, what: "\(type.rawValue) target")
        case .MX:
            let parts = value.split(separator: " ", omittingEmptySubsequences: true)
            guard parts.count == 2, let preference = UInt16(parts[0]) else {
                return .failure(.invalid("'\(value)' is not an MX value", hint: "write MX values as \"PREFERENCE HOST.\", e.g. \"10 mail.example.com.\""))
            }
            return hostName(String(parts[1]), what: "MX host", allowRoot: true).map { "\(preference) \($0)" }
        case .SRV:
            let parts = value.split(separator: " ", omittingEmptySubsequences: true)
            guard parts.count == 4, let priority = UInt16(parts[0]), let weight = UInt16(parts[1]),
                  let port = UInt16(parts[2])
            else {
                return .failure(.invalid("'\(value)' is not an SRV value", hint: "write SRV values as \"PRIORITY WEIGHT PORT HOST.\", e.g. \"10 5 5060 sip.example.com.\""))
            }
            return hostName(String(parts[3]), what: "SRV target", allowRoot: true)
                .map { "\(priority) \(weight) \(port) \($0)" }
        case .CAA:
            return caa(value)
        case .TXT:
            guard !value.isEmpty else {
                return .failure(.invalid("empty TXT value", hint: "remove it or give it text"))
            }
            guard value.utf8.count <= 4000 else {
                return .failure(.invalid("TXT value of \(value.utf8.count) bytes is too long", hint: "keep TXT values under 4000 bytes"))
            }
            return .success(value)
        }
    }

    /// Whether the first and last characters are not white space, on bytes when they are
    /// ASCII (`Character` properties are slow for something checked on every value).
    static func hasNoOuterSpace(_ value: String) -> Bool {
        guard let first = value.utf8.first, let last = value.utf8.last else { return false }
        if first < 0x80, last < 0x80 {
            let space = { (byte: UInt8) in byte == 0x20 || (0x09...0x0D).contains(byte) }
            return !space(first) && !space(last)
        }
        return value.first?.isWhitespace == false && value.last?.isWhitespace == false
    }

    static func hostName(_ value: String, what: String, allowRoot: Bool = false) -> Result<String, Failure> {
        if allowRoot, value == "." { return .success(".") }
        guard value.hasSuffix(".") else {
            return .failure(.invalid("\(what) '\(value)' is not fully qualified", hint: "end it with a dot: '\(value).'"))
        }
        let name = value.lowercasedIfNeeded()
        guard DNSLabel.isValidName(name.utf8.dropLast()) else {
            return .failure(.invalid("\(what) '\(value)' is not a valid host name", hint: "use letters, digits, '-' and '_' in labels of at most 63 characters"))
        }
        return .success(name)
    }

    static func caa(_ value: String) -> Result<String, Failure> {
        let hint = "write CAA values as 'FLAGS TAG \"VALUE\"', e.g. '0 issue \"letsencrypt.org\"'"
        let parts = value.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: true)
        guard parts.count == 3, let flags = UInt8(parts[0]) else {
            return .failure(.invalid("'\(value)' is not a CAA value", hint: hint))
        }
        let tag = parts[1].lowercased()
        guard ["issue", "issuewild", "iodef"].contains(tag) else {
            return .failure(.invalid("CAA tag '\(parts[1])' is not issue, issuewild or iodef", hint: hint))
        }
        var content = String(parts[2])
        if content.hasPrefix("\""), content.hasSuffix("\""), content.count >= 2 {
            content = String(content.dropFirst().dropLast())
        } else {
            return .failure(.invalid("CAA value '\(content)' must be in double quotes", hint: hint))
        }
        return .success("\(flags) \(tag) \"\(content)\"")
    }
}

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
