import Foundation

/// Why the agent will not start: a code for code, a sentence that says what to do for people.
public struct AgentStartError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable {
        /// `--listen` is not a loopback address and nothing protects the read endpoints.
        case publicWithoutToken
        /// `PLUMB_API_TOKEN` is shorter than `AgentDoors.minimumTokenLength`.
        case tokenTooShort
        /// A listener's address could not be bound.
        case bind
    }

    public var code: Code
    public var message: String
    public var description: String { message }

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }
}

extension AgentConfiguration {
    /// The doors' rules, checked before the agent opens anything: throws when it must not
    /// start, else returns the warnings to log.
    public func checkDoors() throws -> [String] {
        let listen = ListenAddress(host: host, port: port)
        var warnings: [String] = []
        if let token = doors.apiToken, !token.isEmpty {
            guard token.count >= AgentDoors.minimumTokenLength else {
                throw AgentStartError(
                    .tokenTooShort,
                    "PLUMB_API_TOKEN has \(token.count) characters; it needs at least \(AgentDoors.minimumTokenLength) (e.g. openssl rand -hex 32)")
            }
        } else if !listen.isLoopback {
            guard doors.publicRead else {
                throw AgentStartError(
                    .publicWithoutToken,
                    "refusing to serve /status, /runs, /plans and /metrics without a token on \(listen), which is not a loopback address: "
                        + "set PLUMB_API_TOKEN, or listen on 127.0.0.1 and give the forge --webhook-listen, or pass --public-read to serve them to anyone"
                )
            }
            warnings.append("--public-read: /status, /runs, /plans and /metrics are served without a token on \(listen)")
        }
        if (webhookSecret ?? "").isEmpty {
            warnings.append(
                "PLUMB_WEBHOOK_SECRET is not set: every webhook will be refused (401); set it to the secret the forge signs deliveries with")
        }
        return warnings
    }
}
