import Foundation
import PlumbCore
import PlumbStore

extension Workspace {
    /// Records a commit whose desired state did not load as a run of status `invalid`, with
    /// its diagnostics (file:line:column) and its author (SPEC §8.4).
    public func recordInvalid(_ error: RunnerError, stack: String, origin: RunOrigin, command: String) async throws -> Int64 {
        let store = try openStore()
        let run = try await store.beginRun(stack: stack, command: command, origin: origin, source: source, commit: commit)
        let summary = error.diagnostics.map(\.description).joined(separator: "\n")
        try await store.finishRun(
            run, status: .invalid, text: try FinishedRunText(plan: nil, result: nil, diagnostics: error.diagnostics), error: summary)
        return run
    }
}
