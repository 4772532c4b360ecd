import Foundation
import PlumbCore

/// What both stores write and read for a run, column for column: the schema is one, the
/// SQL dialects two.
package struct StoredRun: Sendable {
    package var id: Int64
    package var stack: String
    package var command: String
    package var status: String
    package var startedAt: Double
    package var finishedAt: Double?
    package var commitID: String?
    package var commitAuthor: String?
    package var commitSubject: String?
    package var summary: String?
    package var result: String?
    package var error: String?
    package var agent: String?
    package var kind: String?
    package var trigger: String?
    package var checks: String?
    package var diagnostics: String?
    package var note: String?
    /// The run's `PlanSource` as JSON (for a work tree's "dirty").
    package var source: String?
    /// Only when one run is read whole.
    package var plan: String?

    /// The columns the SELECTs of lists use (`plan`, the large one, only `run(_:)` reads).
    package static let columns =
        "id, stack, command, status, started_at, finished_at, commit_id, commit_author, commit_subject, summary, result, error, agent, kind, triggered_by, checks, diagnostics, note, source"

    package init(
        id: Int64, stack: String, command: String, status: String, startedAt: Double, finishedAt: Double?,
        commitID: String?, commitAuthor: String?, commitSubject: String?, summary: String?, result: String?,
        error: String?, agent: String?, kind: String? = nil, trigger: String? = nil, checks: String? = nil,
        diagnostics: String? = nil, note: String? = nil, source: String? = nil, plan: String? = nil
    ) {
        self.id = id
        self.stack = stack
        self.command = command
        self.status = status
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.commitID = commitID
        self.commitAuthor = commitAuthor
        self.commitSubject = commitSubject
        self.summary = summary
        self.result = result
        self.error = error
        self.agent = agent
        self.kind = kind
        self.trigger = trigger
        self.checks = checks
        self.diagnostics = diagnostics
        self.note = note
        self.source = source
        self.plan = plan
    }

    /// `whole`: the run's result and plan too (`history show`, `/runs/ID`).
    package func record(timings: [StageTiming], whole: Bool = false) -> RunRecord {
        let decoder = JSONDecoder()
        let summary = summary.flatMap { try? decoder.decode(Plan.Summary.self, from: Data($0.utf8)) }
        let result = result.flatMap { try? decoder.decode(ApplyResult.self, from: Data($0.utf8)) }
        return RunRecord(
            id: id, stack: stack, command: command, kind: kind.flatMap(RunOrigin.Kind.init(rawValue:)) ?? .apply,
            trigger: trigger.flatMap(RunOrigin.Trigger.init(rawValue:)) ?? .cli,
            status: RunRecord.Status(rawValue: status) ?? .failed,
            startedAt: Date(timeIntervalSince1970: startedAt), finishedAt: finishedAt.map(Date.init(timeIntervalSince1970:)),
            commit: commitID.map {
                CommitInfo(
                    id: $0, author: commitAuthor, subject: commitSubject,
                    dirty: source.flatMap { try? decoder.decode(PlanSource.self, from: Data($0.utf8)) }?.dirty)
            },
            summary: summary, applied: result?.applied.map(\.description) ?? [],
            notApplied: result?.notApplied.map(\.description) ?? [], reverted: result?.reverted.map(\.description) ?? [],
            error: error, timings: timings, agent: agent,
            checks: (result?.chunks.flatMap(\.checks) ?? [])
                + (checks.flatMap { try? decoder.decode([CheckResult].self, from: Data($0.utf8)) } ?? []),
            chunks: result?.chunks,
            diagnostics: diagnostics.flatMap { try? decoder.decode([Diagnostic].self, from: Data($0.utf8)) } ?? [],
            note: note, result: whole ? result : nil,
            plan: whole ? plan.flatMap { try? decoder.decode(Plan.self, from: Data($0.utf8)) } : nil)
    }
}

/// The texts `finishRun` stores.
public struct FinishedRunText: Sendable {
    public var plan: String?
    public var summary: String?
    public var result: String?
    public var checks: String?
    public var diagnostics: String?
    /// For people, beside the status: "checks that failed on run 4 now pass".
    public var note: String?

