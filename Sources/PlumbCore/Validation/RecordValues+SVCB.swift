import PlumbDNS

/// SVCB and HTTPS (RFC 9460 §2.1): `PRIORITY TARGET [KEY[=VALUE]]...`.
///
/// Canonical: parameters sorted by key number (the order the wire format requires, and
/// PowerDNS refuses any other), known keys by name (`key1` → `alpn`), values without
/// optional quotes, ports as numbers, address hints in canonical form, mandatory keys sorted.
extension RecordValues {
    static func svcbKey(_ name: Substring) -> Int? { SVCBKeys.number(name) }

    static func svcbKeyName(_ key: Int) -> String { SVCBKeys.name(key) }

    static func svcb(_ value: String, type: RecordType) -> Result<String, Failure> {
        let hint = "write \(type.rawValue) values as 'PRIORITY TARGET KEY=VALUE ...', e.g. '1 . alpn=h2,h3 port=443'"
        guard let tokens = PresentationTokens.split(value), tokens.count >= 2, !tokens[0].quoted,
            let priority = UInt16(tokens[0].text)
        else {
            return .failure(.invalid("'\(value)' is not a \(type.rawValue) value", hint: hint))
        }
        let target: String
        switch hostName(String(tokens[1].text), what: "\(type.rawValue) target", allowRoot: true) {
        case .success(let name): target = name
        case .failure(let failure): return .failure(failure)
        }
        var parameters: [Int: String?] = [:]
        for token in tokens.dropFirst(2) {
            let pieces = token.text.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let key = svcbKey(pieces[0]) else {
                return .failure(.invalid("\(type.rawValue) parameter '\(pieces[0])' is not a known key or keyNNNNN", hint: hint))
            }
            guard parameters[key] == nil else {
                return .failure(.invalid("\(type.rawValue) parameter '\(svcbKeyName(key))' appears twice", hint: hint))
            }
            var raw = pieces.count > 1 ? pieces[1] : nil
            if let text = raw, text.count >= 2, text.hasPrefix("\""), text.hasSuffix("\"") { raw = text.dropFirst().dropLast() }
            switch svcbValue(key: key, raw) {
            case .success(let canonical): parameters[key] = canonical
            case .failure(.invalid(let message, _)): return .failure(.invalid("\(type.rawValue) \(svcbKeyName(key)): \(message)", hint: hint))
            }
        }
        let written = parameters.keys.sorted().map { key in
            parameters[key].flatMap { $0 }.map { "\(svcbKeyName(key))=\($0)" } ?? svcbKeyName(key)
        }
        return .success(([String(priority), target] + written).joined(separator: " "))
    }

    /// One parameter's value in canonical form; nil for a key written without one.
    private static func svcbValue(key: Int, _ raw: Substring?) -> Result<String?, Failure> {
        let needsValue = key != 2 && key != 8  // no-default-alpn and ohttp take none
        guard let raw, !raw.isEmpty else {
            return needsValue && key < SVCBKeys.names.count
                ? .failure(.invalid("needs a value", hint: "")) : .success(raw.map(String.init))
        }
        if !needsValue { return .failure(.invalid("takes no value", hint: "")) }
        let items = raw.split(separator: ",", omittingEmptySubsequences: false)
        switch key {
        case 0:
            var keys: [Int] = []
            for item in items {
                guard let number = svcbKey(item), number != 0, !keys.contains(number) else {
                    return .failure(.invalid("'\(raw)' is not a list of distinct keys", hint: ""))
                }
                keys.append(number)
            }
            return .success(keys.sorted().map(svcbKeyName).joined(separator: ","))
        case 3:
            guard let port = UInt16(raw) else { return .failure(.invalid("'\(raw)' is not a port", hint: "")) }
            return .success(String(port))
        case 4:
            let addresses = items.map { IPv4CIDR.parseAddress(String($0)).map(IPv4CIDR.format) }
            guard addresses.allSatisfy({ $0 != nil }) else { return .failure(.invalid("'\(raw)' is not a list of IPv4 addresses", hint: "")) }
            return .success(addresses.compactMap { $0 }.joined(separator: ","))
        case 6:
            let addresses = items.map { IPv6.canonical(String($0)) }
            guard addresses.allSatisfy({ $0 != nil }) else { return .failure(.invalid("'\(raw)' is not a list of IPv6 addresses", hint: "")) }
            return .success(addresses.compactMap { $0 }.joined(separator: ","))
        case 1:
            // The order is the client's preference.
            guard !raw.contains(" ") else { return .success("\"\(raw)\"") }
            return .success(String(raw))
        default:
            // ech and every keyN are opaque, and quoted: PowerDNS accepts them only in the
            // form it prints, `ech="…"`, `key7="…"`.
            return .success("\"\(raw)\"")
        }
    }
}
