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
        // TXT and SPF keep every byte (leading and trailing spaces are text); other types'
        // presentation forms never start or end with space. Most values have nothing to
        // trim; Foundation's trimming bridges every string.
        if type == .TXT || type == .SPF { return text(value, type: type) }
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
        case .CNAME, .NS, .PTR, .DNAME:
            // "." is a valid target in presentation format (the ISC example zone has a
            // CNAME and a DNAME to the root); servers hold and serve it.
            return hostName(value, what: "\(type.rawValue) target", allowRoot: true)
        case .MX:
            let parts = value.split(separator: " ", omittingEmptySubsequences: true)
            guard parts.count == 2, let preference = UInt16(parts[0]) else {
                return .failure(
                    .invalid(
                        "'\(value)' is not an MX value",
                        hint: "write MX values as \"PREFERENCE HOST.\", e.g. \"10 mail.example.com.\" (\"0 .\" is a null MX)"))
            }
            return hostName(String(parts[1]), what: "MX host", allowRoot: true).map { "\(preference) \($0)" }
        case .SRV:
            let parts = value.split(separator: " ", omittingEmptySubsequences: true)
            guard parts.count == 4, let priority = UInt16(parts[0]), let weight = UInt16(parts[1]),
                let port = UInt16(parts[2])
            else {
                return .failure(
                    .invalid(
                        "'\(value)' is not an SRV value",
                        hint: "write SRV values as \"PRIORITY WEIGHT PORT HOST.\", e.g. \"10 5 5060 sip.example.com.\" (\"0 0 0 .\": no service)"))
            }
            return hostName(String(parts[3]), what: "SRV target", allowRoot: true)
                .map { "\(priority) \(weight) \(port) \($0)" }
        case .CAA:
            return caa(value)
        case .DS, .TLSA, .SSHFP:
            return digest(value, type: type)
        case .NAPTR:
            return naptr(value)
        case .URI:
            return uri(value)
        case .LOC:
            return loc(value)
        case .SVCB, .HTTPS:
            return svcb(value, type: type)
        case .TXT, .SPF:
            return text(value, type: type)
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
            return .failure(
                .invalid("\(what) '\(value)' is not a valid host name", hint: "use letters, digits, '-' and '_' in labels of at most 63 characters"))
        }
        return .success(name)
    }
}
