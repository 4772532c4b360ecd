extension Applier {
    /// `on_failure: revert` after a failed check: applies the reverse of every change the
    /// run applied, newest first, one chunk per applied chunk, each read back; no checks
    /// between them; then the checks that failed, once more, to report whether putting
    /// back helped.
    func revert(_ results: [ChunkResult], plan: Plan, failedChecks: [String]) async -> RevertResult {
        var reverse = plan
        reverse.chunks = Self.reverseChunks(of: results, plan: plan)
        var result = await revert(reverse)
        guard let executor else { return result }
        for check in checks where failedChecks.contains(check.name) {
            onEvent(.checkStarted(name: check.name))
            let outcome = await executor.run(check)
            await recorder.timing("check", detail: "\(check.name) after revert", seconds: outcome.durationMs / 1000)
            onEvent(.checkFinished(outcome))
            result.checks.append(outcome)
        }
        return result
    }

    /// Applies chunks of reverse changes, journalled as a revert, read back, without checks.
    /// Stops at the first chunk that cannot be put back: what it could not undo stays, and
    /// the error says how much.
    public func revert(_ reverse: Plan) async -> RevertResult {
        let total = reverse.chunks.reduce(0) { $0 + $1.changes.count }
        onEvent(.revertStarted(changes: total))
        var done: [ChunkResult] = []
        var error: String?
        for (position, chunk) in reverse.chunks.enumerated() {
            let result = await applyChunk(chunk, reverting: true)
            done.append(result)
            if result.status == .failed {
                let left =
                    reverse.chunks[position...].reduce(0) { $0 + $1.changes.count }
                    - result.changes.filter { $0.status == .applied }.count
                error = "putting back chunk \(chunk.index + 1) failed (\(left) change(s) not put back): \(result.error ?? "failed")"
                break
            }
        }
        onEvent(.revertFinished(complete: error == nil, error: error))
        return RevertResult(chunks: done, checks: [], error: error)
    }

    /// The reverse of each chunk that applied something, newest chunk first and, within a
    /// chunk, newest change first, so dependencies unwind in the opposite order they were
    /// built (a subnet's delete before its VPC's).
    static func reverseChunks(of results: [ChunkResult], plan: Plan) -> [Plan.Chunk] {
        var planned: [Address: Change] = [:]
        for change in plan.changes { planned[change.address] = change }
        return results.reversed().compactMap { result in
            let reversed = result.changes.reversed().compactMap { outcome -> Change? in
                // Unconfirmed: the provider took it and may hold it; its reverse is harmless
                // if it does not (creates and deletes are idempotent).
                guard outcome.status == .applied || outcome.status == .unconfirmed,
                    let change = planned[outcome.address]
                else { return nil }
                return Reversal.reverse(of: change, id: outcome.id)
            }
            guard !reversed.isEmpty else { return nil }
            let providers = Set(reversed.map(\.provider))
            let kinds = Set(reversed.map(\.address.kind))
            return Plan.Chunk(
                index: result.index, provider: providers.count == 1 ? providers.first : nil,
                kind: kinds.count == 1 ? kinds.first : nil, changes: reversed)
        }
    }
}
