import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Whether a TCP port accepts connections.
public struct TCPProbe: Sendable {
    /// Returns once a TCP connection to `host:port` is established (and closes it at once).
    /// Every address `host` resolves to is tried in turn, all within `timeout`.
    /// Throws `TCPProbeError`.
    public static func connect(host: String, port: Int, timeout: Duration) async throws {
        let deadline = ContinuousClock.now + timeout
        let late = TCPProbeError(code: .timeout, message: "\(host) port \(port): no connection within the timeout")
        try await BlockingWork.run(deadline: deadline, lateError: late) {
            let descriptor = try Sockets.openTCP(host: host, port: port, deadline: deadline)
            close(descriptor)
        }
    }
}

public struct TCPProbeError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: Sendable, Hashable {
        case resolutionFailed
        /// The host answered with a reset: nothing listens on the port.
        case refused
        case unreachable
        case timeout
        case other
    }

    public var code: Code
    public var message: String

    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "TCP \(code): \(message)" }
}

/// Runs blocking system calls on a thread of their own: a blocked thread of Swift's
/// cooperative pool (one per core) would stall unrelated tasks.
enum BlockingWork {
    /// The work bounds its own waits by `deadline`, except name resolution (getaddrinfo has
    /// no timeout); shortly after the deadline the caller gets `lateError` and the thread
    /// is left to finish on its own, its result dropped.
    static func run<T: Sendable>(
        deadline: ContinuousClock.Instant, lateError: any Error, _ work: @escaping @Sendable () throws -> T
    ) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let outcome = FirstOutcome(continuation)
            let watchdog = Task {
                try? await Task.sleep(until: deadline + .milliseconds(200), clock: .continuous)
                if !Task.isCancelled { outcome.deliver(.failure(lateError)) }
            }
            Thread {
                outcome.deliver(Result { try work() })
                watchdog.cancel()
            }.start()
        }
    }

    /// Resumes the continuation with whichever outcome comes first, exactly once.
    private final class FirstOutcome<T: Sendable>: @unchecked Sendable {
        private let lock = NSLock()
        private var continuation: CheckedContinuation<T, any Error>?

        init(_ continuation: CheckedContinuation<T, any Error>) { self.continuation = continuation }

        func deliver(_ result: Result<T, any Error>) {
            lock.lock()
            let waiting = continuation
            continuation = nil
            lock.unlock()
            waiting?.resume(with: result)
        }
    }
}

/// The POSIX socket steps that TCPProbe and DNSClient share.
enum Sockets {
    struct Address {
        var storage = sockaddr_storage()
        var length: socklen_t = 0
        var family: Int32 = 0
        var text = ""
    }

    /// Resolves with getaddrinfo (blocking; callers are on a BlockingWork thread).
    static func resolve(host: String, port: Int, type: Int32) throws(TCPProbeError) -> [Address] {
        guard (1...65535).contains(port) else {
            throw TCPProbeError(code: .other, message: "port \(port) is out of range")
        }
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = type
        hints.ai_flags = AI_NUMERICSERV
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0 else {
            throw TCPProbeError(code: .resolutionFailed, message: "\(host): \(String(cString: gai_strerror(status)))")
        }
        defer { freeaddrinfo(list) }
        var addresses: [Address] = []
        var cursor = list
        while let info = cursor?.pointee {
            var address = Address(length: info.ai_addrlen, family: info.ai_family)
            withUnsafeMutableBytes(of: &address.storage) { storage in
                storage.copyMemory(from: UnsafeRawBufferPointer(start: info.ai_addr, count: Int(info.ai_addrlen)))
            }
            address.text = numericText(info, port: port)
            addresses.append(address)
            cursor = info.ai_next
        }
        return addresses
    }

    /// "192.0.2.1 port 80" / "2001:db8::1 port 80": which address failed, when a name has several.
    private static func numericText(_ info: addrinfo, port: Int) -> String {
        var buffer = [CChar](repeating: 0, count: 64)
        let status = getnameinfo(info.ai_addr, info.ai_addrlen, &buffer, socklen_t(buffer.count), nil, 0, NI_NUMERICHOST)
        let host = status == 0 ? String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) : "?"
        return "\(host) port \(port)"
    }

    /// A connected, nonblocking TCP socket to the first address of `host` that accepts.
    static func openTCP(host: String, port: Int, deadline: ContinuousClock.Instant) throws(TCPProbeError) -> Int32 {
        var lastError = TCPProbeError(code: .resolutionFailed, message: "\(host): no addresses")
        for address in try resolve(host: host, port: port, type: Int32(SOCK_STREAM.rawValue)) {
            do {
                return try openTCP(to: address, deadline: deadline)
            } catch {
                lastError = error
                if error.code == .timeout { break }
            }
        }
        throw lastError
    }

    /// Nonblocking connect, then poll until writable or the deadline: a blocking connect
    /// could wait minutes for SYN retries whatever timeout the caller asked for.
    static func openTCP(to address: Address, deadline: ContinuousClock.Instant) throws(TCPProbeError) -> Int32 {
        let flags = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        let descriptor = socket(address.family, flags, 0)
        guard descriptor >= 0 else { throw failure(errno, "socket") }
        var storage = address.storage
        let result = withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(descriptor, $0, address.length) }
        }
        if result == 0 { return descriptor }
        guard errno == EINPROGRESS else {
            let error = errno
            close(descriptor)
            throw failure(error, "connect to \(address.text)")
        }
        guard waitUntilReady(descriptor, events: Int16(POLLOUT), deadline: deadline) else {
            close(descriptor)
            throw TCPProbeError(code: .timeout, message: "connect to \(address.text): timed out")
        }
        var socketError: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        getsockopt(descriptor, SOL_SOCKET, SO_ERROR, &socketError, &length)
        guard socketError == 0 else {
            close(descriptor)
            throw failure(socketError, "connect to \(address.text)")
        }
        return descriptor
    }

    /// Polls one descriptor; false once the deadline passes first. Retries on EINTR.
    static func waitUntilReady(_ descriptor: Int32, events: Int16, deadline: ContinuousClock.Instant) -> Bool {
        while true {
            let remaining = ContinuousClock.now.duration(to: deadline)
            guard remaining > .zero else { return false }
            let (seconds, attoseconds) = remaining.components
            let milliseconds = Int32(clamping: seconds * 1000 + attoseconds / 1_000_000_000_000_000 + 1)
            var entry = pollfd(fd: descriptor, events: events, revents: 0)
            let ready = poll(&entry, 1, milliseconds)
            if ready > 0 { return true }
            if ready < 0 && errno != EINTR { return true }  // let the next call report the error
        }
    }

    static func failure(_ error: Int32, _ action: String) -> TCPProbeError {
        let code: TCPProbeError.Code
        switch error {
        case ECONNREFUSED: code = .refused
        case ENETUNREACH, EHOSTUNREACH: code = .unreachable
        case ETIMEDOUT: code = .timeout
        default: code = .other
        }
        return TCPProbeError(code: code, message: "\(action): \(String(cString: strerror(error)))")
    }
}
