extension DocumentLoader {
    static let probeKeys = ["dns", "http", "tcp", "command", "prometheus"]

    mutating func loadChecks(_ node: YAMLNode) {
        for (name, node, location) in namedEntries(node, "checks") {
            guard let fields = reader.mapping(node, "check \(name)", allowed: ["after", "timeout", "env"] + Self.measureKeys + Self.probeKeys) else {
                continue
            }
            let probes = fields.filter { Self.probeKeys.contains($0.key) }
            guard probes.count == 1, let probeEntry = probes.first else {
                reader.error(
                    .missingKey, node, "check \(name) needs exactly one of dns, http, tcp, command, prometheus",
                    hint: probes.isEmpty ? "add one probe" : "split it into several checks")
                continue
            }
            var after = ["*"]
            var timeout = Duration.seconds(10)
            var env: [String] = []
            for field in fields {
                if field.key == "env", let names = reader.strings(field.value, "env") {
                    for (variable, node) in names where !Self.isVariableName(variable) {
                        reader.error(.invalidValue, node, "check \(name): '\(variable)' is not an environment variable name")
                    }
                    env = names.map(\.0)
                }
                if field.key == "after", let globs = reader.strings(field.value, "after") {
                    after = globs.map(\.0)
                }
                if field.key == "timeout" {
                    guard let text = reader.scalar(field.value, "timeout"), let value = Self.duration(text) else {
                        reader.error(.invalidValue, field.value, "check \(name): timeout must be a duration such as 500ms, 5s or 2m")
                        continue
                    }
                    timeout = value
                }
            }
            guard let probe = self.probe(probeEntry, check: name), let measure = self.measure(fields, check: name, probe: probe) else { continue }
            declarations.checks.append(
                Check(name: name, after: after, probe: probe, timeout: timeout, measure: measure, env: env, location: location))
        }
    }

    private func probe(_ entry: YAMLEntry, check: String) -> Check.Probe? {
        let what = "check \(check) \(entry.key)"
        switch entry.key {
        case "command":
            guard let argv = reader.strings(entry.value, "command"), !argv.isEmpty else { return nil }
            return .command(argv.map(\.0))
        case "tcp":
            guard let fields = reader.mapping(entry.value, what, allowed: ["host", "port"]),
                let hostNode = required(fields, "host", in: entry.value, what: what),
                let host = reader.string(hostNode, "host"),
                let portNode = required(fields, "port", in: entry.value, what: what),
                let port = reader.int(portNode, "port", range: 1...65535)
            else { return nil }
            return .tcp(host: host, port: port)
        case "http":
            guard let fields = reader.mapping(entry.value, what, allowed: ["url", "status", "contains"]),
                let urlNode = required(fields, "url", in: entry.value, what: what),
                let url = reader.string(urlNode, "url")
            else { return nil }
            guard url.hasPrefix("http://") || url.hasPrefix("https://") else {
                reader.error(.invalidValue, urlNode, "\(what): '\(url)' is not an http:// or https:// URL")
                return nil
            }
            var status = 200
            var contains: String?
            for field in fields {
                if field.key == "status" { status = reader.int(field.value, "status", range: 100...599) ?? status }
                if field.key == "contains" { contains = reader.scalar(field.value, "contains") }
            }
            return .http(url: url, status: status, contains: contains)
        case "prometheus":
            return prometheusProbe(entry, what: what)
        default:
            return dnsProbe(entry, what: what)
        }
    }

    private func dnsProbe(_ entry: YAMLEntry, what: String) -> Check.Probe? {
        guard let fields = reader.mapping(entry.value, what, allowed: ["name", "type", "server", "expect"]),
            let nameNode = required(fields, "name", in: entry.value, what: what),
            let name = reader.string(nameNode, "name"),
            let serverNode = required(fields, "server", in: entry.value, what: what),
            let server = reader.string(serverNode, "server"),
            let expectNode = required(fields, "expect", in: entry.value, what: what),
            let expect = reader.strings(expectNode, "expect")
        else { return nil }
        var type = RecordType.A
        if let typeNode = fields.first(where: { $0.key == "type" })?.value, let text = reader.string(typeNode, "type") {
            guard let parsed = RecordType(rawValue: text.uppercased()) else {
                reader.error(.invalidValue, typeNode, "\(what): record type '\(text)' is not supported")
                return nil
            }
            type = parsed
        }
        guard name.hasSuffix(".") else {
            reader.error(.invalidValue, nameNode, "\(what): name '\(name)' is not fully qualified", hint: "end it with a dot: '\(name).'")
            return nil
        }
        var values: [String] = []
        for (value, node) in expect {
            switch RecordValues.canonical(value, type: type) {
            case .success(let text): values.append(text)
            case .failure(.invalid(let message, let hint)):
                reader.error(.invalidValue, node, "\(what) expect: \(message)", hint: hint)
                return nil
            }
        }
        return .dns(name: name.lowercased(), type: type, server: server, expect: values.sorted())
    }

    static func isVariableName(_ text: String) -> Bool {
        guard let first = text.first, first.isLetter || first == "_" else { return false }
        return text.allSatisfy { ($0.isASCII && ($0.isLetter || $0.isNumber)) || $0 == "_" }
    }

    /// `500ms`, `5s`, `2m`, `1h`, or bare seconds.
    static func duration(_ text: String) -> Duration? {
        DurationText.parse(text, bareSeconds: true)
    }
}
