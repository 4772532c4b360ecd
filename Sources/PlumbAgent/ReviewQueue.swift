import OrderedCollections

/// Review plans wait here instead of each event starting a task: at most `capacity`
/// requests wait, each keeps only its newest job (a newer head replaces an older one not
/// yet started), and `workers` jobs run at once. A job for a request already running waits
/// for that run to end, so one request's plans never overlap.
actor ReviewQueue {
    typealias Job = @Sendable () async -> Void

    enum Outcome: Equatable, Sendable {
        case queued
        /// An older job for the same request was waiting and is dropped for this one.
        case replaced
        /// `capacity` other requests are waiting: the job is refused.
        case full
    }

    private let capacity: Int
    private let workers: Int
    private var waiting: OrderedDictionary<String, Job> = [:]
    private var running: Set<String> = []

    init(capacity: Int, workers: Int) {
        self.capacity = max(1, capacity)
        self.workers = max(1, workers)
    }

    func submit(_ key: String, _ job: @escaping Job) -> Outcome {
        let outcome: Outcome
        if waiting[key] != nil {
            outcome = .replaced
        } else if waiting.count >= capacity {
            return .full
        } else {
            outcome = .queued
        }
        waiting[key] = job
        startNext()
        return outcome
    }

    /// Requests waiting and running, for tests and `/status`.
    var counts: (waiting: Int, running: Int) { (waiting.count, running.count) }

    private func startNext() {
        while running.count < workers, let index = waiting.keys.firstIndex(where: { !running.contains($0) }) {
            let (key, job) = waiting.remove(at: index)
            running.insert(key)
            Task {
                await job()
                self.finished(key)
            }
        }
    }

    private func finished(_ key: String) {
        running.remove(key)
        startNext()
    }
}
