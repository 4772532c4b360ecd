/// Why a change is in a plan, as a value: providers decide on it (an adoption must tag the
/// resource even when nothing else differs) without reading the planner's prose. Encoded in
/// `plumb.plan/v1` as the same short text as before ("adopt, tags", "cidr cannot change in
/// place", "not in the desired state").
public enum ChangeReason: Hashable, Sendable {
    /// The fields that differ.
    case differs([String])
    /// `--adopt`: an untagged namesake is taken over, and these fields differ too.
    case adopt([String])
    /// Fields the provider cannot change in place: the resource is replaced.
    case immutable([String])
    /// Owned, but no longer in the desired state.
    case notDesired
    /// The reverse of an applied change (`on_failure: revert`).
    case revert(Change.Action)
    /// A text this version does not know (a plan saved by another one).
    case other(String)

    public var text: String {
        switch self {
        case .differs(let fields): fields.joined(separator: ", ")
        case .adopt(let fields): (["adopt"] + fields).joined(separator: ", ")
        case .immutable(let fields): "\(fields.joined(separator: ", ")) cannot change in place"
        case .notDesired: "not in the desired state"
        case .revert(let action): "revert \(action.rawValue)"
        case .other(let text): text
        }
    }

    /// The value a text stands for: the inverse of `text` for every case but `.other`.
    public init(text: String) {
        let parts = text.components(separatedBy: ", ")
        if text == "not in the desired state" {
            self = .notDesired
        } else if text.hasPrefix("revert "), let action = Change.Action(rawValue: String(text.dropFirst("revert ".count))) {
            self = .revert(action)
        } else if text.hasSuffix(" cannot change in place") {
            self = .immutable(String(text.dropLast(" cannot change in place".count)).components(separatedBy: ", "))
        } else if parts.first == "adopt" {
            self = .adopt(Array(parts.dropFirst()))
        } else if !text.isEmpty, parts.allSatisfy({ !$0.isEmpty && !$0.contains(" ") }) {
            self = .differs(parts)
        } else {
            self = .other(text)
        }
    }
}
