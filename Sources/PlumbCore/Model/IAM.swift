import Foundation

/// An IAM role. Policy documents are kept in canonical form (`PolicyDocument.canonical`), so
/// `==` compares them semantically.
public struct RoleSpec: Hashable, Sendable, Codable {
    public var path: String
    public var description: String
    public var trust: JSONValue
    public var policies: [String: JSONValue]
    public var tags: [String: String]

    public init(
        path: String = "/", description: String = "", trust: JSONValue,
        policies: [String: JSONValue] = [:], tags: [String: String] = [:]
    ) {
        self.path = path
        self.description = description
        self.trust = PolicyDocument.canonical(trust)
        self.policies = policies.mapValues(PolicyDocument.canonical)
        self.tags = tags
    }
}

/// Semantic normalisation of IAM policy documents (SPEC §3): a one-element list equals its
/// element, key order does not matter, URL-encoding does not matter, and lists are sets.
public enum PolicyDocument {
    public static func canonical(_ value: JSONValue) -> JSONValue {
        switch value {
        case .array(let items):
            let canonicalItems = Set(items.map(canonical)).sorted()
            return canonicalItems.count == 1 ? canonicalItems[0] : .array(canonicalItems)
        case .object(let object):
            return .object(object.mapValues(canonical))
        case .string(let string):
            return .string(string)
        default:
            return value
        }
    }

    /// Parses a policy document as a provider returns it: JSON, possibly URL-encoded.
    public static func parse(_ text: String) -> JSONValue? {
        let candidates = [text, text.removingPercentEncoding ?? text]
        for candidate in candidates {
            if let data = candidate.data(using: .utf8),
               let value = try? JSONDecoder().decode(JSONValue.self, from: data) {
                return canonical(value)
            }
        }
        return nil
    }
}
