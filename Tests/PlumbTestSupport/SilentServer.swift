import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A loopback TCP port that accepts connections (the kernel completes the handshake into
/// its backlog) and never answers: a remote as a black hole sees it. `backlog` 0 and
/// `fill()` make one whose backlog is full, so further connects hang unanswered.
public final class SilentServer: @unchecked Sendable {
    public let port: Int
    private let socket: Int32
    private var fillers: [Int32] = []

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    public init(backlog: Int32 = 64) throws {
        (socket, port) = try Self.listening(backlog: backlog)
    }

    /// A listening loopback socket on a free port, for servers that do answer.
    public static func listening(backlog: Int32 = 64) throws -> (socket: Int32, port: Int) {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw Failure(description: "socket: \(String(cString: strerror(errno)))") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(socket, backlog) == 0 else {
            close(socket)
            throw Failure(description: "bind/listen: \(String(cString: strerror(errno)))")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socket, $0, &length) }
        }
        return (socket, Int(UInt16(bigEndian: address.sin_port)))
    }

    /// Connects (without ever reading) until a connect no longer completes at once: the
    /// backlog is full, and the kernel drops further SYNs.
    public func fill() {
        for _ in 0..<8 {
            let client = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            address.sin_port = UInt16(port).bigEndian
            _ = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(client, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            fillers.append(client)
            var entry = pollfd(fd: client, events: Int16(POLLOUT), revents: 0)
            if poll(&entry, 1, 300) == 0 { return }
        }
    }

    deinit {
        for client in fillers { close(client) }
        close(socket)
    }
}
