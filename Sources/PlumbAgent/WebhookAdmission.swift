/// How many webhook bodies are read at once: `limit` read, `waiting` more wait their turn in
/// order, and anyone past that is told no at once (the route answers 503). A body that waits
/// holds its connection, not its bytes: nothing is read until it is admitted.
actor WebhookAdmission {
    private let limit: Int
    private let waitingLimit: Int
    private var running = 0
    private var waiters: [CheckedContinuation<Void, Never>] = []

    init(limit: Int, waiting: Int) {
        self.limit = max(1, limit)
        waitingLimit = max(0, waiting)
    }

    /// False when all places and all waiting places are taken; true once admitted, and then
    /// `leave()` must follow.
    func enter() async -> Bool {
        if running < limit {
            running += 1
            return true
        }
        guard waiters.count < waitingLimit else { return false }
        await withCheckedContinuation { waiters.append($0) }
        return true
    }

    func leave() {
        if waiters.isEmpty {
            running -= 1
        } else {
            waiters.removeFirst().resume()
        }
    }
}
