import Foundation

/// Hands out at most `limit` workers at a time; further callers wait, in arrival order.
/// Idle workers are reused last-in first-out, so a caller sending requests one after
/// another keeps getting the same easy handle and with it the same keep-alive connection.
final class WorkerPool: Sendable {
    private struct Waiter {
        let id: UInt64
        let continuation: CheckedContinuation<TransferWorker, any Error>
        /// Fails the wait at the request's deadline; cancelled once a worker is handed over.
        var timer: Task<Void, Never>?
    }

    private struct State {
        var idle: [TransferWorker] = []
        var created = 0
        var waiters: [Waiter] = []
        var nextWaiterID: UInt64 = 0
        var closed = false
    }

    private enum Grant {
        case worker(TransferWorker)
        case create(Int)
        case queued
        case refused(any Error)
    }

    let limit: Int
    private let state = Locked(State())

    init(limit: Int) {
        self.limit = max(1, limit)
    }

    /// A worker for one transfer; give it back with `release`. Waiting ends early with
    /// `CancellationError` when the task is cancelled, or with a timeout at `deadline`:
    /// a request's timeout covers its wait for a free slot too.
    func acquire(before deadline: ContinuousClock.Instant) async throws -> TransferWorker {
        let id = state.withLock { state in
            state.nextWaiterID += 1
            return state.nextWaiterID
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let grant = state.withLock { state -> Grant in
                    // Checked under the lock, so a cancellation either lands before this
                    // (and is seen here) or after the waiter is queued (and removes it).
                    if Task.isCancelled { return .refused(CancellationError()) }
                    if state.closed { return .refused(HTTPError(code: .other, message: "HTTP client shut down")) }
                    if let worker = state.idle.popLast() { return .worker(worker) }
                    if state.created < limit {
                        state.created += 1
                        return .create(state.created)
                    }
                    state.waiters.append(Waiter(id: id, continuation: continuation))
                    return .queued
                }
                switch grant {
                case .worker(let worker): continuation.resume(returning: worker)
                case .create(let number): continuation.resume(returning: TransferWorker(name: "plumb-http-\(number)"))
                case .refused(let error): continuation.resume(throwing: error)
                case .queued: expire(waiter: id, at: deadline)
                }
            }
        } onCancel: {
            fail(waiter: id, with: CancellationError())
        }
    }

    private func expire(waiter id: UInt64, at deadline: ContinuousClock.Instant) {
        let timer = Task { [weak self] in
            try? await Task.sleep(until: deadline, clock: .continuous)
            guard !Task.isCancelled else { return }
            self?.fail(waiter: id, with: HTTPError(code: .timeout, message: "timed out waiting for a free transfer slot"))
        }
        let queued = state.withLock { state -> Bool in
            guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return false }
            state.waiters[index].timer = timer
            return true
        }
        if !queued { timer.cancel() }
    }

    private func fail(waiter id: UInt64, with error: any Error) {
        let waiter = state.withLock { state -> Waiter? in
            guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
            return state.waiters.remove(at: index)
        }
        waiter?.timer?.cancel()
        waiter?.continuation.resume(throwing: error)
    }

    /// Returns a worker: straight to the longest waiter, else onto the idle stack.
    func release(_ worker: TransferWorker) {
        enum Next {
            case waiter(Waiter)
            case idle, stop
        }
        let next = state.withLock { state -> Next in
            if state.closed { return .stop }
            if !state.waiters.isEmpty { return .waiter(state.waiters.removeFirst()) }
            state.idle.append(worker)
            return .idle
        }
        switch next {
        case .waiter(let waiter):
            waiter.timer?.cancel()
            waiter.continuation.resume(returning: worker)
        case .stop:
            worker.stop()
        case .idle:
            break
        }
    }

    /// Stops idle workers now and busy ones when they come back; later `acquire`s fail.
    func shutdown() {
        let (idle, waiters) = state.withLock { state in
            state.closed = true
            defer {
                state.idle = []
                state.waiters = []
            }
            return (state.idle, state.waiters)
        }
        idle.forEach { $0.stop() }
        for waiter in waiters {
            waiter.timer?.cancel()
            waiter.continuation.resume(throwing: HTTPError(code: .other, message: "HTTP client shut down"))
        }
    }
}
