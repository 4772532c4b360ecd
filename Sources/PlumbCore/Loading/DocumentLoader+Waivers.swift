extension DocumentLoader {
    /// Reads `waive: {RULE: "REASON", …}` among a resource's entries (SPEC §8.6): each key a
    /// built-in rule id, each reason non-empty, since the reason is what a reviewer reads.
    func waivers(_ entries: [YAMLEntry], what: String) -> [String: String] {
        guard let entry = entries.first(where: { $0.key == "waive" }),
            let items = reader.mapping(entry.value, "\(what) waive")
        else { return [:] }
        var waivers: [String: String] = [:]
        for item in items {
            guard PolicyEngine.ruleIDs.contains(item.key) else {
                let hint =
                    Suggestion.hint(for: item.key, in: PolicyEngine.ruleIDs)
                    ?? "rules: \(PolicyEngine.ruleIDs.joined(separator: ", "))"
                reader.error(.unknownKey, item.keyNode, "\(what): '\(item.key.prefix(80))' is not a policy rule", hint: hint)
                continue
            }
            guard let reason = reader.scalar(item.value, "\(what) waive \(item.key)") else { continue }
            guard !reason.trimmingCharacters(in: .whitespaces).isEmpty else {
                reader.error(
                    .invalidValue, item.value, "\(what): the waiver of \(item.key) has no reason",
                    hint: "say why, and who reviewed it: \(item.key): \"bastion, reviewed 2026-12 by SEC-42\"")
                continue
            }
            waivers[item.key] = reason
        }
        return waivers
    }
}
