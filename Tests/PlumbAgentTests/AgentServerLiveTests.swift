import Foundation
import Hummingbird
import Logging
import NIOCore
import PlumbTestSupport
import Testing

@testable import PlumbAgent

/// The doors on a real socket: one listener built as the agent builds it
/// (`AgentServer.listener`), in process, with small limits so each test takes seconds.
@Suite("The agent's doors: live connections")
struct AgentServerLiveTests {
    /// Runs a listener with `doors` around `body`, then stops it.
    func withListener(_ doors: AgentDoors, _ body: @Sendable (Int) async throws -> Void) async throws {
        let router = Router()
        router.get("healthz") { _, _ in "ok\n" }
        router.post("hooks/github") { request, _ in
            var request = request
            _ = try await request.collectBody(upTo: 1 << 20)
            return "read\n"
        }
        let (ports, portFound) = AsyncStream.makeStream(of: Int.self)
        let listener = AgentServer.listener(
            router: router, address: ListenAddress(host: "127.0.0.1", port: 0), role: "--listen", doors: doors, secretSet: true,
            metrics: nil, logger: Logger(label: "test"), onRunning: { channel in portFound.yield(channel.localAddress?.port ?? 0) })
        let server = Task { try await listener.run() }
        defer { server.cancel() }
        var iterator = ports.makeAsyncIterator()
        let port = try #require(await iterator.next())
        try await body(port)
    }

    @Test("100 connections that trickle their request head are closed within the header timeout")
    func slowHeaders() async throws {
        var doors = AgentDoors()
        doors.headerTimeout = .seconds(2)
        try await withListener(doors) { port in
            let connections = try (0..<100).map { _ in try RawConnection(port: port) }
            for connection in connections { connection.send("GET /healthz HTTP/1.1\r\nHost: x\r\n") }
            // One more header byte every 100 ms: never a whole head, never idle at the socket.
            var closedAfter: [ObjectIdentifier: Duration] = [:]
            let start = ContinuousClock.now
            while closedAfter.count < connections.count, ContinuousClock.now - start < .seconds(6) {
                for connection in connections where closedAfter[ObjectIdentifier(connection)] == nil {
                    if !connection.send("X") || connection.isClosed(within: .zero) {
                        closedAfter[ObjectIdentifier(connection)] = ContinuousClock.now - connection.opened
                    }
                }
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(closedAfter.count == 100, "\(100 - closedAfter.count) slow connections still open after 6 s")
            let slowest = closedAfter.values.max() ?? .zero
            // The timeout, plus slack for this loop noticing on a loaded machine (measured 2.0-3.8 s).
            #expect(slowest < .seconds(4), "the slowest closed after \(slowest)")
            #expect((closedAfter.values.min() ?? .zero) >= .seconds(2) - .milliseconds(100))
        }
    }

    @Test("past maxConnections nothing more is accepted until a connection closes")
    func connectionLimit() async throws {
        var doors = AgentDoors()
        doors.maxConnections = 4
        try await withListener(doors) { port in
            var idle = try (0..<4).map { _ in try RawConnection(port: port) }
            try await Task.sleep(for: .milliseconds(200))
            let waiting = try RawConnection(port: port)
            waiting.send("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            #expect(await onThread { waiting.readAll(timeout: .milliseconds(500)) }.isEmpty, "a fifth connection was served")
            idle.removeFirst()
            #expect(await onThread { waiting.readAll(timeout: .seconds(5)) }.hasPrefix("HTTP/1.1 200"))
            _ = idle
        }
    }

    @Test("an unsigned webhook and an oversized one are answered from the head, their bodies never read")
    func answeredUnread() async throws {
        try await withListener(AgentDoors()) { port in
            let unsigned = try RawConnection(port: port)
            unsigned.send("POST /hooks/github HTTP/1.1\r\nHost: x\r\nContent-Length: 1048576\r\n\r\n")
            let answer = await onThread { unsigned.readAll(timeout: .seconds(5)) }
            #expect(answer.hasPrefix("HTTP/1.1 401"), "\(answer)")
            #expect(answer.lowercased().contains("connection: close"))
            #expect(await onThread { unsigned.isClosed(within: .seconds(2)) })

            let oversized = try RawConnection(port: port)
            oversized.send("POST /hooks/github HTTP/1.1\r\nHost: x\r\nX-Hub-Signature-256: sha256=00\r\nContent-Length: 1048577\r\n\r\n")
            #expect(await onThread { oversized.readAll(timeout: .seconds(5)) }.hasPrefix("HTTP/1.1 413"))

            // A small unsigned body is read to its end, so the client reads its 401 cleanly.
            let small = try RawConnection(port: port)
            small.send("POST /hooks/github HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello")
            #expect(await onThread { small.readAll(timeout: .seconds(5)) }.hasPrefix("HTTP/1.1 401"))

            // The connection stays usable for everything else.
            let normal = try RawConnection(port: port)
            normal.send("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            #expect(await onThread { normal.readAll(timeout: .seconds(5)) }.hasPrefix("HTTP/1.1 200"))
        }
    }
}
