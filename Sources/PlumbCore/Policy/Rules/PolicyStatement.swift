/// One statement of an IAM policy document, read the way IAM reads it: `Statement`, `Action`,
/// `Resource` and principals may each be one value or a list (the canonical form of a
/// one-element list is its element).
struct PolicyStatement: Hashable, Sendable {
    var allows: Bool
    var actions: [String]
    var resources: [String]
    /// Principal values: `"*"` for `Principal: "*"`, else every value of every principal type.
    var principals: [String]

    /// The statements of a policy document; nothing for a document that has none.
    static func statements(of document: JSONValue) -> [PolicyStatement] {
        guard case .object(let object) = document, let statement = object["Statement"] else { return [] }
        return values(statement).compactMap { value in
            guard case .object(let fields) = value else { return nil }
            let effect = fields["Effect"].flatMap(Self.string)
            return PolicyStatement(
                allows: effect == "Allow",
                actions: strings(fields["Action"]),
                resources: strings(fields["Resource"]),
                principals: principals(fields["Principal"]))
        }
    }

    private static func values(_ value: JSONValue) -> [JSONValue] {
        if case .array(let items) = value { return items }
        return [value]
    }

    private static func string(_ value: JSONValue) -> String? {
        if case .string(let text) = value { return text }
        return nil
    }

    private static func strings(_ value: JSONValue?) -> [String] {
        guard let value else { return [] }
        return values(value).compactMap(string)
    }

    private static func principals(_ value: JSONValue?) -> [String] {
        guard let value else { return [] }
        if case .object(let byType) = value { return byType.keys.sorted().flatMap { strings(byType[$0]) } }
        return strings(value)
    }
}

extension PolicyContext {
    /// Each desired role with its spec.
    var roles: [(DesiredResource, RoleSpec)] {
        resources(.role).compactMap { resource in
            guard case .role(let spec) = resource.spec else { return nil }
            return (resource, spec)
        }
    }
}
