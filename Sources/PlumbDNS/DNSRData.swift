import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// RDATA from presentation form, for every type Plumb models: what the rfc2136 provider
/// writes. Values arrive in Plumb's canonical form (already validated); anything that still
/// does not parse throws rather than writing something else.
public enum DNSRData {
    public static func encode(_ type: DNSRecordType, _ value: String) throws(DNSError) -> [UInt8] {
        let fields = value.split(separator: " ", omittingEmptySubsequences: true)
        let invalid = DNSError(code: .invalidName, message: "'\(value.prefix(120))' is not a \(type.rawValue) value")
        func number<T: FixedWidthInteger>(_ index: Int, _: T.Type) throws(DNSError) -> T {
            guard index < fields.count, let parsed = T(fields[index]) else { throw invalid }
            return parsed
        }
        func name(_ index: Int) throws(DNSError) -> [UInt8] {
            guard index < fields.count else { throw invalid }
            return try DNSMessage.encode(name: String(fields[index]))
        }
        var bytes: [UInt8] = []
        switch type {
        case .a:
            var address = in_addr()
            guard inet_pton(AF_INET, value, &address) == 1 else { throw invalid }
            return withUnsafeBytes(of: &address) { Array($0) }
        case .aaaa:
            var address = in6_addr()
            guard inet_pton(AF_INET6, value, &address) == 1 else { throw invalid }
            return withUnsafeBytes(of: &address) { Array($0) }
        case .cname, .ns, .ptr, .dname:
            return try name(0)
        case .mx:
            bytes.appendUInt16(try number(0, UInt16.self))
            return bytes + (try name(1))
        case .srv:
            for index in 0..<3 { bytes.appendUInt16(try number(index, UInt16.self)) }
            return bytes + (try name(3))
        case .txt, .spf:
            return characterStrings(Array(value.utf8))
        case .caa:
            guard let tokens = PresentationTokens.split(value), tokens.count == 3, let flags = UInt8(tokens[0].text) else { throw invalid }
            let tag = Array(tokens[1].text.utf8)
            return [flags, UInt8(clamping: tag.count)] + tag + unescaped(tokens[2].text)
        case .ds:
            bytes.appendUInt16(try number(0, UInt16.self))
            bytes += [try number(1, UInt8.self), try number(2, UInt8.self)]
            return bytes + (try hex(fields.dropFirst(3), invalid))
        case .tlsa:
            return [try number(0, UInt8.self), try number(1, UInt8.self), try number(2, UInt8.self)] + (try hex(fields.dropFirst(3), invalid))
        case .sshfp:
            return [try number(0, UInt8.self), try number(1, UInt8.self)] + (try hex(fields.dropFirst(2), invalid))
        case .naptr:
            guard let tokens = PresentationTokens.split(value), tokens.count == 6,
                let order = UInt16(tokens[0].text), let preference = UInt16(tokens[1].text)
            else { throw invalid }
            bytes.appendUInt16(order)
            bytes.appendUInt16(preference)
            for token in tokens[2...4] {
                let text = unescaped(token.text)
                guard text.count <= 255 else { throw invalid }
                bytes += [UInt8(text.count)] + text
            }
            return bytes + (try DNSMessage.encode(name: String(tokens[5].text)))
        case .uri:
            guard let tokens = PresentationTokens.split(value), tokens.count == 3,
                let priority = UInt16(tokens[0].text), let weight = UInt16(tokens[1].text)
            else { throw invalid }
            bytes.appendUInt16(priority)
            bytes.appendUInt16(weight)
            return bytes + unescaped(tokens[2].text)
        case .loc:
            guard let location = DNSLocation(value) else { throw invalid }
            return location.wire
        case .svcb, .https:
            return try serviceBinding(value, invalid)
        case .soa:
            throw DNSError(code: .unsupportedType, message: "SOA records belong to the server")
        }
    }

    /// Text as character-strings of at most 255 bytes; an empty text is one empty string.
    static func characterStrings(_ text: [UInt8]) -> [UInt8] {
        guard !text.isEmpty else { return [0] }
        var bytes: [UInt8] = []
        var start = 0
        while start < text.count {
            let end = min(start + 255, text.count)
            bytes.append(UInt8(end - start))
            bytes += text[start..<end]
            start = end
        }
        return bytes
    }

    /// The bytes of a presentation string: `\DDD` is a byte, `\X` is X.
    static func unescaped(_ text: Substring) -> [UInt8] {
        let input = Array(text.utf8)
        var bytes: [UInt8] = []
        var index = 0
        while index < input.count {
            guard input[index] == UInt8(ascii: "\\"), index + 1 < input.count else {
                bytes.append(input[index])
                index += 1
                continue
            }
            let digits = input[(index + 1)..<min(index + 4, input.count)]
            if digits.count == 3, digits.allSatisfy({ (0x30...0x39).contains($0) }),
                let byte = UInt8(String(decoding: digits, as: UTF8.self))
            {
                bytes.append(byte)
                index += 4
            } else {
                bytes.append(input[index + 1])
                index += 2
            }
        }
        return bytes
    }

    static func hex(_ fields: ArraySlice<Substring>, _ invalid: DNSError) throws(DNSError) -> [UInt8] {
        let digits = Array(fields.joined().utf8)
        guard !digits.isEmpty, digits.count % 2 == 0 else { throw invalid }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        for index in stride(from: 0, to: digits.count, by: 2) {
            guard let byte = UInt8(String(decoding: digits[index...index + 1], as: UTF8.self), radix: 16) else { throw invalid }
            bytes.append(byte)
        }
        return bytes
    }
}
