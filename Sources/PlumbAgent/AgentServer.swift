import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import NIOConcurrencyHelpers
import NIOCore
import ServiceLifecycle

/// One listener of the agent with its doors: at most `maxConnections` connections (past
/// that, nothing more is accepted until one closes), `headerTimeout` for a request head to
/// arrive and for a body to move (hummingbird's idle timeout: only whole request parts
/// count as activity, so a head trickled byte by byte does not keep a connection open), and
/// `WebhookGate` refusing from the head what needs no body.
enum AgentServer {
    /// Connections the kernel holds before they are accepted (capped by net.core.somaxconn).
    static let backlog = 4096
    /// Connections accepted per turn of the listener's event loop.
    static let acceptsPerTurn: UInt = 256

    static func listener(
        router: Router<BasicRequestContext>, address: ListenAddress, role: String, doors: AgentDoors, secretSet: Bool,
        metrics: AgentMetrics?, logger: Logger, onRunning: @escaping @Sendable (any Channel) async -> Void
    ) -> Listener {
        let precheck = RequestPrecheck(secretSet: secretSet, maxWebhookBody: doors.maxWebhookBody)
        let onRefusal: @Sendable (RequestPrecheck.Refusal) -> Void = { refusal in
            if let source = refusal.source { metrics?.recordWebhook(source: source, result: refusal.result) }
        }
        let started = NIOLockedValueBox(false)
        let application = Application(
            router: router,
            server: .http1(
                configuration: .init(
                    additionalChannelHandlers: [WebhookGate(precheck: precheck, onRefusal: onRefusal)],
                    idleTimeout: TimeAmount(doors.headerTimeout))),
            configuration: .init(
                address: .hostname(address.host, port: address.port), serverName: "plumb",
                // hummingbird's 256 overflows under a flood, and the kernel then drops SYNs
                // (/healthz waited for the 1 s retransmit: p95 0.8 s at 800 connections at once).
                backlog: Self.backlog,
                availableConnectionsDelegate: MaximumAvailableConnections(doors.maxConnections)),
            onServerRunning: { channel in
                // NIO accepts 4 connections per turn of the listener's event loop, which also
                // serves its share of the open connections: under a flood a new connection
                // (a /healthz probe) waited its turn behind hundreds (p95 0.6 s at 800 at once).
                try? await channel.setOption(ChannelOptions.maxMessagesPerRead, value: Self.acceptsPerTurn)
                started.withLockedValue { $0 = true }
                await onRunning(channel)
            },
            logger: logger)
        return Listener(application: application, address: address, role: role, started: started)
    }

    /// Binds and closes `address` once before the agent starts anything, so a taken port
    /// stops it before a reconcile begins (the listener itself binds later, among the other
    /// services). Port 0 always binds.
    static func probe(_ address: ListenAddress, role: String) throws {
        guard address.port != 0 else { return }
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_PASSIVE
        var found: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(address.host, String(address.port), &hints, &found) == 0, let info = found else {
            throw AgentStartError(
                .bind, "cannot listen on \(address) (\(role)): \(address.host) does not resolve; give \(role) an address of this machine")
        }
        defer { freeaddrinfo(found) }
        let descriptor = socket(info.pointee.ai_family, info.pointee.ai_socktype, info.pointee.ai_protocol)
        guard descriptor >= 0 else { return }
        defer { close(descriptor) }
        // As the listener will: SO_REUSEADDR still fails on a port another socket listens on.
        var one: Int32 = 1
        setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        if bind(descriptor, info.pointee.ai_addr, info.pointee.ai_addrlen) != 0 {
            throw bindError(IOError(errnoCode: errno, reason: "bind"), address: address, role: role)
        }
    }

    /// What a failed bind means and what to do about it.
    static func bindError(_ error: any Error, address: ListenAddress, role: String) -> AgentStartError {
        let reason: String
        switch (error as? IOError)?.errnoCode {
        case EADDRINUSE:
            reason =
                "the address is in use: another process (perhaps another plumb agent) listens there; "
                + "stop it (ss -ltnp 'sport = :\(address.port)' names it) or give \(role) another port"
        case EACCES:
            reason = "permission denied: ports below 1024 need privileges; use a port from 1024 up or grant CAP_NET_BIND_SERVICE"
        case EADDRNOTAVAIL:
            reason = "this machine has no such address; give \(role) one of its addresses, 127.0.0.1 or 0.0.0.0"
        default:
            reason = "\(error); check the address given to \(role)"
        }
        return AgentStartError(.bind, "cannot listen on \(address) (\(role)): \(reason)")
    }
}

/// Runs one listener; a failure before it is listening is told as `AgentStartError.bind`,
/// naming the address.
struct Listener: Service {
    let application: Application<RouterResponder<BasicRequestContext>>
    let address: ListenAddress
    let role: String
    let started: NIOLockedValueBox<Bool>

    func run() async throws {
        do {
            try await application.run()
        } catch {
            guard started.withLockedValue({ $0 }) else { throw AgentServer.bindError(error, address: address, role: role) }
            throw error
        }
    }
}
