import Foundation

/// An IAM role. Policy documents are kept in canonical form (`PolicyDocument.canonical`), so
/// `==` compares them semantically.
///
/// An attribute the document leaves out means AWS's default (SPEC §8.8): no managed
/// policies, no permissions boundary, a one-hour session; Plumb holds the role to it.
public struct RoleSpec: Hashable, Sendable {
    public var path: String
    public var description: String
    public var trust: JSONValue
    public var policies: [String: JSONValue]
    /// Attached managed policies' ARNs, a set (kept sorted and unique).
    public var managedPolicies: [String]
    /// The permissions boundary policy's ARN.
    public var permissionsBoundary: String?
    /// The longest session, in seconds: 3,600–43,200.
    public var maxSessionDuration: Int
    public var tags: [String: String]

    /// AWS's own: one hour.
    public static let defaultMaxSessionDuration = 3600
    /// IAM's bounds for `MaxSessionDuration`.
    public static let sessionDurationRange = 3600...43_200

    public init(
        path: String = "/", description: String = "", trust: JSONValue,
        policies: [String: JSONValue] = [:], managedPolicies: [String] = [], permissionsBoundary: String? = nil,
        maxSessionDuration: Int = RoleSpec.defaultMaxSessionDuration, tags: [String: String] = [:]
    ) {
        self.path = path
        self.description = description
        self.trust = PolicyDocument.canonical(trust)
        self.policies = policies.mapValues(PolicyDocument.canonical)
        self.managedPolicies = Array(Set(managedPolicies)).sorted()
        self.permissionsBoundary = permissionsBoundary.flatMap { $0.isEmpty ? nil : $0 }
        self.maxSessionDuration = maxSessionDuration
        self.tags = tags
    }
}

extension RoleSpec: Codable {
    enum CodingKeys: String, CodingKey {
        case path, description, trust, policies, tags
        case managedPolicies = "managed_policies"
        case permissionsBoundary = "permissions_boundary"
        case maxSessionDuration = "max_session_duration"
    }

    /// Plans and states recorded before these attributes existed decode with AWS's defaults.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            path: try container.decodeIfPresent(String.self, forKey: .path) ?? "/",
            description: try container.decodeIfPresent(String.self, forKey: .description) ?? "",
            trust: try container.decode(JSONValue.self, forKey: .trust),
            policies: try container.decodeIfPresent([String: JSONValue].self, forKey: .policies) ?? [:],
            managedPolicies: try container.decodeIfPresent([String].self, forKey: .managedPolicies) ?? [],
            permissionsBoundary: try container.decodeIfPresent(String.self, forKey: .permissionsBoundary),
            maxSessionDuration: try container.decodeIfPresent(Int.self, forKey: .maxSessionDuration) ?? Self.defaultMaxSessionDuration,
            tags: try container.decodeIfPresent([String: String].self, forKey: .tags) ?? [:])
    }

    /// Every attribute, defaults included: a difference is computed over the desired side's
    /// keys, so a default left out would never be compared.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(path, forKey: .path)
        try container.encode(description, forKey: .description)
        try container.encode(trust, forKey: .trust)
        try container.encode(policies, forKey: .policies)
        try container.encode(managedPolicies, forKey: .managedPolicies)
        try container.encode(permissionsBoundary, forKey: .permissionsBoundary)
        try container.encode(maxSessionDuration, forKey: .maxSessionDuration)
        try container.encode(tags, forKey: .tags)
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
                let value = try? JSONDecoder().decode(JSONValue.self, from: data)
            {
                return canonical(value)
            }
        }
        return nil
    }
}
