/// The time a check executor reads and waits on. Checks run against the monotonic clock;
/// tests hand in a clock they drive, so windows of minutes are judged in microseconds.
public protocol CheckClock: Sendable {
    /// Time since a fixed point (the clock's creation).
    var now: Duration { get }
    /// Returns after `duration`, or early when the task is cancelled.
    func sleep(for duration: Duration) async
}

/// The monotonic clock.
public struct SystemCheckClock: CheckClock {
    private let start = ContinuousClock.now

    public init() {}

    public var now: Duration { ContinuousClock.now - start }

    public func sleep(for duration: Duration) async {
        try? await Task.sleep(for: duration)
    }
}
