import CLibGit2
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The TCP stream under every libgit2 transport (http, https through OpenSSL, git, ssh),
/// registered in place of libgit2's own, which blocks in `connect()` and `recv()` without
/// limit: a remote that accepts and never answers held a fetch (and the agent) for good.
/// This one connects within the transfer's connect timeout, fails a read or write that
/// waits longer than its stall timeout, and gives up at once when the transfer is stopped.
/// Its socket sits where libgit2's `git_socket_stream` keeps it, because the SSH transport
/// reads it from there.
enum GitSocketStream {
    /// Registers the stream once per process; every libgit2 network call goes through it.
    static let registered: Bool = {
        var registration = git_stream_registration()
        registration.version = 1  // GIT_STREAM_VERSION
        registration.`init` = { out, host, port in
            guard let out, let host, let port else { return -1 }
            out.pointee = GitSocketStream.make(host: host, port: port)
            return 0
        }
        return git_stream_register(GIT_STREAM_STANDARD, &registration) == 0
    }()

    private static let pollSlice: Int32 = 200

    static func make(host: UnsafePointer<CChar>, port: UnsafePointer<CChar>) -> UnsafeMutablePointer<git_stream> {
        let stream = UnsafeMutablePointer<plumb_socket_stream>.allocate(capacity: 1)
        stream.initialize(to: plumb_socket_stream())
        stream.pointee.parent.version = 1
        stream.pointee.host = strdup(host)
        stream.pointee.port = strdup(port)
        stream.pointee.s = -1
        // A fetch outside `GitRepository.fetch` (none today) still gets the default limits.
        let transfer = GitTransfer.current ?? GitTransfer(GitFetchOptions())
        stream.pointee.transfer = Unmanaged.passRetained(transfer).toOpaque()
        stream.pointee.parent.connect = { stream in GitSocketStream.own(stream).map { GitSocketStream.connect($0) } ?? -1 }
        stream.pointee.parent.read = { stream, buffer, length in GitSocketStream.own(stream).map { GitSocketStream.read($0, buffer, length) } ?? -1 }
        stream.pointee.parent.write = { stream, data, length, _ in GitSocketStream.own(stream).map { GitSocketStream.write($0, data, length) } ?? -1 }
        stream.pointee.parent.close = { stream in
            guard let own = GitSocketStream.own(stream) else { return -1 }
            if own.pointee.s >= 0 { GitSocketStream.transfer(own).close(own.pointee.s) }
            own.pointee.s = -1
            return 0
        }
        stream.pointee.parent.free = { stream in
            guard let own = GitSocketStream.own(stream) else { return }
            if own.pointee.s >= 0 { GitSocketStream.transfer(own).close(own.pointee.s) }
            free(own.pointee.host)
            free(own.pointee.port)
            if let pointer = own.pointee.transfer { Unmanaged<GitTransfer>.fromOpaque(pointer).release() }
            own.deinitialize(count: 1)
            own.deallocate()
        }
        return UnsafeMutableRawPointer(stream).assumingMemoryBound(to: git_stream.self)
    }

    /// libgit2 only ever hands back the pointer `make` returned.
    private static func own(_ stream: UnsafeMutablePointer<git_stream>?) -> UnsafeMutablePointer<plumb_socket_stream>? {
        stream.map { UnsafeMutableRawPointer($0).assumingMemoryBound(to: plumb_socket_stream.self) }
    }

    private static let unlimited = GitTransfer(GitFetchOptions())

    private static func transfer(_ stream: UnsafeMutablePointer<plumb_socket_stream>) -> GitTransfer {
        stream.pointee.transfer.map { Unmanaged<GitTransfer>.fromOpaque($0).takeUnretainedValue() } ?? unlimited
    }

    /// Sets libgit2's error for the failing call; returns -1.
    private static func fail(_ message: String) -> Int32 {
        git_error_set_str(Int32(GIT_ERROR_NET.rawValue), message)
        return -1
    }

    /// Fails with the transfer's stop reason when it was stopped.
    private static func stopped(_ transfer: GitTransfer) -> Int32? {
        transfer.stopReason.map { fail($0.reason) }
    }

