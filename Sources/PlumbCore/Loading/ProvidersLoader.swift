/// Reads `Providers/NAME.yaml` bindings (SPEC §2), interpolating `${VAR}` references.
enum ProvidersLoader {
    static let commonKeys = ["kind", "rate_limit", "concurrency", "timeout"]
    static let keysByType: [ProviderType: [String]] = [
        .powerdns: ["url", "api_key", "server", "nameservers"],
        .aws: ["region", "endpoint", "iam_path"],
        .embedded: ["path", "prefix_lists"],
        .rfc2136: ["server", "tsig", "zones"],
    ]
    static let requiredKeys: [ProviderType: [String]] = [
        .powerdns: ["url", "api_key"], .aws: ["region"],
        .rfc2136: ["server", "tsig.name", "tsig.algorithm", "tsig.secret", "zones"],
    ]

    static func load(
        file: String, name: String, text: String, environment: [String: String],
        into bag: inout DiagnosticBag
    ) -> ProviderBinding? {
        let reader = YAMLReader(file: file)
        defer { bag.append(contentsOf: reader.diagnostics.items) }
        guard let root = reader.documents(text).first else {
            // A file Yams could not read has said so at its position: not empty, just broken.
            guard reader.diagnostics.items.isEmpty else { return nil }
            reader.error(
                .missingKey, at: SourceLocation(file: file, line: 1, column: 1), "provider binding '\(name)' is empty", hint: "set at least 'kind:'")
            return nil
        }
        guard case .mapping(let pairs, _) = root else {
            reader.error(.wrongType, root, "a provider binding must be a mapping")
            return nil
        }
        guard let kindNode = pairs.first(where: { $0.key.scalar?.text == "kind" })?.value, let kindText = reader.string(kindNode, "kind") else {
            reader.error(.missingKey, root, "provider binding '\(name)' has no 'kind:'", hint: "add kind: powerdns, aws, rfc2136 or embedded")
            return nil
        }
        guard let type = ProviderType(rawValue: kindText) else {
            let hint = Suggestion.hint(for: kindText, in: ProviderType.allCases.map(\.rawValue)) ?? "use powerdns, aws, rfc2136 or embedded"
            reader.error(.invalidValue, kindNode, "unknown provider kind '\(kindText)'", hint: hint)
            return nil
        }
        let allowed = commonKeys + (keysByType[type] ?? [])
        guard let entries = reader.mapping(root, "provider binding '\(name)' (kind \(type.rawValue))", allowed: allowed) else { return nil }
        var binding = ProviderBinding(name: name, type: type, location: reader.location(root))
        var failed = false
        for entry in flattened(entries, reader: reader) where entry.key != "kind" {
            guard let raw = reader.scalar(entry.value, entry.key) else {
                failed = true
                continue
            }
            let value: String
            switch Interpolation.expand(raw, environment: environment) {
            case .success(let expanded):
                value = expanded.value
            case .failure(.unset(let variable)):
                reader.error(
                    .environment, entry.value, "environment variable \(variable) is not set (\(entry.key) in provider '\(name)')",
                    hint: "export \(variable), or write ${\(variable):-default}")
                failed = true
                continue
            case .failure(.forbidden(let variable)):
                reader.error(
                    .forbidden, entry.value,
                    "${\(variable)} may not be read by a binding (\(entry.key) in provider '\(name)'): PLUMB_* variables hold the agent's own secrets",
                    hint: "use a variable of your own, e.g. ${\(variable.dropFirst(6))}")
                failed = true
                continue
            case .failure(.malformed(let text)):
                reader.error(.invalidValue, entry.value, "malformed reference \(text)", hint: "write ${VAR} or ${VAR:-default}")
                failed = true
                continue
            }
            switch entry.key {
            case "rate_limit":
                guard let rate = Double(value), rate > 0 else {
                    reader.error(.invalidValue, entry.value, "rate_limit must be a positive number of requests per second")
                    failed = true
                    continue
                }
                binding.rateLimit = rate
            case "concurrency":
                guard let concurrency = Int(value), (1...256).contains(concurrency) else {
                    reader.error(.invalidValue, entry.value, "concurrency must be a whole number from 1 to 256")
                    failed = true
                    continue
                }
                binding.concurrency = concurrency
            case "timeout":
                guard let timeout = DurationText.parse(value, bareSeconds: true) else {
                    reader.error(.invalidValue, entry.value, "timeout must be a duration such as 10s or 500ms")
                    failed = true
                    continue
                }
                binding.timeout = timeout
            case "zones":
                // A list: kept comma-separated, each zone fully qualified and lower-cased.
                let zone = value.lowercased().hasSuffix(".") ? value.lowercased() : value.lowercased() + "."
                binding.settings["zones"] = binding.settings["zones"].map { "\($0),\(zone)" } ?? zone
            case "prefix_lists":
                // The prefix lists an embedded cloud pretends to have, for rules that name them.
                binding.settings["prefix_lists"] = binding.settings["prefix_lists"].map { "\($0),\(value)" } ?? value
            case "path" where type == .embedded && !Self.staysInState(value):
                reader.error(
                    .forbidden, entry.value, "path '\(value)' of provider '\(name)' leaves the state directory",
                    hint: "write a path relative to --state, without '..'")
                failed = true
                continue
            default:
                if let problem = BindingValues.problem(type: type, key: entry.key, value: value) {
                    reader.error(.invalidValue, entry.value, "provider '\(name)': \(problem.message)", hint: problem.hint)
                    failed = true
                    continue
                }
                binding.settings[entry.key] = value
                binding.valueLocations[entry.key] = reader.location(entry.value)
                if isSecret(entry.key) { binding.secretKeys.insert(entry.key) }
            }
        }
        for key in requiredKeys[type] ?? [] where binding.settings[key] == nil && !failed {
            reader.error(.missingKey, root, "provider '\(name)' (kind \(type.rawValue)) needs '\(key):'")
            failed = true
        }
        return failed ? nil : binding
    }

    /// rfc2136's `tsig:` mapping as `tsig.name`, `tsig.algorithm`, `tsig.secret`, and its
    /// `zones:` list as one `zones` entry per zone; every other entry as it is.
    private static func flattened(_ entries: [YAMLEntry], reader: YAMLReader) -> [YAMLEntry] {
        entries.flatMap { entry -> [YAMLEntry] in
            switch (entry.key, entry.value) {
            case ("tsig", .mapping):
                let inner = reader.mapping(entry.value, "tsig", allowed: ["name", "algorithm", "secret"]) ?? []
                return inner.map { YAMLEntry(key: "tsig.\($0.key)", keyNode: $0.keyNode, value: $0.value) }
            case ("zones", .sequence(let items, _)), ("prefix_lists", .sequence(let items, _)):
                return items.map { YAMLEntry(key: entry.key, keyNode: entry.keyNode, value: $0) }
            default:
                return [entry]
            }
        }
    }

    /// An embedded inventory's path is relative to `--state` and stays inside it (SPEC §8.1).
    static func staysInState(_ path: String) -> Bool {
        guard !path.isEmpty, !path.hasPrefix("/"), !path.hasPrefix("~") else { return false }
        var depth = 0
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            if part == ".." { depth -= 1 } else if part != "." { depth += 1 }
            if depth < 0 { return false }
        }
        return depth > 0
    }

    static func isSecret(_ key: String) -> Bool {
        ["key", "secret", "token", "password"].contains { key.lowercased().contains($0) }
    }
}
