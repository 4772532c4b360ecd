/// Reads `plumb.yaml` (SPEC §4).
enum SettingsLoader {
    static func load(_ text: String?, file: String, defaultStack: String, into bag: inout DiagnosticBag) -> StackSettings {
        var settings = StackSettings(stack: sanitized(defaultStack))
        guard let text else { return settings }
        let reader = YAMLReader(file: file)
        defer { bag.append(contentsOf: reader.diagnostics.items) }
        guard let root = reader.documents(text).first else { return settings }
        guard let entries = reader.mapping(root, "plumb.yaml", allowed: ["stack", "chunking", "safety", "policies", "on_failure"]) else {
            return settings
        }
        for entry in entries {
            switch entry.key {
            case "stack":
                if let stack = reader.string(entry.value, "stack") {
                    if stack.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) }) {
                        settings.stack = stack
                    } else {
                        reader.error(.invalidValue, entry.value, "stack name '\(stack)' may hold only letters, digits, '-', '_' and '.'")
                    }
                }
            case "chunking":
                chunking(entry.value, reader: reader, into: &settings)
            case "on_failure":
                if let text = reader.string(entry.value, "on_failure") {
                    if let value = StackSettings.OnFailure(rawValue: text) {
                        settings.onFailure = value
                    } else {
                        reader.error(.invalidValue, entry.value, "on_failure must be stop or revert, not '\(text)'")
                    }
                }
            case "policies":
                settings.policies = policies(entry.value, reader: reader)
            default:
                guard let items = reader.mapping(entry.value, "safety", allowed: ["max_changes", "max_deletes", "max_delete_percent"]) else {
                    continue
                }
                for item in items {
                    switch item.key {
                    case "max_changes":
                        settings.safety.maxChanges = reader.int(item.value, "safety.max_changes", range: 0...10_000_000) ?? settings.safety.maxChanges
                    case "max_deletes":
                        settings.safety.maxDeletes = reader.int(item.value, "safety.max_deletes", range: 0...10_000_000) ?? settings.safety.maxDeletes
                    default:
                        settings.safety.maxDeletePercent =
                            reader.double(item.value, "safety.max_delete_percent", range: 0...100) ?? settings.safety.maxDeletePercent
                    }
                }
            }
        }
        return settings
    }

    /// `policies: {RULE: deny|warn|off}`: every key a built-in rule.
    private static func policies(_ node: YAMLNode, reader: YAMLReader) -> [String: PolicySeverity] {
        guard let items = reader.mapping(node, "policies") else { return [:] }
        var severities: [String: PolicySeverity] = [:]
        for item in items {
            guard PolicyEngine.ruleIDs.contains(item.key) else {
                let hint =
                    Suggestion.hint(for: item.key, in: PolicyEngine.ruleIDs)
                    ?? "rules: \(PolicyEngine.ruleIDs.joined(separator: ", "))"
                reader.error(.unknownKey, item.keyNode, "'\(item.key.prefix(80))' is not a policy rule", hint: hint)
                continue
            }
            guard let text = reader.string(item.value, "policies.\(item.key)") else { continue }
            guard let severity = PolicySeverity(rawValue: text) else {
                reader.error(.invalidValue, item.value, "policies.\(item.key) must be deny, warn or off, not '\(text.prefix(40))'")
                continue
            }
            severities[item.key] = severity
        }
        return severities
    }

    /// A folder name made fit to be a stack name and a tag value.
    static func sanitized(_ name: String) -> String {
        let cleaned = String(name.map { $0.isLetter || $0.isNumber || "-_.".contains($0) ? $0 : "-" })
        return cleaned.isEmpty ? "default" : cleaned
    }
}
