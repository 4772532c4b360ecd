import Foundation

/// Who may come in, and how much the agent takes in at once (SPEC §8.2, Docs/security.md
/// "The agent's doors"). Every limit here is enforced before the thing it limits is read.
public struct AgentDoors: Sendable, Equatable {
    /// `PLUMB_API_TOKEN`: when set, everything but `/hooks/*`, `/healthz` and `/login` needs
    /// it (a bearer token, or the session cookie `/login` sets).
    public var apiToken: String?
    /// `--public-read`: serve the read endpoints without a token on a non-loopback address.
    public var publicRead = false
    /// `--webhook-listen`: a second listener that serves only `/hooks/*` and `/healthz`.
    public var webhookListen: ListenAddress?
    /// Connections open at once, per listener; past it the agent stops accepting until one
    /// closes (the kernel's backlog holds the rest).
    public var maxConnections = 1024
    /// A connection that has not sent a whole request head this long after it opened (or
    /// after its last answer), or that stalls this long in a body, is closed.
    public var headerTimeout: Duration = .seconds(10)
    /// The largest webhook body; a larger `Content-Length` is refused (413) unread.
    public var maxWebhookBody = 1 << 20
    /// Webhook bodies read (and verified) at once; `webhookBodiesWaiting` more wait their
    /// turn, and past that a delivery is answered 503.
    public var webhookBodiesInFlight = 16
    public var webhookBodiesWaiting = 64
    /// How long a delivery id, or the hash of a body, is remembered in the store: the same
    /// delivery again within it is answered 200 and does nothing.
    public var replayWindow: Duration = .seconds(24 * 3600)
    /// Pull requests waiting for a review plan; each keeps only its newest head. Past it a
    /// review event is answered 503.
    public var reviewQueue = 256
    /// Review plans computed at once.
    public var reviewWorkers = 1
    /// The shortest `PLUMB_API_TOKEN` accepted: a short one can be guessed over the network.
    public static let minimumTokenLength = 16

    public init() {}
}

/// `HOST:PORT`, as `--listen`, `--webhook-listen`, `listen:` and `webhook_listen:` take it.
public struct ListenAddress: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Port 0: any free port.
    public init?(_ text: String) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, let port = Int(parts[1]), (0...65535).contains(port) else { return nil }
        self.init(host: String(parts[0]), port: port)
    }

    public var description: String { "\(host):\(port)" }

    /// `localhost`, 127.0.0.0/8 and ::1: reachable only from this machine. Any other name
    /// may resolve to anything, so it counts as public.
    public var isLoopback: Bool {
        let host = self.host.hasPrefix("[") && self.host.hasSuffix("]") ? String(self.host.dropFirst().dropLast()) : self.host
        if host.lowercased() == "localhost" { return true }
        var v4 = in_addr()
        if inet_pton(AF_INET, host, &v4) == 1 { return UInt32(bigEndian: v4.s_addr) >> 24 == 127 }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, host, &v6) == 1 {
            return host == "::1" || withUnsafeBytes(of: v6) { $0.dropLast().allSatisfy { $0 == 0 } && $0.last == 1 }
        }
        return false
    }
}
