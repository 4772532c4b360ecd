import Foundation

/// The managed attributes of one resource, by kind. The identity lives in the `Address`.
///
/// Encodes as the attributes alone (`{"cidr": …}`), the shape plans and drift reports show;
/// decoding needs the kind, so it goes through `init(kind:attributes:)`.
///
/// The cloud cases are boxed (`indirect`): inline they made every spec 80 bytes, and a
/// 100,000-record plan holds records by the hundred thousand (16 bytes of spec each).
public enum ResourceSpec: Hashable, Sendable {
    case zone(ZoneSpec)
    case record(RecordSpec)
    indirect case vpc(VPCSpec)
    indirect case subnet(SubnetSpec)
    indirect case securityGroup(SecurityGroupSpec)
    indirect case role(RoleSpec)

    public var kind: ResourceKind {
        switch self {
        case .zone: return .zone
        case .record: return .record
        case .vpc: return .vpc
        case .subnet: return .subnet
        case .securityGroup: return .securityGroup
        case .role: return .role
        }
    }

    /// The attributes as JSON, keys sorted.
    public var attributes: JSONValue {
        switch self {
        case .zone(let spec): return .from(spec)
        case .record(let spec): return .from(spec)
        case .vpc(let spec): return .from(spec)
        case .subnet(let spec): return .from(spec)
        case .securityGroup(let spec): return .from(spec)
        case .role(let spec): return .from(spec)
        }
    }

    public init(kind: ResourceKind, attributes: JSONValue) throws {
        switch kind {
        case .zone: self = .zone(try attributes.decode(as: ZoneSpec.self))
        case .record:
            let spec = try attributes.decode(as: RecordSpec.self)
            self = .record(RecordSpec(ttl: spec.ttl, values: spec.values))
        case .vpc: self = .vpc(try attributes.decode(as: VPCSpec.self))
        case .subnet: self = .subnet(try attributes.decode(as: SubnetSpec.self))
        case .securityGroup:
            let spec = try attributes.decode(as: SecurityGroupSpec.self)
            self = .securityGroup(
                SecurityGroupSpec(
                    vpc: spec.vpc, description: spec.description, ingress: spec.ingress,
                    egress: spec.egress, tags: spec.tags))
        case .role:
            self = .role(try attributes.decode(as: RoleSpec.self))
        }
    }

    /// The field-level differences between a desired spec (`self`) and a live one.
    ///
    /// A field the desired side leaves out (a security group without `egress:`) keeps the
    /// provider's default and is not compared.
    public func differences(fromLive live: ResourceSpec) -> [FieldDifference] {
        // Equal canonical specs are the common case of every plan: skip the JSON detour.
        if self == live { return [] }
        guard case .object(let desired) = attributes, case .object(let current) = live.attributes
        else { return attributes == live.attributes ? [] : [FieldDifference(field: "*", desired: attributes, live: live.attributes)] }
        var result: [FieldDifference] = []
        for key in desired.keys.sorted() {
            let desiredValue = desired[key] ?? .null
            let liveValue = current[key] ?? .null
            if desiredValue != liveValue {
                result.append(FieldDifference(field: key, desired: desiredValue, live: liveValue))
            }
        }
        return result
    }

    /// Attributes whose value is the default a document may leave out (SPEC §8.8), by their
    /// JSON key: imports do not write them and plans do not list them for a create or delete.
    public static let defaultAttributes: [String: JSONValue] = [
        "tags": .object([:]), "managed_policies": .array([]), "permissions_boundary": .null,
        "max_session_duration": .int(RoleSpec.defaultMaxSessionDuration),
        "ipv6": .bool(false), "dns_hostnames": .bool(false), "dns_support": .bool(true), "ipv6_index": .null,
        "map_public_ip_on_launch": .bool(false), "assign_ipv6_on_creation": .bool(false),
    ]

    /// Fields whose change the provider cannot make in place: changing them replaces the
    /// resource (delete, then create).
    public var immutableFields: Set<String> {
        switch self {
        case .vpc: return ["cidr"]
        case .subnet: return ["vpc", "cidr", "zone"]
        case .securityGroup: return ["vpc", "description"]
        case .role: return ["path"]
        case .zone, .record: return []
        }
    }
}

extension ResourceSpec: Encodable {
    /// Encodes the attributes directly (not through `attributes`, which round-trips JSON).
    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .zone(let spec): try spec.encode(to: encoder)
        case .record(let spec): try spec.encode(to: encoder)
        case .vpc(let spec): try spec.encode(to: encoder)
        case .subnet(let spec): try spec.encode(to: encoder)
        case .securityGroup(let spec): try spec.encode(to: encoder)
        case .role(let spec): try spec.encode(to: encoder)
        }
    }
}

/// One field that differs between desired and live.
public struct FieldDifference: Hashable, Sendable, Codable {
    public var field: String
    public var desired: JSONValue
    public var live: JSONValue

    public init(field: String, desired: JSONValue, live: JSONValue) {
        self.field = field
        self.desired = desired
        self.live = live
    }
}
