import Foundation
import PlumbHTTP

/// Which events a subscriber wants (`/events?stack=&commit=`). A commit matches by prefix,
/// so an abbreviated id works too.
public struct EventFilter: Sendable, Hashable {
    public var stack: String?
    public var commit: String?

    public init(stack: String? = nil, commit: String? = nil) {
        self.stack = stack.flatMap { $0.isEmpty ? nil : $0 }
        self.commit = commit.flatMap { $0.isEmpty ? nil : $0.lowercased() }
    }

    public func matches(_ event: AgentEvent) -> Bool {
        if let stack, event.stack != stack { return false }
        if let commit {
            // Drift events belong to a stack, not to a commit someone follows.
            guard let id = event.commit, id.hasPrefix(commit) else { return false }
        }
        return true
    }
}

/// The agent's events, fanned out to every subscriber, with the newest `capacity` kept so a
/// client that reconnects (`Last-Event-ID`) or arrives late (`plumb follow` after the run
/// started) misses nothing still held.
///
/// Publishing is synchronous and ordered under one lock: the apply loop's callback is not
/// async, and subscribers must see events in the order they happened. Ids start at the
/// agent's start time in milliseconds, so they keep increasing across restarts and an old
/// `Last-Event-ID` never hides a new incarnation's events.
public final class EventBus: Sendable {
    public enum Element: Sendable {
        case event(AgentEvent)
        /// Nothing happened for a while: the server writes a comment so proxies and clients
        /// know the stream is alive, and a closed client is noticed.
        case heartbeat
    }

    private struct State {
        var nextID: Int
        var recent: [AgentEvent] = []
        var subscribers: [Int: (EventFilter, AsyncStream<Element>.Continuation)] = [:]
        var nextSubscriber = 0
        var finished = false
    }

    private let state: Locked<State>
    let capacity: Int

    public init(capacity: Int = 2048, firstID: Int = Int(Date().timeIntervalSince1970 * 1000)) {
        self.capacity = max(1, capacity)
        state = Locked(State(nextID: firstID))
    }

    /// Numbers, stamps and delivers `event`; returns it as delivered.
    @discardableResult
    public func publish(_ event: AgentEvent) -> AgentEvent {
        state.withLock { state in
            var event = event
            event.id = state.nextID
            event.time = Date()
            state.nextID += 1
            state.recent.append(event)
            if state.recent.count > capacity { state.recent.removeFirst(state.recent.count - capacity) }
            for (filter, continuation) in state.subscribers.values where filter.matches(event) {
                continuation.yield(.event(event))
            }
            return event
        }
    }

    /// The held events after `lastID` that match (none when `lastID` is nil), and a stream of
    /// everything published from now on; taken in one step, so nothing falls between them.
    /// The stream ends when the subscriber stops iterating or the bus finishes.
    public func subscribe(_ filter: EventFilter, after lastID: Int?, heartbeat: Duration = .seconds(15))
        -> (backlog: [AgentEvent], stream: AsyncStream<Element>)
    {
        let (stream, continuation) = AsyncStream.makeStream(of: Element.self, bufferingPolicy: .bufferingNewest(4096))
        let (backlog, key): ([AgentEvent], Int?) = state.withLock { state in
            let backlog = lastID.map { last in state.recent.filter { $0.id > last && filter.matches($0) } } ?? []
            guard !state.finished else { return (backlog, nil) }
            let key = state.nextSubscriber
            state.nextSubscriber += 1
            state.subscribers[key] = (filter, continuation)
            return (backlog, key)
        }
        guard let key else {
            continuation.finish()
            return (backlog, stream)
        }
        let ticker = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: heartbeat)
                continuation.yield(.heartbeat)
            }
        }
        continuation.onTermination = { [weak self] _ in
            ticker.cancel()
            self?.state.withLock { _ = $0.subscribers.removeValue(forKey: key) }
        }
        return (backlog, stream)
    }

    /// Ends every stream (graceful shutdown: the server waits for open responses).
    public func finish() {
        let continuations = state.withLock { state in
            state.finished = true
            defer { state.subscribers = [:] }
            return state.subscribers.values.map(\.1)
        }
        for continuation in continuations { continuation.finish() }
    }

    var subscriberCount: Int { state.withLock { $0.subscribers.count } }

    /// The held events that match, oldest first.
    public func recent(_ filter: EventFilter) -> [AgentEvent] {
        state.withLock { $0.recent.filter(filter.matches) }
    }
}
