import Foundation
import PlumbCore
import PlumbStore

/// One thing that happened in the agent, as `GET /events` serves it (SPEC §8.2): a run
/// starting, a chunk's outcome with its changes, a check's outcome, a run's end with its
/// stage timings, drift appearing or clearing. The fields a type does not use are absent.
public struct AgentEvent: Sendable, Codable, Hashable {
    public enum Kind: String, Sendable, Codable, Hashable {
        case runStarted = "run_started"
        case chunkApplied = "chunk_applied"
        case chunkFailed = "chunk_failed"
        case checkPassed = "check_passed"
        case checkFailed = "check_failed"
        case runFinished = "run_finished"
        case driftAppeared = "drift_appeared"
        case driftCleared = "drift_cleared"
    }

    /// How a run ended, for people and for `plumb follow`'s exit code.
    public enum Outcome: String, Sendable, Codable, Hashable {
        /// Applied, every check passed.
        case succeeded
        /// Nothing to do.
        case unchanged
        /// A write or a check failed (exit 3 when something was written, else 1), or the plan
        /// was refused (a policy, a safety limit, protection: exit 1).
        case failed
        /// The commit's desired state does not load or validate: nothing was applied.
        case invalid
        /// A failed check put back every change of the run (exit 4).
        case reverted
        /// Plumb could not run (store, git, lock).
        case error
        /// `--require-reviewed-plan`: no review plan matches, nothing was applied.
        case held
    }

    /// Increasing across the agent's restarts (see `EventBus`); the SSE `id:`.
    public var id: Int = 0
    public var type: Kind
    public var time = Date()
    public var stack: String
    /// The full 40-hex commit id.
    public var commit: String?
    public var run: Int64?
    public var author: String?
    public var subject: String?
    /// `apply` or `heal`.
    public var kind: String?
    /// When the agent learnt of the commit (webhook arrival or the poll that found it).
    public var triggeredAt: Date?
    public var chunk: ChunkResult?
    /// How many chunks the run's plan has.
    public var chunks: Int?
    public var check: CheckResult?
    public var outcome: Outcome?
    /// What `plumb apply` would have exited with (SPEC §5, §8.4).
    public var exitCode: Int32?
    public var error: String?
    /// For a run stopped outside the apply loop: `RunnerError.Kind` (`invalid_input`,
    /// `lock_held`, …), or `other`.
    public var errorKind: String?
    public var timings: [StageTiming]?
    /// From `triggeredAt` to the end of the last check of a run that succeeded.
    public var pushToLiveSeconds: Double?
    public var summary: RunFigures?
    public var drift: DriftReport.Summary?
    /// The drifted resources, by address (drift events).
    public var addresses: [String]?

    public init(type: Kind, stack: String, commit: String? = nil) {
        self.type = type
        self.stack = stack
        self.commit = commit
    }

    enum CodingKeys: String, CodingKey {
        case id, type, time, stack, commit, run, author, subject, kind, chunk, chunks, check, outcome, error, timings, summary
        case drift, addresses
        case triggeredAt = "triggered_at"
        case exitCode = "exit_code"
        case errorKind = "error_kind"
        case pushToLiveSeconds = "push_to_live_seconds"
    }

    /// The counts a run's one-line description is made of.
    public struct RunFigures: Sendable, Codable, Hashable {
        public var changes = 0
        public var applied = 0
        public var chunks = 0
        public var checksPassed = 0
        public var checksFailed = 0

        public init() {}

        public init(_ result: ApplyResult) {
            chunks = result.chunks.count
            for chunk in result.chunks {
                changes += chunk.changes.count
                applied += chunk.changes.filter { $0.status == .applied }.count
                checksPassed += chunk.checks.filter(\.passed).count
                checksFailed += chunk.checks.filter { !$0.passed }.count
            }
        }

        enum CodingKeys: String, CodingKey {
            case changes, applied, chunks
            case checksPassed = "checks_passed"
            case checksFailed = "checks_failed"
        }
    }
}

extension AgentEvent {
    public static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }()

    public static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }()

    /// One Server-Sent Event: `id`, `event` and the JSON on one `data:` line (JSONEncoder
    /// never writes a raw newline, so one line always holds it).
    public func serverSentEvent() throws -> String {
        let json = String(decoding: try Self.encoder.encode(self), as: UTF8.self)
        return "id: \(id)\nevent: \(type.rawValue)\ndata: \(json)\n\n"
    }

    /// A one-line description of a finished run, as commit statuses and notifications
    /// show it: "38 changes in 8 chunks; 4 checks passed" or the first failure.
    public var oneLine: String {
        switch outcome {
        case .unchanged?: return "no changes"
        case .succeeded?:
            let figures = summary ?? RunFigures()
            return "\(figures.changes) change\(figures.changes == 1 ? "" : "s") in \(figures.chunks) chunk\(figures.chunks == 1 ? "" : "s"); "
                + "\(figures.checksPassed) check\(figures.checksPassed == 1 ? "" : "s") passed"
        default:
            let line = (error ?? outcome?.rawValue ?? "").split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
            return line.count > 140 ? String(line.prefix(139)) + "…" : line
        }
    }
}
