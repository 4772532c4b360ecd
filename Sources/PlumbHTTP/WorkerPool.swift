import Foundation

/// Hands out at most `limit` workers at a time; further callers wait, in arrival order.
/// Idle workers are reused last-in first-out, so a caller sending requests one after
/// another keeps getting the same easy handle and with it the same keep-alive connection.
final class WorkerPool: Sendable {
    private struct Waiter {
        let id: UInt64
        let continuation: CheckedContinuation<TransferWorker, any Error>
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

    /// A worker for one transfer; give it back with `release`. Waiting ends with
    /// `CancellationError` if the task is cancelled first.
    func acquire() async throws -> TransferWorker {
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
                case .queued: break
                }
            }
        } onCancel: {
            let waiter = state.withLock { state -> Waiter? in
                guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
                return state.waiters.remove(at: index)
            }
            waiter?.continuation.resume(throwing: CancellationError())
        }
    }

    /// Returns a worker: straight to the longest waiter, else onto the idle stack.
    func release(_ worker: TransferWorker) {
        enum Next { case waiter(Waiter), idle, stop }
        let next = state.withLock { state -> Next in
            if state.closed { return .stop }
            if !state.waiters.isEmpty { return .waiter(state.waiters.removeFirst()) }
            state.idle.append(worker)
            return .idle
        }
        switch next {
        case .waiter(let waiter): waiter.continuation.resume(returning: worker)
        case .stop: worker.stop()
        case .idle: break
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
            waiter.continuation.resume(throwing: HTTPError(code: .other, message: "HTTP client shut down"))
        }
    }
}
