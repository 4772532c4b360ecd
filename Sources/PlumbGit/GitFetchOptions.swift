import Foundation

/// Limits of one fetch. libgit2 1.5 has no network timeouts of its own (its sockets block in
/// `connect()` and `recv()` for as long as the peer keeps the connection open), so Plumb's
/// socket stream enforces these (see `GitSocketStream`).
public struct GitFetchOptions: Sendable {
    /// How long connecting to one address of the remote may take.
    public var connectTimeout: Duration
    /// How long the remote may send nothing while the fetch waits for it.
    public var stallTimeout: Duration
    /// Cancels this fetch (and every other fetch sharing it) at once, e.g. on shutdown.
    public var cancellation: GitCancellation?

    public static let defaultConnectTimeout: Duration = .seconds(10)
    public static let defaultStallTimeout: Duration = .seconds(60)

    public init(
        connectTimeout: Duration = Self.defaultConnectTimeout, stallTimeout: Duration = Self.defaultStallTimeout,
        cancellation: GitCancellation? = nil
    ) {
        self.connectTimeout = connectTimeout
        self.stallTimeout = stallTimeout
        self.cancellation = cancellation
    }
}

/// Cancels the fetches it was given, now and from now on: every fetch under way fails at once
/// (its sockets are shut down, which wakes a read blocked in libgit2 or libssh2) and every
/// later one fails before it connects.
public final class GitCancellation: @unchecked Sendable {
    private let lock = NSLock()
    private var reason: String?
    private var transfers: [ObjectIdentifier: GitTransfer] = [:]

    public init() {}

    public var isCancelled: Bool { lock.withLock { reason != nil } }

    public func cancel(_ why: String = "the fetch was cancelled") {
        let running = lock.withLock {
            if reason == nil { reason = why }
            return Array(transfers.values)
        }
        for transfer in running { transfer.stop(.cancelled, why) }
    }

    /// Adds a transfer; it is stopped at once when the cancellation already happened.
    func adopt(_ transfer: GitTransfer) {
        let why: String? = lock.withLock {
            transfers[ObjectIdentifier(transfer)] = transfer
            return reason
        }
        if let why { transfer.stop(.cancelled, why) }
    }

    func drop(_ transfer: GitTransfer) {
        lock.withLock { _ = transfers.removeValue(forKey: ObjectIdentifier(transfer)) }
    }
}
