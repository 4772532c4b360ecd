import Foundation

/// Plumb's one HTTP client, over libcurl.
///
/// - Transfers run on dedicated threads, one per easy handle, never on Swift's
///   cooperative pool; callers suspend until theirs completes.
/// - At most `maxConcurrent` transfers are in flight; more callers wait their turn, and
///   the wait counts against their request's timeout.
/// - Handles are reused, so keep-alive connections are too.
/// - TLS certificates and host names are always verified.
/// - Cancelling the calling task aborts its transfer and throws `CancellationError`.
/// - Redirects are not followed: a 3xx is returned like any other response.
/// - Like the curl command, libcurl honours `http_proxy`, `https_proxy` and `no_proxy`.
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
        let deadline = ContinuousClock.now + request.timeout
        let worker = try await pool.acquire(before: deadline)
        // What is left of the timeout after waiting for a slot is the transfer's limit.
        var transfer = request
        transfer.timeout = ContinuousClock.now.duration(to: deadline)
        if Task.isCancelled || transfer.timeout <= .zero {
            pool.release(worker)
            if Task.isCancelled { throw CancellationError() }
            throw HTTPError(code: .timeout, message: "timed out waiting for a free transfer slot")
        }
        let cancel = CancelFlag()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                worker.submit(
                    TransferJob(
                        request: transfer, connectTimeout: connectTimeout, cancel: cancel,
                        pool: pool, continuation: continuation))
            }
        } onCancel: {
            cancel.raise()
        }
    }
}
