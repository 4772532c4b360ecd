/// The apply loop: chunk by chunk, write → read back → checks, stopping at the first
/// failure (SPEC §5; "change one, test one").
///
/// It never throws: the result always says what was applied, what failed and what was not
/// attempted, so the caller can record it and choose the exit code.
public struct Applier: Sendable {
    public var providers: [String: any Provider]
    public var scopes: [String: DescribeScope]
    public var context: ApplyContext
    public var checks: [Check]
    public var executor: CheckExecutor?
    public var recorder: any RunRecorder
    public var onEvent: @Sendable (ApplyEvent) -> Void
    /// Asked before each chunk: a graceful shutdown lets the chunk in flight finish and
    /// skips the rest.
    public var shouldStop: @Sendable () -> Bool = { false }
    /// `on_failure` (SPEC §8.5): with `revert`, every intent keeps the value it replaces,
    /// and a failed check puts back what the run applied.
    public var onFailure: StackSettings.OnFailure = .stop

    public init(
        providers: [String: any Provider], scopes: [String: DescribeScope], context: ApplyContext,
        checks: [Check], executor: CheckExecutor?, recorder: any RunRecorder,
        onEvent: @escaping @Sendable (ApplyEvent) -> Void = { _ in }
    ) {
        self.providers = providers
        self.scopes = scopes
        self.context = context
        self.checks = checks
        self.executor = executor
        self.recorder = recorder
        self.onEvent = onEvent
    }

    public func apply(_ plan: Plan) async -> ApplyResult {
        guard plan.hasChanges else { return ApplyResult(status: .unchanged, chunks: []) }
        var results: [ChunkResult] = []
        var failure: String?
        for chunk in plan.chunks {
            if failure != nil || Task.isCancelled || shouldStop() {
                results.append(skipped(chunk))
                continue
            }
            onEvent(.chunkStarted(index: chunk.index, of: plan.chunks.count, changes: chunk.changes.count))
            let result = await applyChunk(chunk, of: plan.chunks.count)
            results.append(result)
            if result.status == .failed {
                failure = "chunk \(chunk.index + 1) of \(plan.chunks.count): \(result.error ?? "failed")"
                onEvent(.chunkFailed(index: chunk.index, error: result.error ?? "failed"))
            } else {
                onEvent(.chunkApplied(index: chunk.index))
            }
        }
        if failure == nil, Task.isCancelled || shouldStop(), results.contains(where: { $0.status == .skipped }) {
            failure = "interrupted before every chunk was applied"
        }
        if onFailure == .revert, let failed = results.last(where: { $0.status == .failed }),
            failed.checks.contains(where: { !$0.passed })
        {
            let outcome = await revert(results, plan: plan, failedChecks: failed.checks.filter { !$0.passed }.map(\.name))
            return ApplyResult(status: outcome.complete ? .reverted : .failed, chunks: results, error: failure, revert: outcome)
        }
        return ApplyResult(status: failure == nil ? .succeeded : .failed, chunks: results, error: failure)
    }

    private func skipped(_ chunk: Plan.Chunk) -> ChunkResult {
        ChunkResult(
            index: chunk.index, status: .skipped,
            changes: chunk.changes.map { ChangeResult(address: $0.address, action: $0.action, status: .notApplied) },
            checks: [], error: nil, durationMs: 0)
    }

    func applyChunk(_ chunk: Plan.Chunk, of total: Int = 0, reverting: Bool = false) async -> ChunkResult {
        let watch = Stopwatch()
        var changeResults: [ChangeResult] = []
        var error: String?
        // A chunk may span providers (chunking.by: none); each provider gets its own batch.
        for batch in Self.batches(chunk.changes) where error == nil {
            let (results, batchError) = await applyBatch(batch, chunk: chunk.index, reverting: reverting)
            changeResults += results
            error = batchError
        }
        let attempted = Set(changeResults.map(\.address))
        changeResults += chunk.changes.filter { !attempted.contains($0.address) }.map {
            ChangeResult(address: $0.address, action: $0.action, status: .notApplied)
        }
        await recorder.timing(reverting ? "revert" : "apply", detail: "chunk \(chunk.index + 1)", seconds: watch.seconds)
        if !reverting {
            onEvent(
                .chunkWritten(
                    ChunkResult(
                        index: chunk.index, status: error == nil ? .applied : .failed, changes: changeResults, checks: [], error: error,
                        durationMs: watch.milliseconds),
                    of: total))
        }
        var checkResults: [CheckResult] = []
        if error == nil, !reverting {
            let addresses = chunk.changes.map(\.address)
            for check in checks where check.applies(to: addresses) {
                guard let executor else { break }
                onEvent(.checkStarted(name: check.name))
                let result = await executor.run(check, chunk: chunk.index + 1)
                await recorder.timing("check", detail: check.name, seconds: result.durationMs / 1000)
                onEvent(.checkFinished(result))
                checkResults.append(result)
                if !result.passed {
                    error = "check \(check.name) failed: \(result.detail)"
                    break
                }
            }
        }
        return ChunkResult(
            index: chunk.index, status: error == nil ? .applied : .failed, changes: changeResults,
            checks: checkResults, error: error, durationMs: watch.milliseconds)
    }

