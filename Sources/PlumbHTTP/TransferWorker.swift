import Foundation

/// One request handed to a worker, with the continuation its caller is suspended on.
struct TransferJob: Sendable {
    let request: HTTPRequest
    let connectTimeout: Duration
    let cancel: CancelFlag
    let pool: WorkerPool
    let continuation: CheckedContinuation<HTTPResponse, any Error>
}

/// A dedicated thread with its own libcurl easy handle. `curl_easy_perform` blocks for the
/// whole transfer, so it runs here, never on Swift's cooperative pool, whose few threads
/// every task in the process shares.
final class TransferWorker: @unchecked Sendable {
    // `mailbox` and `stopping` are guarded by `condition`.
    private let condition = NSCondition()
    private var mailbox: TransferJob?
    private var stopping = false

    init(name: String) {
        // Named from inside: on Linux a name set before start never reaches the OS thread.
        let thread = Thread { [self] in
            Thread.current.name = name
            run()
        }
        thread.start()
    }

    /// Hands over one job. The pool gives a worker to one caller at a time, so the mailbox
    /// is always empty here.
    func submit(_ job: TransferJob) {
        condition.lock()
        precondition(mailbox == nil, "TransferWorker given a second job while busy")
        mailbox = job
        condition.signal()
        condition.unlock()
    }

    /// Lets the thread finish and free its handle; a job already submitted runs first.
    func stop() {
        condition.lock()
        stopping = true
        condition.signal()
        condition.unlock()
    }

    private func nextJob() -> TransferJob? {
        condition.lock()
        defer { condition.unlock() }
        while mailbox == nil && !stopping { condition.wait() }
        defer { mailbox = nil }
        return mailbox
    }

    private func run() {
        // Created on this thread and released when it ends, closing its connections.
        var easy: EasyHandle?
        while let job = nextJob() {
            if easy == nil { easy = EasyHandle() }
            let result: Result<HTTPResponse, any Error>
            if let easy {
                result = easy.perform(job.request, connectTimeout: job.connectTimeout, cancel: job.cancel)
            } else {
                result = .failure(HTTPError(code: .other, message: "libcurl could not create a handle"))
            }
            // Back to the pool first, so a waiting caller starts while this one resumes.
            job.pool.release(self)
            job.continuation.resume(with: result)
        }
    }
}