    private static func connect(_ stream: UnsafeMutablePointer<plumb_socket_stream>) -> Int32 {
        let transfer = Self.transfer(stream)
        let host = String(cString: stream.pointee.host)
        let port = String(cString: stream.pointee.port)
        if let failed = stopped(transfer) { return failed }
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_family = AF_UNSPEC
        var info: UnsafeMutablePointer<addrinfo>?
        let resolved = getaddrinfo(host, port, &hints, &info)
        guard resolved == 0 else { return fail("failed to resolve address for \(host): \(String(cString: gai_strerror(resolved)))") }
        defer { freeaddrinfo(info) }
        var problem = "failed to connect to \(host)"
        var next = info
        while let address = next {
            next = address.pointee.ai_next
            let socket = Glibc.socket(
                address.pointee.ai_family, address.pointee.ai_socktype | Int32(SOCK_CLOEXEC.rawValue), address.pointee.ai_protocol)
            guard socket >= 0 else { continue }
            guard transfer.register(socket) else {
                _ = Glibc.close(socket)
                return stopped(transfer) ?? -1
            }
            switch connectSocket(socket, address.pointee.ai_addr, address.pointee.ai_addrlen, transfer, label: "\(host):\(port)") {
            case nil:
                stream.pointee.s = socket
                transfer.touch()
                return 0
            case let message?:
                problem = "failed to connect to \(host):\(port): \(message)"
                transfer.close(socket)
                if let failed = stopped(transfer) { return failed }
            }
        }
        return fail(problem)
    }

    /// Connects without blocking, waiting at most the connect timeout; nil on success, else
    /// why not. The socket is blocking again afterwards (libssh2 expects that).
    private static func connectSocket(
        _ socket: Int32, _ address: UnsafeMutablePointer<sockaddr>?, _ length: socklen_t, _ transfer: GitTransfer, label: String
    ) -> String? {
        let flags = fcntl(socket, F_GETFL)
        _ = fcntl(socket, F_SETFL, flags | O_NONBLOCK)
        defer { _ = fcntl(socket, F_SETFL, flags) }
        if Glibc.connect(socket, address, length) == 0 { return nil }
        guard errno == EINPROGRESS else { return String(cString: strerror(errno)) }
        let deadline = ContinuousClock.now + transfer.options.connectTimeout
        while ContinuousClock.now < deadline {
            if transfer.stopReason != nil { return "stopped" }
            var entry = pollfd(fd: socket, events: Int16(POLLOUT), revents: 0)
            let ready = poll(&entry, 1, pollSlice)
            if ready < 0 && errno != EINTR { return String(cString: strerror(errno)) }
            if ready > 0 {
                var error: Int32 = 0
                var size = socklen_t(MemoryLayout<Int32>.size)
                getsockopt(socket, SOL_SOCKET, SO_ERROR, &error, &size)
                return error == 0 ? nil : String(cString: strerror(error))
            }
        }
        let message = "no connection to \(label) within \(transfer.options.connectTimeout.plumbText) (connect timeout)"
        transfer.stop(.timedOut, message)
        return message
    }

    /// Waits until the socket is ready for `events`: 0 when it is, else the failure.
    private static func wait(_ socket: Int32, _ events: Int32, _ transfer: GitTransfer, host: String) -> Int32 {
        while true {
            if let failed = stopped(transfer) { return failed }
            var entry = pollfd(fd: socket, events: Int16(events), revents: 0)
            let ready = poll(&entry, 1, pollSlice)
            if ready > 0 { return 0 }
            if ready < 0 && errno != EINTR { return fail("error waiting for \(host): \(String(cString: strerror(errno)))") }
            transfer.checkStall()
        }
    }

    private static func read(_ stream: UnsafeMutablePointer<plumb_socket_stream>, _ buffer: UnsafeMutableRawPointer?, _ length: Int) -> Int {
        let transfer = Self.transfer(stream)
        let socket = stream.pointee.s
        let host = String(cString: stream.pointee.host)
        while true {
            if wait(socket, Int32(POLLIN), transfer, host: host) < 0 { return -1 }
            let count = recv(socket, buffer, length, 0)
            if count >= 0 {
                // A shut-down socket reads as the end: say why, not "unexpected EOF".
                if count == 0, let failed = stopped(transfer) { return Int(failed) }
                transfer.touch()
                return count
            }
            if errno == EINTR || errno == EAGAIN { continue }
            if let failed = stopped(transfer) { return Int(failed) }
            return Int(fail("error receiving data from \(host): \(String(cString: strerror(errno)))"))
        }
    }

    private static func write(_ stream: UnsafeMutablePointer<plumb_socket_stream>, _ data: UnsafePointer<CChar>?, _ length: Int) -> Int {
        let transfer = Self.transfer(stream)
        let socket = stream.pointee.s
        let host = String(cString: stream.pointee.host)
        while true {
            if wait(socket, Int32(POLLOUT), transfer, host: host) < 0 { return -1 }
            // MSG_NOSIGNAL: a peer that closed must fail the write, not kill the process.
            let count = send(socket, data, length, Int32(MSG_NOSIGNAL))
            if count >= 0 {
                transfer.touch()
                return count
            }
            if errno == EINTR || errno == EAGAIN { continue }
            if let failed = stopped(transfer) { return Int(failed) }
            return Int(fail("error sending data to \(host): \(String(cString: strerror(errno)))"))
        }
    }
}