    /// Writes one provider's batch, journals it, then confirms it by reading back.
    private func applyBatch(_ batch: [Change], chunk: Int, reverting: Bool) async -> ([ChangeResult], String?) {
        let provider = batch[0].provider
        guard let target = providers[provider] else {
            return ([], "provider \(provider) is not configured")
        }
        do {
            if reverting {
                try await recorder.journal(.revertIntent(batch), chunk: chunk)
            } else if onFailure == .revert {
                try await recorder.journal(.reversible(batch), chunk: chunk)
            } else {
                try await recorder.intend(batch, chunk: chunk)
            }
        } catch {
            return ([], "cannot write the journal before changing anything: \(error)")
        }
        let outcome = await target.apply(batch, context: context)
        var results: [ChangeResult] = []
        var error: String?
        for (change, result) in zip(batch, outcome.outcomes) {
            switch result.status {
            case .applied(let id):
                results.append(ChangeResult(address: change.address, action: change.action, status: .applied, id: id))
            case .failed(let providerError):
                results.append(ChangeResult(address: change.address, action: change.action, status: .failed, error: providerError.description))
                error = error ?? "\(change.action.rawValue) \(change.address) failed: \(providerError.description)"
            case .notAttempted:
                results.append(ChangeResult(address: change.address, action: change.action, status: .notApplied))
            }
        }
        if error == nil {
            let watch = Stopwatch()
            error = await confirm(batch, provider: target, results: &results)
            await recorder.timing("readback", detail: "chunk \(chunk + 1)", seconds: watch.seconds)
        }
        if reverting {
            try? await recorder.journal(.reverted(results), chunk: chunk)
        } else {
            try? await recorder.record(results, chunk: chunk)
        }
        return (results, error)
    }

    /// Reads back what the batch wrote; a change the provider accepted but does not report
    /// as written is not counted as applied.
    private func confirm(_ batch: [Change], provider: any Provider, results: inout [ChangeResult]) async -> String? {
        let scope = scopes[provider.binding.name] ?? DescribeScope(stack: context.stack, kinds: Set(batch.map(\.address.kind)))
        let inventory: Inventory
        do {
            inventory = try await provider.readBack(batch.map(\.address), scope: scope)
        } catch {
            for index in results.indices where results[index].status == .applied {
                results[index].status = .unconfirmed
                results[index].error = "written but not confirmed: read-back failed"
            }
            return "read-back after the write failed: \(error)"
        }
        var problems: [String] = []
        for (index, change) in batch.enumerated() where results[index].status == .applied {
            if let mismatch = Self.mismatch(change, live: inventory.resources[change.address], stack: context.stack) {
                results[index].status = .unconfirmed
                results[index].error = "written but the provider reports otherwise: \(mismatch)"
                problems.append("\(change.address): \(mismatch)")
            }
        }
        return problems.isEmpty ? nil : "read-back mismatch: " + problems.joined(separator: "; ")
    }

    static func mismatch(_ change: Change, live: LiveResource?, stack: String) -> String? {
        guard let after = change.after else {
            return live == nil ? nil : "still exists after delete"
        }
        guard let live else { return "absent after \(change.action.rawValue)" }
        let differences = after.differences(fromLive: live.spec)
        if !differences.isEmpty {
            return differences.map { "\($0.field) is \(ValueText.show($0.live)), wanted \(ValueText.show($0.desired))" }.joined(separator: ", ")
        }
        if change.address.kind.isTaggedCloudKind, live.owner != stack {
            return "not tagged plumb:stack=\(stack)"
        }
        return nil
    }

    /// Consecutive runs of changes for the same provider.
    static func batches(_ changes: [Change]) -> [[Change]] {
        var batches: [[Change]] = []
        for change in changes {
            if let last = batches.last?.last, last.provider == change.provider {
                batches[batches.count - 1].append(change)
            } else {
                batches.append([change])
            }
        }
        return batches
    }
}