    public init(
        plan: Plan?, result: ApplyResult?, checks: [CheckResult] = [], diagnostics: [Diagnostic] = [], note: String? = nil
    ) throws {
        try self.init(
            plan: plan, planText: plan.map { try JSONOutput.encode($0) }, result: result, checks: checks, diagnostics: diagnostics, note: note)
    }

    /// With the plan's JSON encoded already (an apply encodes it while the provider works).
    public init(
        plan: Plan?, planText: String?, result: ApplyResult?, checks: [CheckResult] = [], diagnostics: [Diagnostic] = [],
        note: String? = nil
    ) throws {
        self.plan = planText
        summary = try plan.map { try JSONOutput.encode($0.summary) }
        self.result = try result.map { try JSONOutput.encode($0) }
        self.checks = checks.isEmpty ? nil : try JSONOutput.encode(checks)
        self.diagnostics = diagnostics.isEmpty ? nil : try JSONOutput.encode(diagnostics)
        self.note = note
    }
}

extension InterruptedRun {
    /// The changes whose last journal entry is an intent: sent, maybe, but never confirmed.
    package static func pending(journal: [(address: String, phase: String)]) -> [String] {
        var phase: [String: String] = [:]
        for entry in journal { phase[entry.address] = entry.phase }
        return phase.filter { $0.value == JournalEntry.intent || $0.value == JournalEntry.revertIntent }.keys.sorted()
    }

    /// What an interrupted run's journal says about it (both stores read the same rows).
    package static func make(id: Int64, journal: [(address: String, phase: String, detail: String?)]) -> InterruptedRun {
        let pending = pending(journal: journal.map { ($0.address, $0.phase) })
        // Revert mode journals every change whole: carried from an interrupted run first,
        // then the run's own, in the order written.
        let decoder = JSONDecoder()
        var seen: Set<String> = []
        let reversible = journal.compactMap { entry -> Change? in
            guard [JournalEntry.intent, JournalEntry.carried, JournalEntry.finishing].contains(entry.phase), let detail = entry.detail,
                seen.insert(entry.address).inserted
            else { return nil }
            return try? decoder.decode(Change.self, from: Data(detail.utf8))
        }
        let reverting = journal.contains { $0.phase == JournalEntry.revertIntent || $0.phase == JournalEntry.finishing }
        return InterruptedRun(id: id, pending: pending, reversible: reversible, reverting: reverting)
    }

    package static func message(pending: Int) -> String {
        "the process stopped before the run finished; \(pending) change(s) may have been half-done"
    }
}

/// One journal row: what both stores write per change, before (`intent`) and after (its
/// outcome) the provider call.
package struct JournalEntry: Sendable {
    package var address: String
    package var action: String
    package var phase: String
    package var detail: String?

    package static let intent = "intent"
    package static let revertIntent = "revert-intent"
    package static let carried = "carried"
    package static let finishing = "revert-carried"

    package static func intents(_ changes: [Change]) -> [JournalEntry] {
        changes.map { JournalEntry(address: $0.address.description, action: $0.action.rawValue, phase: intent, detail: nil) }
    }

    /// Revert mode: intents that hold each change whole (its `before` is what a revert puts
    /// back), the reverse changes' intents, and their outcomes (`reverted` when applied).
    package static func entries(_ entry: RevertJournal) throws -> [JournalEntry] {
        let encoder = JSONEncoder()
        func whole(_ changes: [Change], phase: String) throws -> [JournalEntry] {
            try changes.map {
                JournalEntry(
                    address: $0.address.description, action: $0.action.rawValue, phase: phase,
                    detail: String(decoding: try encoder.encode($0), as: UTF8.self))
            }
        }
        switch entry {
        case .reversible(let changes): return try whole(changes, phase: intent)
        case .revertIntent(let changes): return try whole(changes, phase: revertIntent)
        case .carried(let changes): return try whole(changes, phase: carried)
        case .finishing(let changes): return try whole(changes, phase: finishing)
        case .reverted(let results):
            return results.map {
                JournalEntry(
                    address: $0.address.description, action: $0.action.rawValue,
                    phase: $0.status == .applied ? "reverted" : "revert-\($0.status.rawValue)", detail: $0.error)
            }
        }
    }

    package static func outcomes(_ results: [ChangeResult]) -> [JournalEntry] {
        results.map { JournalEntry(address: $0.address.description, action: $0.action.rawValue, phase: $0.status.rawValue, detail: $0.error) }
    }
}
