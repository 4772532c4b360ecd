import Foundation

/// How many notifications a stack may send: at most `limit` in any `window`, so a flapping
/// stack does not flood a channel. What is held back is counted and told with the next one
/// that goes out.
public struct NotificationBudget: Sendable {
    public var limit: Int
    public var window: TimeInterval
    private var sent: [String: [Date]] = [:]
    private var suppressed: [String: Int] = [:]

    public init(limit: Int = 6, window: TimeInterval = 600) {
        self.limit = max(1, limit)
        self.window = window
    }

    /// Nil when the stack's budget is spent (the notification is counted as held back);
    /// otherwise how many were held back since the last one that went out.
    public mutating func take(stack: String, at now: Date = Date()) -> Int? {
        var times = sent[stack, default: []].filter { now.timeIntervalSince($0) < window }
        guard times.count < limit else {
            sent[stack] = times
            suppressed[stack, default: 0] += 1
            return nil
        }
        times.append(now)
        sent[stack] = times
        defer { suppressed[stack] = 0 }
        return suppressed[stack, default: 0]
    }
}
