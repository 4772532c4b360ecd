import Foundation

/// Delivery ids already handled, so a redelivered webhook does nothing new. Bounded: the
/// oldest ids are forgotten first.
actor DeliveryLog {
    private var seen: Set<String> = []
    private var order: [String] = []
    private let capacity: Int

    init(capacity: Int = 10_000) {
        self.capacity = capacity
    }

    /// True the first time an id is offered.
    func firstTime(_ id: String) -> Bool {
        guard !seen.contains(id) else { return false }
        seen.insert(id)
        order.append(id)
        if order.count > capacity {
            seen.remove(order.removeFirst())
        }
        return true
    }
}
