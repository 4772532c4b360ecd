import Crypto
import Foundation
import PlumbStore

/// Knows a delivery seen before, across restarts and across agents sharing a store: by its
/// delivery id, and by the hash of its event and body, so a captured signed body sent again
/// under a new (or no) delivery id is known too. Both are kept in the store for `window`.
struct ReplayGuard: Sendable {
    let store: any StateStore
    let window: Duration

    /// True the first time: neither the delivery id nor the body was seen within the window.
    /// Both keys are recorded either way.
    func firstTime(source: String, delivery: String?, event: String, body: [UInt8], now: Date = Date()) async throws -> Bool {
        let seconds = Double(window.components.seconds) + Double(window.components.attoseconds) / 1e18
        var hash = SHA256()
        hash.update(data: Data("\(source)\n\(event)\n".utf8))
        hash.update(data: body)
        let bodyIsNew = try await store.recordDelivery("body:" + Self.hex(hash.finalize()), at: now, window: seconds)
        guard let delivery, !delivery.isEmpty else { return bodyIsNew }
        // A delivery id is the sender's text: long ones are kept as their hash.
        let id = delivery.utf8.count <= 128 ? delivery : Self.hex(SHA256.hash(data: Data(delivery.utf8)))
        let idIsNew = try await store.recordDelivery("id:\(source):\(id)", at: now, window: seconds)
        return bodyIsNew && idIsNew
    }

    static func hex(_ digest: some Sequence<UInt8>) -> String {
        digest.map { String(format: "%02x", $0) }.joined()
    }
}
