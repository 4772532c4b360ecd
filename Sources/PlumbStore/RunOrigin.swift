/// Why a run happened (SPEC §8.4): what it did (`kind`) and what started it (`trigger`).
/// Stored with every run, shown by `history` and served by `/runs`.
public struct RunOrigin: Sendable, Codable, Hashable {
    public enum Kind: String, Sendable, Codable, Hashable, CaseIterable {
        /// A commit (or a directory) applied.
        case apply
        /// Drift reconciled (`--heal`).
        case heal
        /// Checks run on their own (`plumb check`).
        case check
        /// A review plan of a pull or merge request.
        case review
    }

    public enum Trigger: String, Sendable, Codable, Hashable, CaseIterable {
        case cli, webhook, poll, start, drift
    }

    public var kind: Kind
    public var trigger: Trigger

    public init(kind: Kind, trigger: Trigger) {
        self.kind = kind
        self.trigger = trigger
    }

    /// `plumb apply` on the command line.
    public static let cli = RunOrigin(kind: .apply, trigger: .cli)
}
