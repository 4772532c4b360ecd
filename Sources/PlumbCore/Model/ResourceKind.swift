/// The kinds of resource Plumb manages.
///
/// `allCases` is the apply order: a kind never depends on a kind after it, so creates and
/// updates run in this order and deletions in reverse.
public enum ResourceKind: String, Codable, Sendable, CaseIterable, Comparable {
    case vpc = "net.vpc"
    case subnet = "net.subnet"
    case securityGroup = "net.security_group"
    case role = "iam.role"
    case zone = "dns.zone"
    case record = "dns.record"

    /// Position in the apply order (`allCases`'s, spelled out: sorting 100,000 addresses
    /// compares kinds millions of times, and `allCases` is an array made on every use).
    public var rank: Int {
        switch self {
        case .vpc: 0
        case .subnet: 1
        case .securityGroup: 2
        case .role: 3
        case .zone: 4
        case .record: 5
        }
    }

    public static func < (lhs: ResourceKind, rhs: ResourceKind) -> Bool { lhs.rank < rhs.rank }

    /// Cloud kinds are owned through the `plumb:stack` tag; DNS kinds through their zone.
    public var isTaggedCloudKind: Bool {
        switch self {
        case .vpc, .subnet, .securityGroup, .role: return true
        case .zone, .record: return false
        }
    }
}
