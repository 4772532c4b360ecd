import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// SVCB and HTTPS parameters to wire form (RFC 9460 §2.2), sorted by key.
extension DNSRData {
    static func serviceBinding(_ value: String, _ invalid: DNSError) throws(DNSError) -> [UInt8] {
        guard let tokens = PresentationTokens.split(value), tokens.count >= 2, let priority = UInt16(tokens[0].text) else { throw invalid }
        var bytes: [UInt8] = []
        bytes.appendUInt16(priority)
        bytes += try DNSMessage.encode(name: String(tokens[1].text))
        var parameters: [(Int, [UInt8])] = []
        for token in tokens.dropFirst(2) {
            let pieces = token.text.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let key = SVCBKeys.number(pieces[0]) else { throw invalid }
            var raw = pieces.count > 1 ? pieces[1] : ""
            if raw.count >= 2, raw.hasPrefix("\""), raw.hasSuffix("\"") { raw = raw.dropFirst().dropLast() }
            parameters.append((key, try parameter(key, raw, invalid)))
        }
        for (key, data) in parameters.sorted(by: { $0.0 < $1.0 }) {
            guard data.count <= 65535 else { throw invalid }
            bytes.appendUInt16(UInt16(key))
            bytes.appendUInt16(UInt16(data.count))
            bytes += data
        }
        return bytes
    }

    private static func parameter(_ key: Int, _ raw: Substring, _ invalid: DNSError) throws(DNSError) -> [UInt8] {
        var bytes: [UInt8] = []
        switch key {
        case 0:
            for name in raw.split(separator: ",") {
                guard let number = SVCBKeys.number(name) else { throw invalid }
                bytes.appendUInt16(UInt16(number))
            }
        case 1:
            // Split on commas not escaped, then unescape each id (`foo\\,bar` is "foo,bar").
            var ids: [[UInt8]] = [[]]
            let input = unescaped(raw)
            var index = 0
            while index < input.count {
                if input[index] == UInt8(ascii: "\\"), index + 1 < input.count {
                    ids[ids.count - 1].append(input[index + 1])
                    index += 2
                } else if input[index] == UInt8(ascii: ",") {
                    ids.append([])
                    index += 1
                } else {
                    ids[ids.count - 1].append(input[index])
                    index += 1
                }
            }
            for id in ids {
                guard !id.isEmpty, id.count <= 255 else { throw invalid }
                bytes += [UInt8(id.count)] + id
            }
        case 3:
            guard let port = UInt16(raw) else { throw invalid }
            bytes.appendUInt16(port)
        case 4:
            for text in raw.split(separator: ",") {
                var address = in_addr()
                guard inet_pton(AF_INET, String(text), &address) == 1 else { throw invalid }
                bytes += withUnsafeBytes(of: &address) { Array($0) }
            }
        case 5:
            guard let data = Data(base64Encoded: String(raw)) else { throw invalid }
            bytes = Array(data)
        case 6:
            for text in raw.split(separator: ",") {
                var address = in6_addr()
                guard inet_pton(AF_INET6, String(text), &address) == 1 else { throw invalid }
                bytes += withUnsafeBytes(of: &address) { Array($0) }
            }
        default:
            bytes = unescaped(raw)
        }
        return bytes
    }
}
