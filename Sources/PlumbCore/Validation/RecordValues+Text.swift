import PlumbDNS

/// The types whose values are, or hold, character-strings: TXT, SPF, CAA, URI, NAPTR.
extension RecordValues {
    /// The most text one TXT or SPF record holds: 65,535 bytes of RDATA, one length byte
    /// per 255-byte character-string.
    static let maxTextBytes = 65_280

    /// TXT and SPF are written unquoted (SPEC §3); any byte is text, an empty value is
    /// one empty character-string (RFC 1035 allows it).
    static func text(_ value: String, type: RecordType) -> Result<String, Failure> {
        guard value.utf8.count <= maxTextBytes else {
            return .failure(
                .invalid(
                    "\(type.rawValue) value of \(value.utf8.count) bytes is too long", hint: "one record holds at most \(maxTextBytes) bytes of text")
            )
        }
        return .success(value)
    }

    /// `FLAGS TAG VALUE` (RFC 8659 §4.1): flags 0-255, a tag of 1-15 ASCII letters and
    /// digits (any tag, not just issue/issuewild/iodef: unknown tags are for CAs to read),
    /// a value quoted or as one unquoted field. Canonical: tag lower-case, value quoted.
    static func caa(_ value: String) -> Result<String, Failure> {
        let hint = "write CAA values as 'FLAGS TAG \"VALUE\"', e.g. '0 issue \"letsencrypt.org\"' (flags 0-255, a tag of letters and digits)"
        guard let tokens = PresentationTokens.split(value), tokens.count == 3, !tokens[0].quoted, !tokens[1].quoted,
            let flags = UInt8(tokens[0].text)
        else {
            return .failure(.invalid("'\(value)' is not a CAA value", hint: hint))
        }
        let tag = tokens[1].text
        guard (1...15).contains(tag.utf8.count), tag.utf8.allSatisfy(isASCIIAlphanumeric) else {
            return .failure(.invalid("CAA tag '\(tag)' is not 1 to 15 letters and digits (RFC 8659)", hint: hint))
        }
        return .success("\(flags) \(tag.lowercased()) \"\(tokens[2].text)\"")
    }

    /// `PRIORITY WEIGHT "TARGET"` (RFC 7553): the target is a non-empty URI in quotes.
    static func uri(_ value: String) -> Result<String, Failure> {
        let hint = "write URI values as 'PRIORITY WEIGHT \"TARGET\"', e.g. '10 1 \"https://example.com/\"'"
        guard let tokens = PresentationTokens.split(value), tokens.count == 3,
            let priority = UInt16(tokens[0].text), let weight = UInt16(tokens[1].text), !tokens[2].text.isEmpty
        else {
            return .failure(.invalid("'\(value)' is not a URI value", hint: hint))
        }
        return .success("\(priority) \(weight) \"\(tokens[2].text)\"")
    }

    /// `ORDER PREFERENCE "FLAGS" "SERVICES" "REGEXP" REPLACEMENT` (RFC 3403 §4.1); the
    /// three strings may be empty, the replacement is a name or ".".
    static func naptr(_ value: String) -> Result<String, Failure> {
        let hint =
            "write NAPTR values as 'ORDER PREFERENCE \"FLAGS\" \"SERVICES\" \"REGEXP\" REPLACEMENT.', e.g. '100 10 \"u\" \"E2U+sip\" \"!^.*$!sip:info@example.com!\" .'"
        guard let tokens = PresentationTokens.split(value), tokens.count == 6,
            let order = UInt16(tokens[0].text), let preference = UInt16(tokens[1].text)
        else {
            return .failure(.invalid("'\(value)' is not a NAPTR value", hint: hint))
        }
        let strings = tokens[2...4].map { "\"\($0.text)\"" }.joined(separator: " ")
        return hostName(String(tokens[5].text), what: "NAPTR replacement", allowRoot: true)
            .map { "\(order) \(preference) \(strings) \($0)" }
    }

    static func isASCIIAlphanumeric(_ byte: UInt8) -> Bool {
        (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
    }
}
