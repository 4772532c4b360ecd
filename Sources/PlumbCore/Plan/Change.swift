/// One change of a plan.
public struct Change: Hashable, Sendable {
    public enum Action: String, Hashable, Sendable, Codable {
        case create, update, delete, replace
    }

    /// Why a change is in a review plan (`plan --base`).
    public enum Origin: String, Hashable, Sendable, Codable {
        /// Caused by the commits under review.
        case change
        /// Already pending at the base: hand-made changes, or a base never applied.
        case drift
    }

    public var action: Action
    public var address: Address
    public var provider: String
    public var origin: Origin?
    public var before: ResourceSpec?
    public var after: ResourceSpec?
    /// The provider's id of the live resource, for updates, replaces and deletes.
    public var liveID: String?
    /// Why the change is there, as a value (`ChangeReason`).
    public var why: ChangeReason?
    /// With `on_failure: revert`: how this change would not be put back exactly ("recreated
    /// with a new id"); nil when its reverse restores it as it was.
    public var revert: String?

    public init(
        action: Action, address: Address, provider: String, origin: Origin? = nil,
        before: ResourceSpec?, after: ResourceSpec?, liveID: String? = nil, why: ChangeReason? = nil
    ) {
        self.action = action
        self.address = address
        self.provider = provider
        self.origin = origin
        self.before = before
        self.after = after
        self.liveID = liveID
        self.why = why
    }
}

extension Change {
    /// The reason as plans show it: the fields that differ, "adopt, …", "not in the desired
    /// state".
    public var reason: String? { why?.text }

    /// Whether this change takes over an untagged namesake (`--adopt`): the provider must
    /// then mark it as the stack's even when no attribute differs.
    public var isAdoption: Bool {
        if case .adopt? = why { return true }
        return false
    }
}

extension Change: Codable {
    enum CodingKeys: String, CodingKey {
        case action, address, provider, origin, before, after, reason, revert
        case liveID = "live_id"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        action = try container.decode(Action.self, forKey: .action)
        address = try container.decode(Address.self, forKey: .address)
        provider = try container.decode(String.self, forKey: .provider)
        origin = try container.decodeIfPresent(Origin.self, forKey: .origin)
        liveID = try container.decodeIfPresent(String.self, forKey: .liveID)
        why = try container.decodeIfPresent(String.self, forKey: .reason).map(ChangeReason.init(text:))
        revert = try container.decodeIfPresent(String.self, forKey: .revert)
        let kind = address.kind
        before = try container.decodeIfPresent(JSONValue.self, forKey: .before).flatMap {
            $0 == .null ? nil : try ResourceSpec(kind: kind, attributes: $0)
        }
        after = try container.decodeIfPresent(JSONValue.self, forKey: .after).flatMap {
            $0 == .null ? nil : try ResourceSpec(kind: kind, attributes: $0)
        }
    }

    /// `origin`, `before` and `after` are always present (null when absent), as SPEC §6 shows.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(action, forKey: .action)
        try container.encode(address, forKey: .address)
        try container.encode(provider, forKey: .provider)
        try container.encode(origin, forKey: .origin)
        try container.encode(before, forKey: .before)
        try container.encode(after, forKey: .after)
        try container.encodeIfPresent(liveID, forKey: .liveID)
        try container.encodeIfPresent(reason, forKey: .reason)
        try container.encodeIfPresent(revert, forKey: .revert)
    }
}
