/// SVCB and HTTPS parameter keys (RFC 9460 §14.3.2 and the IANA registry): presentation
/// names for the numbers the wire format carries.
public enum SVCBKeys {
    public static let names = ["mandatory", "alpn", "no-default-alpn", "port", "ipv4hint", "ech", "ipv6hint", "dohpath", "ohttp"]

    /// The key number of `name` (`alpn`, `key1`); nil when it is neither.
    public static func number(_ name: Substring) -> Int? {
        let lower = name.lowercased()
        if let index = names.firstIndex(of: lower) { return index }
        let digits = lower.dropFirst(3)
        guard lower.hasPrefix("key"), !digits.isEmpty, digits.utf8.allSatisfy({ (0x30...0x39).contains($0) }),
            let number = Int(digits), number <= 65535
        else { return nil }
        return number
    }

    /// RFC 9460's own keys by name, every later one as `keyNNNNN`: PowerDNS 4.7 refuses
    /// `dohpath` and `ohttp` by name but takes `key7` and `key8`, and every server reads those.
    public static func name(_ key: Int) -> String {
        key < namedKeys ? names[key] : "key\(key)"
    }

    static let namedKeys = 7
}
