import Foundation

/// A value behind an `NSLock`. `Synchronization.Mutex` would do, but needs macOS 15 and the
/// package still supports macOS 14. Public for the provider kit's counters and registry.
public final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value

    public init(_ value: Value) { self.value = value }

    public func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}

/// Set by a cancelled task, read by the transfer's progress callback on a worker thread.
final class CancelFlag: Sendable {
    private let state = Locked(false)

    func raise() { state.withLock { $0 = true } }
    var isRaised: Bool { state.withLock { $0 } }
}
