import PlumbCore
import Synchronization

/// The last prior state each stack read or wrote, with its JSON: a prior whose stored text
/// is still exactly that text is not decoded again (10,000 addresses: 10 ms of every run,
/// on the path of a push). The text is always read from the store, so a prior another
/// process wrote meanwhile is never missed; only the decode is saved.
public final class PriorCache: Sendable {
    private let entries = Mutex<[String: (text: String, prior: PriorState)]>([:])

    public init() {}

    /// The stack's prior state from its stored JSON.
    public func prior(stack: String, text: String) throws -> PriorState {
        if let known = entries.withLock({ $0[stack] }), known.text == text { return known.prior }
        let prior = try PriorState.decode(json: text)
        entries.withLock { $0[stack] = (text, prior) }
        return prior
    }

    /// Called with what was just stored.
    public func remember(stack: String, text: String, prior: PriorState) {
        entries.withLock { $0[stack] = (text, prior) }
    }
}
