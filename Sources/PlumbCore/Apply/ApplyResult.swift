/// What an apply did, chunk by chunk: always complete, also when the run stopped part-way.
public struct ApplyResult: Sendable, Codable, Hashable {
    public enum Status: String, Sendable, Codable, Hashable {
        /// Every chunk applied and every check passed.
        case succeeded
        /// A write, a read-back or a check failed; later chunks were not applied.
        case failed
        /// Nothing to do.
        case unchanged
        /// A check failed and `on_failure: revert` put back every change the run applied.
        case reverted
    }

    public var status: Status
    public var chunks: [ChunkResult]
    /// The first failure, for people.
    public var error: String?
    /// With `on_failure: revert`, after a failed check: what putting the changes back did.
    public var revert: RevertResult?

    public init(status: Status, chunks: [ChunkResult], error: String? = nil, revert: RevertResult? = nil) {
        self.status = status
        self.chunks = chunks
        self.error = error
        self.revert = revert
    }

    /// The changes a revert put back (and confirmed by reading back).
    public var reverted: [Address] {
        revert?.chunks.flatMap { $0.changes.filter { $0.status == .applied }.map(\.address) } ?? []
    }

    public var applied: [Address] { chunks.flatMap { $0.changes.filter { $0.status == .applied }.map(\.address) } }
    public var notApplied: [Address] { chunks.flatMap { $0.changes.filter { $0.status != .applied }.map(\.address) } }
    /// Whether anything was (or may have been) written: a failed run that did stopped part-way.
    public var changedAnything: Bool {
        chunks.contains { $0.changes.contains { $0.status == .applied || $0.status == .unconfirmed } }
    }
}

/// What `on_failure: revert` did: one chunk per applied chunk, newest first, each the reverse
/// of that chunk's changes, then the checks that had failed, run once more.
public struct RevertResult: Sendable, Codable, Hashable {
    /// Each chunk's `index` is the index of the chunk it puts back.
    public var chunks: [ChunkResult]
    /// The checks that failed, run again after the revert: whether putting back helped.
    public var checks: [CheckResult]
    /// Why the revert did not finish; nil when everything was put back and read back.
    public var error: String?

    public init(chunks: [ChunkResult], checks: [CheckResult], error: String?) {
        self.chunks = chunks
        self.checks = checks
        self.error = error
    }

    public var complete: Bool { error == nil }
}

public struct ChunkResult: Sendable, Codable, Hashable {
    public enum Status: String, Sendable, Codable, Hashable { case applied, failed, skipped }

    public var index: Int
    public var status: Status
    public var changes: [ChangeResult]
    public var checks: [CheckResult]
    public var error: String?
    public var durationMs: Double

    public init(index: Int, status: Status, changes: [ChangeResult], checks: [CheckResult], error: String?, durationMs: Double) {
        self.index = index
        self.status = status
        self.changes = changes
        self.checks = checks
        self.error = error
        self.durationMs = durationMs
    }

    enum CodingKeys: String, CodingKey {
        case index, status, changes, checks, error
        case durationMs = "duration_ms"
    }
}

public struct ChangeResult: Sendable, Codable, Hashable {
    public enum Status: String, Sendable, Codable, Hashable {
        case applied, failed
        /// Not attempted.
        case notApplied = "not_applied"
        /// Accepted by the provider, but the read-back could not confirm it (it failed, or
        /// reported something else): the infrastructure may hold it.
        case unconfirmed
    }

    public var address: Address
    public var action: Change.Action
    public var status: Status
    public var id: String?
    public var error: String?

    public init(address: Address, action: Change.Action, status: Status, id: String? = nil, error: String? = nil) {
        self.address = address
        self.action = action
        self.status = status
        self.id = id
        self.error = error
    }
}

public struct CheckResult: Sendable, Codable, Hashable {
    public var name: String
    public var passed: Bool
    public var attempts: Int
    public var durationMs: Double
    public var detail: String
    /// What a measuring check measured (SPEC §8.7): `p95_ms`, `error_rate`, `samples`, a
    /// query's `value` / `min` / `max` / `series`, `hold_s`. Nil for plain checks, whose JSON
    /// has no `figures` key.
    public var figures: [String: Double]?

    public init(name: String, passed: Bool, attempts: Int, durationMs: Double, detail: String, figures: [String: Double]? = nil) {
        self.name = name
        self.passed = passed
        self.attempts = attempts
        self.durationMs = durationMs
        self.detail = detail
        self.figures = figures
    }

    enum CodingKeys: String, CodingKey {
        case name, passed, attempts, detail, figures
        case durationMs = "duration_ms"
    }
}
