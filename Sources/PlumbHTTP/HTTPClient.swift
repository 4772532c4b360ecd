import Foundation

/// Plumb's one HTTP client, over libcurl.
///
/// - Transfers run on dedicated threads, one per easy handle, never on Swift's
///   cooperative pool; callers suspend until theirs completes.
/// - At most `maxConcurrent` transfers are in flight; more callers wait their turn.
/// - Handles are reused, so keep-alive connections are too.
/// - TLS certificates and host names are always verified.
/// - Cancelling the calling task aborts its transfer and throws `CancellationError`.
public final class HTTPClient: Sendable {
    private let pool: WorkerPool
    private let connectTimeout: Duration

    /// - Parameters:
    ///   - maxConcurrent: transfers in flight at once (and threads and handles kept); at least 1.
    ///   - connectTimeout: limit on name resolution plus TCP and TLS connection setup.
    public init(maxConcurrent: Int = 8, connectTimeout: Duration = .seconds(5)) {
        self.pool = WorkerPool(limit: maxConcurrent)
        self.connectTimeout = connectTimeout
    }

    deinit {
        pool.shutdown()
    }

    /// Sends `request` and returns the complete response, whatever its status.
    /// Throws `HTTPError` when no response arrived, `CancellationError` when cancelled.
    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        try request.validate()
        try CurlRuntime.ensureInitialized()
        let worker = try await pool.acquire()
        if Task.isCancelled {
            pool.release(worker)
            throw CancellationError()
        }
        let cancel = CancelFlag()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                worker.submit(
                    TransferJob(
                        request: request, connectTimeout: connectTimeout, cancel: cancel,
                        pool: pool, continuation: continuation))
            }
        } onCancel: {
            cancel.raise()
        }
    }
}
