import Foundation
import Testing

@testable import PlumbChecks

#if canImport(Glibc)
    import Glibc
#endif

@Suite("TCPProbe on loopback", .timeLimit(.minutes(1)))
struct TCPProbeTests {
    @Test func openListenerAccepts() async throws {
        let listener = try LoopbackListener(backlog: 16)
        try await TCPProbe.connect(host: "127.0.0.1", port: listener.port, timeout: .seconds(2))
    }

    @Test func closedPortIsRefusedFast() async throws {
        let closed = try LoopbackListener(backlog: nil)
        let start = ContinuousClock.now
        let error = await #expect(throws: TCPProbeError.self) {
            try await TCPProbe.connect(host: "127.0.0.1", port: closed.port, timeout: .seconds(60))
        }
        #expect(error?.code == .refused)
        #expect(ContinuousClock.now - start < .seconds(30))  // far below the 60 s timeout, whatever the load
    }

    @Test(arguments: [0, 65536, -1])
    func portOutOfRangeIsRejected(port: Int) async throws {
        let error = await #expect(throws: TCPProbeError.self) {
            try await TCPProbe.connect(host: "127.0.0.1", port: port, timeout: .seconds(1))
        }
        #expect(error?.code == .other)
    }

    /// Linux drops SYNs to a listener whose accept queue is full, so a connect to it hangs:
    /// a timeout on loopback, with no traffic leaving the machine.
    @Test func timeoutIsHonouredWhenTheAcceptQueueIsFull() async throws {
        let listener = try LoopbackListener(backlog: 0)
        try #require(await listener.fillAcceptQueue(), "the accept queue never filled; cannot provoke a connect timeout on loopback")
        let start = ContinuousClock.now
        let error = await #expect(throws: TCPProbeError.self) {
            try await TCPProbe.connect(host: "127.0.0.1", port: listener.port, timeout: .milliseconds(500))
        }
        let elapsed = ContinuousClock.now - start
        #expect(error?.code == .timeout)
        #expect(elapsed >= .milliseconds(490))
        #expect(elapsed < .seconds(30))
    }

    /// getaddrinfo cannot be given a timeout; the caller must get its error on time anyway.
    @Test func blockingWorkThatOverrunsItsDeadlineIsAbandoned() async throws {
        let start = ContinuousClock.now
        let error = await #expect(throws: TCPProbeError.self) {
            try await BlockingWork.run(deadline: start + .milliseconds(200), lateError: TCPProbeError(code: .timeout, message: "late")) {
                Thread.sleep(forTimeInterval: 60)
                return 1
            }
        }
        #expect(error?.code == .timeout)
        #expect(ContinuousClock.now - start < .seconds(30))  // the work itself takes 60 s
    }
}

/// A TCP socket bound to 127.0.0.1 on a kernel-chosen port. With a backlog it listens
/// (and never accepts); without one it only holds the port, so connecting is refused.
final class LoopbackListener {
    let descriptor: Int32
    let port: Int

    init(backlog: Int32?) throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw LoopbackListenerError(step: "socket", number: errno) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(descriptor, pointer, length) == 0 && getsockname(descriptor, pointer, &length) == 0
            }
        }
        guard bound else {
            close(descriptor)
            throw LoopbackListenerError(step: "bind", number: errno)
        }
        if let backlog, listen(descriptor, backlog) != 0 {
            close(descriptor)
            throw LoopbackListenerError(step: "listen", number: errno)
        }
        self.descriptor = descriptor
        self.port = Int(UInt16(bigEndian: address.sin_port))
    }

    deinit { close(descriptor) }

    /// Connects until a connect hangs: with backlog 0 and nobody accepting, Linux then drops
    /// further SYNs, so every later connect to this listener times out. True once full.
    func fillAcceptQueue() async -> Bool {
        for _ in 0..<8 {
            do {
                try await TCPProbe.connect(host: "127.0.0.1", port: port, timeout: .milliseconds(200))
            } catch let error as TCPProbeError where error.code == .timeout {
                return true
            } catch {
                return false
            }
        }
        return false
    }
}

struct LoopbackListenerError: Error {
    let step: String
    let number: Int32
}
