/// DS, TLSA and SSHFP: small numbers, then hex data (RFC 4034 §5.3, RFC 6698 §2.2,
/// RFC 4255 §3.2). Servers print the hex in either case and may split it with spaces;
/// canonical is lower-case in one piece, as PowerDNS returns it.
extension RecordValues {
    static func digest(_ value: String, type: RecordType) -> Result<String, Failure> {
        let (fields, example): ([String], String) =
            switch type {
            case .DS: (["KEYTAG", "ALGORITHM", "DIGESTTYPE"], "60485 13 2 d4b7d520e7bb5f0f67674a0cceb1e3e0614b93c4f9e99b8383f6a1e4469da50a")
            case .TLSA: (["USAGE", "SELECTOR", "MATCHINGTYPE"], "3 1 1 0c72ac70b745ac19998811b131d662c9ac69dbdbe7cb23e5b514b56664c5d3d6")
            default: (["ALGORITHM", "FPTYPE"], "4 2 123456789abcdef67890123456789abcdef67890123456789abcdef123456789")
            }
        let hint = "write \(type.rawValue) values as '\(fields.joined(separator: " ")) HEX', e.g. '\(example)'"
        let parts = value.split(whereSeparator: { $0 == " " || $0 == "\t" })
        guard parts.count > fields.count else {
            return .failure(.invalid("'\(value)' is not a \(type.rawValue) value", hint: hint))
        }
        var numbers: [String] = []
        for (index, part) in parts.prefix(fields.count).enumerated() {
            // The key tag is 16 bits; every other field is 8.
            let valid = type == .DS && index == 0 ? UInt16(part) != nil : UInt8(part) != nil
            guard valid else {
                return .failure(.invalid("\(type.rawValue) \(fields[index].lowercased()) '\(part)' is out of range", hint: hint))
            }
            numbers.append(String(Int(part) ?? 0))
        }
        let hex = parts.dropFirst(fields.count).joined().lowercased()
        guard hex.utf8.count % 2 == 0, hex.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }) else {
            return .failure(.invalid("\(type.rawValue) data '\(hex.prefix(80))' is not an even number of hex digits", hint: hint))
        }
        return .success((numbers + [hex]).joined(separator: " "))
    }
}
