import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// One fetch under way: its limits, when the remote last sent or took anything, the sockets
/// it has open, and why it was stopped. The socket stream finds it through the fetching
/// thread (libgit2 gives a stream no payload); `stop` shuts its sockets down, which wakes a
/// `recv()` or `poll()` blocked on them in any thread.
final class GitTransfer: @unchecked Sendable {
    let options: GitFetchOptions
    /// Given to the remote through libgit2's credential callback (the callbacks' payload is
    /// this transfer), so every fetch has both its limits and its credentials.
    let credentials: GitCredentials
    private let lock = NSLock()
    private var credentialRequests = 0
    private var sockets: Set<Int32> = []
    private var lastActivity = ContinuousClock.now
    private var stopped: (code: GitError.Code, reason: String)?

    init(_ options: GitFetchOptions, credentials: GitCredentials = GitCredentials()) {
        self.options = options
        self.credentials = credentials
    }

    /// Counts one request for credentials; the count so far.
    func requestCredentials() -> Int {
        lock.withLock {
            credentialRequests += 1
            return credentialRequests
        }
    }

    /// Why the transfer was stopped, if it was.
    var stopReason: (code: GitError.Code, reason: String)? { lock.withLock { stopped } }

    /// Bytes went either way.
    func touch() { lock.withLock { lastActivity = .now } }

    var idle: Duration { lock.withLock { ContinuousClock.now - lastActivity } }

    /// Stops the transfer once; the first reason wins.
    func stop(_ code: GitError.Code, _ reason: String) {
        lock.withLock {
            guard stopped == nil else { return }
            stopped = (code, reason)
            for socket in sockets { _ = shutdown(socket, Int32(SHUT_RDWR)) }
        }
    }

    /// Stops a transfer that waited on the remote longer than the stall timeout.
    func checkStall() {
        if idle > options.stallTimeout {
            stop(.timedOut, "the remote sent nothing for \(options.stallTimeout.plumbText) (stall timeout)")
        }
    }

    /// Tracks a socket; a transfer already stopped refuses it.
    func register(_ socket: Int32) -> Bool {
        lock.withLock {
            guard stopped == nil else { return false }
            sockets.insert(socket)
            return true
        }
    }

    /// Forgets and closes a socket under the lock, so `stop` never shuts down a descriptor
    /// number that was closed and handed to someone else.
    func close(_ socket: Int32) {
        lock.withLock {
            sockets.remove(socket)
            _ = Glibc.close(socket)
        }
    }

    // The transfer of the fetch running on this thread.
    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key, nil)
        return key
    }()

    static var current: GitTransfer? {
        guard let pointer = pthread_getspecific(key) else { return nil }
        return Unmanaged<GitTransfer>.fromOpaque(pointer).takeUnretainedValue()
    }

    /// Runs `body` with `self` as this thread's transfer.
    func whileCurrent<T>(_ body: () throws -> T) rethrows -> T {
        pthread_setspecific(Self.key, Unmanaged.passUnretained(self).toOpaque())
        defer { pthread_setspecific(Self.key, nil) }
        return try body()
    }
}

extension Duration {
    /// `2s`, `1.5s`: for messages.
    var plumbText: String {
        let (seconds, attoseconds) = components
        let milliseconds = attoseconds / 1_000_000_000_000_000
        return milliseconds == 0 ? "\(seconds)s" : String(format: "%.1fs", Double(seconds) + Double(milliseconds) / 1000)
    }
}
