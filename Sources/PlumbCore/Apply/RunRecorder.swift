/// Where the apply loop writes its journal: the intent before every write and the outcome
/// after, so a run killed mid-chunk leaves behind what may have been half-done.
public protocol RunRecorder: Sendable {
    func intend(_ changes: [Change], chunk: Int) async throws
    func record(_ results: [ChangeResult], chunk: Int) async throws
    func timing(_ stage: String, detail: String?, seconds: Double) async
}

/// Progress events, for a terminal's progress lines or the agent's logs.
public enum ApplyEvent: Sendable {
    case chunkStarted(index: Int, of: Int, changes: Int)
    case chunkApplied(index: Int)
    case checkStarted(name: String)
    case checkFinished(CheckResult)
    case chunkFailed(index: Int, error: String)
}
