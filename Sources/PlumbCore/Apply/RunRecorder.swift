/// Where the apply loop writes its journal: the intent before every write and the outcome
/// after, so a run killed mid-chunk leaves behind what may have been half-done.
public protocol RunRecorder: Sendable {
    func intend(_ changes: [Change], chunk: Int) async throws
    func record(_ results: [ChangeResult], chunk: Int) async throws
    func timing(_ stage: String, detail: String?, seconds: Double) async
    /// With `on_failure: revert`: intents that keep each change whole (the live value it
    /// replaces, for putting it back after a crash too), and the revert's own writes.
    func journal(_ entry: RevertJournal, chunk: Int) async throws
}

/// What a revert-mode journal holds beyond plain intents and outcomes.
public enum RevertJournal: Sendable {
    /// Forward changes about to be written, each with its `before`.
    case reversible([Change])
    /// The reverse changes about to be written: from here on the run is reverting.
    case revertIntent([Change])
    /// The outcomes of those reverse changes.
    case reverted([ChangeResult])
    /// The changes of a run interrupted before it reverted, carried into the next run: put
    /// back too should that run revert.
    case carried([Change])
    /// An interrupted revert's changes, carried into the run that finishes it.
    case finishing([Change])
}

extension RunRecorder {
    /// A journal that keeps no more than intents and outcomes records these as such (test
    /// journals); the stores keep the changes whole.
    public func journal(_ entry: RevertJournal, chunk: Int) async throws {
        switch entry {
        case .reversible(let changes), .revertIntent(let changes): try await intend(changes, chunk: chunk)
        case .reverted(let results): try await record(results, chunk: chunk)
        case .carried, .finishing: break
        }
    }
}

/// Progress events, for a terminal's progress lines or the agent's logs.
public enum ApplyEvent: Sendable {
    /// The run has its id in the history (before any chunk; also for a run with nothing to do).
    case runRecorded(id: Int64)
    case chunkStarted(index: Int, of: Int, changes: Int)
    case chunkApplied(index: Int)
    case checkStarted(name: String)
    case checkFinished(CheckResult)
    case chunkFailed(index: Int, error: String)
    /// `on_failure: revert`: putting back `changes` changes, newest first.
    case revertStarted(changes: Int)
    /// The revert is over: `complete` when every change was put back and read back.
    case revertFinished(complete: Bool, error: String?)
    /// A chunk's writes are done (before its checks): each change's outcome, for an event
    /// stream. Its status is `failed` when a write or read-back failed.
    case chunkWritten(ChunkResult, of: Int)
}
