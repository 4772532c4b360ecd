import PlumbCore
import PlumbStore

extension Workspace {
    /// A run killed while reverting (`on_failure: revert`) is finished before anything else:
    /// its journal holds every change it set out to write with the value each replaced; what
    /// is still not back is put back, as a run of its own (command `revert`) whose journal
    /// carries the same changes, so a kill during this is recovered the same way.
    func finishRevert(
        of interrupted: Int64, changes: [Change], desired: DesiredState, providers: [String: any Provider],
        store: any StateStore, onEvent: @escaping @Sendable (ApplyEvent) -> Void
    ) async throws {
        let stack = desired.settings.stack
        let run = try await store.beginRun(stack: stack, command: "revert", source: source, commit: commit)
        let recorder = store.recorder(run: run)
        try await recorder.journal(.finishing(changes), chunk: 0)
        let (plan, result) = try await putBack(changes, desired: desired, providers: providers, recorder: recorder, onEvent: onEvent)
        let status: ApplyResult.Status = result.complete ? .reverted : .failed
        try await store.finishRun(
            run, status: result.complete ? .reverted : .failed, plan: plan,
            result: ApplyResult(status: status, chunks: [], error: result.error, revert: result),
            error: result.error.map { "finishing the revert of run \(interrupted): \($0)" })
        if let error = result.error {
            throw RunnerError(message: "run \(interrupted) was interrupted while reverting, and finishing its revert failed: \(error)")
        }
    }

    /// Puts back `changes` (newest first) to the values they replaced, against what is live
    /// now: only what is not back already, so it can be repeated any number of times.
    func putBack(
        _ changes: [Change], desired: DesiredState, providers: [String: any Provider], recorder: any RunRecorder,
        onEvent: @escaping @Sendable (ApplyEvent) -> Void
    ) async throws -> (Plan, RevertResult) {
        let stack = desired.settings.stack
        var live: [String: Inventory] = [:]
        for (name, own) in Dictionary(grouping: changes, by: \.provider) {
            guard let provider = providers[name] else {
                throw RunnerError(
                    message:
                        "changes of provider \(name) are to be put back, but the desired state no longer binds it; bind it again to finish the revert"
                )
            }
            let addresses = own.map(\.address)
            var names: [ResourceKind: Set<String>] = [:]
            for address in addresses { names[address.kind, default: []].insert(address.name) }
            let scope = DescribeScope(
                stack: stack, kinds: Set(addresses.map(\.kind)), zones: Set(addresses.compactMap(\.zoneName)).sorted(), names: names)
            live[name] = try await provider.readBack(addresses, scope: scope)
        }
        let reverse = Reversal.putBack(changes, live: live)
        let plan = Plan(
            stack: stack, source: source, summary: Plan.Summary(),
            chunks: Chunker(size: desired.settings.chunkSize, boundary: .kind).chunks(reverse), conflicts: [], observed: "")
        let applier = Applier(
            providers: providers, scopes: [:], context: ApplyContext(stack: stack), checks: [], executor: nil,
            recorder: recorder, onEvent: onEvent)
        return (plan, await applier.revert(plan))
    }
}

extension Workspace {
    /// After this run reverted its own changes: the changes an interrupted run had made
    /// before it, put back too, so the stack is as it was before that run.
    func putBack(
        carried: [Change], after result: ApplyResult, desired: DesiredState, providers: [String: any Provider],
        recorder: any RunRecorder, onEvent: @escaping @Sendable (ApplyEvent) -> Void
    ) async throws -> ApplyResult {
        var result = result
        let (_, more) = try await putBack(carried, desired: desired, providers: providers, recorder: recorder, onEvent: onEvent)
        result.revert?.chunks += more.chunks
        if let error = more.error {
            result.revert?.error = "putting back the interrupted run's changes: \(error)"
            result.status = .failed
        }
        return result
    }
}
