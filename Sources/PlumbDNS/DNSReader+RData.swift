import Foundation

/// RDATA in presentation form, for every type Plumb models. TXT and SPF come back as the
/// text itself (their strings concatenated, unquoted), the form Plumb keeps them in.
extension DNSReader {
    mutating func rdata(type: UInt16, end: Int) throws(DNSError) -> String {
        switch DNSRecordType(code: type) {
        case .a:
            return try bytes(4).map(String.init).joined(separator: ".")
        case .aaaa:
            return IPv6Text.canonical(Array(try bytes(16)))
        case .cname, .ns, .ptr, .dname:
            return try boundedName(end: end)
        case .mx:
            let preference = try uint16()
            return "\(preference) \(try boundedName(end: end))"
        case .srv:
            let (priority, weight, port) = (try uint16(), try uint16(), try uint16())
            return "\(priority) \(weight) \(port) \(try boundedName(end: end))"
        case .txt, .spf:
            var text: [UInt8] = []
            while offset < end {
                let count = Int(try uint8())
                guard offset + count <= end else { throw Self.malformed("TXT string runs past its RDATA") }
                text += try bytes(count)
            }
            return String(decoding: text, as: UTF8.self)
        case .caa:
            let flags = try uint8()
            let tagLength = Int(try uint8())
            guard tagLength > 0, offset + tagLength <= end else { throw Self.malformed("CAA tag length \(tagLength) invalid") }
            let tag = String(decoding: try bytes(tagLength), as: UTF8.self)
            var value = String(decoding: try bytes(end - offset), as: UTF8.self)
            value = value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            return "\(flags) \(tag) \"\(value)\""
        case .soa:
            let (primary, mailbox) = (try boundedName(end: end), try boundedName(end: end))
            let numbers = try (0..<5).map { _ throws(DNSError) in String(try uint32()) }
            return ([primary, mailbox] + numbers).joined(separator: " ")
        case .ds:
            let (tag, algorithm, digestType) = (try uint16(), try uint8(), try uint8())
            return "\(tag) \(algorithm) \(digestType) \(try hexRest(end))"
        case .tlsa:
            let (usage, selector, matching) = (try uint8(), try uint8(), try uint8())
            return "\(usage) \(selector) \(matching) \(try hexRest(end))"
        case .sshfp:
            let (algorithm, fingerprintType) = (try uint8(), try uint8())
            return "\(algorithm) \(fingerprintType) \(try hexRest(end))"
        case .naptr:
            let (order, preference) = (try uint16(), try uint16())
            let strings = try (0..<3).map { _ throws(DNSError) in try characterString(end: end) }
            return "\(order) \(preference) \(strings.joined(separator: " ")) \(try boundedName(end: end))"
        case .uri:
            let (priority, weight) = (try uint16(), try uint16())
            return "\(priority) \(weight) \(Self.quoted(try bytes(end - offset)))"
        case .loc:
            guard let location = DNSLocation(wire: try bytes(end - offset)) else { throw Self.malformed("LOC RDATA is not version 0 of 16 bytes") }
            return location.text
        case .svcb, .https:
            return try serviceBinding(end: end)
        case nil:
            // RFC 3597 generic form, so unknown types still compare as text.
            let data = try bytes(end - offset)
            return "\\# \(data.count)" + (data.isEmpty ? "" : " " + data.map(Self.hex).joined())
        }
    }

    private mutating func hexRest(_ end: Int) throws(DNSError) -> String {
        try bytes(end - offset).map(Self.hex).joined()
    }

    /// One length-prefixed character-string, quoted.
    private mutating func characterString(end: Int) throws(DNSError) -> String {
        let count = Int(try uint8())
        guard offset + count <= end else { throw Self.malformed("character-string runs past its RDATA") }
        return Self.quoted(try bytes(count))
    }

    /// `"text"` with `"` and `\` escaped and control bytes as `\DDD` (RFC 1035 §5.1).
    static func quoted(_ bytes: ArraySlice<UInt8>) -> String {
        "\"" + escaped(bytes, also: []) + "\""
    }

    static func escaped(_ bytes: ArraySlice<UInt8>, also special: Set<UInt8>) -> String {
        var out: [UInt8] = []
        for byte in bytes {
            if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || special.contains(byte) {
                out += [UInt8(ascii: "\\"), byte]
            } else if byte < 0x20 || byte == 0x7F {
                let digits = String(byte)
                out += Array(("\\" + String(repeating: "0", count: 3 - digits.count) + digits).utf8)
            } else {
                out.append(byte)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// SVCB/HTTPS (RFC 9460 §2.2): priority, target, then key-sorted parameters.
    private mutating func serviceBinding(end: Int) throws(DNSError) -> String {
        let priority = try uint16()
        var parts = [String(priority), try boundedName(end: end)]
        while offset < end {
            let (key, length) = (Int(try uint16()), Int(try uint16()))
            guard offset + length <= end else { throw Self.malformed("SVCB parameter runs past its RDATA") }
            let value = try bytes(length)
            let name = SVCBKeys.name(key)
            switch key {
            case 0:
                let keys = stride(from: value.startIndex, to: value.endIndex - 1, by: 2).map { Int(value[$0]) << 8 | Int(value[$0 + 1]) }
                parts.append("\(name)=" + keys.map(SVCBKeys.name).joined(separator: ","))
            case 1:
                var ids: [String] = []
                var index = value.startIndex
                while index < value.endIndex {
                    let count = Int(value[index])
                    guard index + 1 + count <= value.endIndex else { throw Self.malformed("alpn id runs past its parameter") }
                    // A comma inside an id is escaped twice: once for the list, once for the string.
                    ids.append(Self.escaped(value[(index + 1)..<(index + 1 + count)], also: []).replacingOccurrences(of: ",", with: "\\\\,"))
                    index += 1 + count
                }
                parts.append("\(name)=" + ids.joined(separator: ","))
            case 2 where value.isEmpty, 8 where value.isEmpty:
                parts.append(name)
            case 3 where value.count == 2:
                parts.append("\(name)=\(Int(value[value.startIndex]) << 8 | Int(value[value.startIndex + 1]))")
            case 4 where value.count % 4 == 0:
                let addresses = stride(from: value.startIndex, to: value.endIndex, by: 4).map {
                    value[$0..<$0 + 4].map(String.init).joined(separator: ".")
                }
                parts.append("\(name)=" + addresses.joined(separator: ","))
            case 5:
                parts.append("\(name)=" + Data(value).base64EncodedString())
            case 6 where value.count % 16 == 0:
                let addresses = stride(from: value.startIndex, to: value.endIndex, by: 16).map { IPv6Text.canonical(Array(value[$0..<$0 + 16])) }
                parts.append("\(name)=" + addresses.joined(separator: ","))
            default:
                let text = Self.escaped(value, also: [])
                parts.append(value.isEmpty ? name : text.contains(" ") ? "\(name)=\"\(text)\"" : "\(name)=\(text)")
            }
        }
        return parts.joined(separator: " ")
    }
}
