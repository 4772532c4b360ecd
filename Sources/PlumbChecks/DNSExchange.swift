import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Raw DNS exchanges over the sockets the dns check uses: a message out, the reply bytes
/// back, nothing interpreted but the id. For callers that build and verify messages
/// themselves (the rfc2136 provider signs them with TSIG).
public enum DNSExchange {
    /// One datagram to `host:port`, retransmitted twice within `timeout`; the reply with the
    /// same id. Nil when that reply is truncated (TC), so the caller asks over TCP.
    public static func udp(_ message: [UInt8], host: String, port: Int, timeout: Duration) async throws -> [UInt8]? {
        let deadline = ContinuousClock.now + timeout
        let late = DNSError(code: .timeout, message: "no answer from \(host) port \(port) within the timeout")
        return try await BlockingWork.run(deadline: deadline, lateError: late) { () throws -> [UInt8]? in
            let address = try resolve(host, port, type: Int32(SOCK_DGRAM.rawValue))
            switch try exchangeUDP(message, to: address, deadline: deadline, accept: { $0 }) {
            case .some(.answer(let reply)): return reply
            case .some(.truncated): return nil
            case .none: throw late
            }
        }
    }

    enum UDPReply<Answer> {
        case answer(Answer)
        /// The server set TC: ask again over TCP.
        case truncated
    }

    /// The datagram exchange both the dns check and the rfc2136 provider use: `message` on a
    /// connected socket (which drops datagrams from other sources and reports the server's
    /// ICMP port-unreachable as ECONNREFUSED), sent again at each third of the time left.
    /// Each reply with the message's id goes to `accept`, which gives the answer or nil to
    /// keep waiting (not a reply to this message, or an attacker guessing). Nil when the
    /// deadline passes first.
    static func exchangeUDP<Answer>(
        _ message: [UInt8], to address: Sockets.Address, deadline: ContinuousClock.Instant, accept: ([UInt8]) -> Answer?
    ) throws(DNSError) -> UDPReply<Answer>? {
        let descriptor = socket(address.family, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw failure("socket") }
        defer { close(descriptor) }
        var storage = address.storage
        let connected = withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(descriptor, $0, address.length) }
        }
        guard connected == 0 else { throw failure("connect to \(address.text)") }
        let interval = ContinuousClock.now.duration(to: deadline) / 3
        var nextSend = ContinuousClock.now
        var buffer = [UInt8](repeating: 0, count: 65535)
        while ContinuousClock.now < deadline {
            if ContinuousClock.now >= nextSend {
                guard send(descriptor, message, message.count, Int32(MSG_NOSIGNAL)) == message.count else { throw failure("send") }
                nextSend += interval
            }
            guard Sockets.waitUntilReady(descriptor, events: Int16(POLLIN), deadline: min(nextSend, deadline)) else { continue }
            let received = recv(descriptor, &buffer, buffer.count, Int32(MSG_DONTWAIT))
            if received < 0 {
                if errno == EAGAIN || errno == EINTR { continue }
                throw failure("receive from \(address.text)")
            }
            guard received >= 12, buffer[0] == message[0], buffer[1] == message[1], buffer[2] & 0x80 != 0 else { continue }
            if buffer[2] & 0x02 != 0 { return .truncated }
            if let answer = accept(Array(buffer[0..<received])) { return .answer(answer) }
        }
        return nil
    }

    /// The message over one TCP connection (two-byte length framing, RFC 1035 §4.2.2), then
    /// replies until `more` says the last has come: one for a query or an UPDATE, many for
    /// a zone transfer.
    public static func tcp(
        _ message: [UInt8], host: String, port: Int, timeout: Duration, more: @escaping @Sendable ([UInt8]) throws -> Bool
    ) async throws -> [[UInt8]] {
        let deadline = ContinuousClock.now + timeout
        let late = DNSError(code: .timeout, message: "no complete answer from \(host) port \(port) over TCP within the timeout")
        return try await BlockingWork.run(deadline: deadline, lateError: late) { () throws -> [[UInt8]] in
            let address = try resolve(host, port, type: Int32(SOCK_STREAM.rawValue))
            let descriptor: Int32
            do {
                descriptor = try Sockets.openTCP(to: address, deadline: deadline)
            } catch let error as TCPProbeError {
                throw DNSError(code: error.code == .timeout ? .timeout : .connectionFailed, message: error.message)
            }
            defer { close(descriptor) }
            var framed: [UInt8] = []
            framed.appendUInt16(UInt16(message.count))
            try write(framed + message, descriptor, deadline)
            var replies: [[UInt8]] = []
            while true {
                let header = try read(2, descriptor, deadline)
                let reply = try read(Int(header[0]) << 8 | Int(header[1]), descriptor, deadline)
                guard reply.count >= 12, reply[0] == message[0], reply[1] == message[1] else {
                    throw DNSError(code: .mismatchedResponse, message: "TCP reply from \(address.text) does not answer the request")
                }
                replies.append(reply)
                if try !more(reply) { return replies }
            }
        }
    }

    private static func resolve(_ host: String, _ port: Int, type: Int32) throws -> Sockets.Address {
        do {
            guard let address = try Sockets.resolve(host: host, port: port, type: type).first else {
                throw DNSError(code: .connectionFailed, message: "\(host): no addresses")
            }
            return address
        } catch let error as TCPProbeError {
            throw DNSError(code: .connectionFailed, message: error.message)
        }
    }

    // The socket steps below serve `DNSClient` too (the dns check's queries).

    static func write(_ bytes: [UInt8], _ descriptor: Int32, _ deadline: ContinuousClock.Instant) throws(DNSError) {
        var sent = 0
        while sent < bytes.count {
            let count = bytes[sent...].withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if count >= 0 {
                sent += count
            } else if errno == EAGAIN || errno == EINTR {
                guard Sockets.waitUntilReady(descriptor, events: Int16(POLLOUT), deadline: deadline) else {
                    throw DNSError(code: .timeout, message: "sending over TCP timed out")
                }
            } else {
                throw failure("send over TCP")
            }
        }
    }

    static func read(_ count: Int, _ descriptor: Int32, _ deadline: ContinuousClock.Instant) throws(DNSError) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        var filled = 0
        while filled < count {
            let received = bytes[filled...].withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if received > 0 {
                filled += received
            } else if received == 0 {
                throw DNSError(code: .connectionFailed, message: "the server closed the TCP connection mid-reply")
            } else if errno == EAGAIN || errno == EINTR {
                guard Sockets.waitUntilReady(descriptor, events: Int16(POLLIN), deadline: deadline) else {
                    throw DNSError(code: .timeout, message: "no reply over TCP in time")
                }
            } else {
                throw failure("receive over TCP")
            }
        }
        return bytes
    }

    static func failure(_ action: String) -> DNSError {
        let number = errno
        let code: DNSError.Code = [ECONNREFUSED, ENETUNREACH, EHOSTUNREACH].contains(number) ? .connectionFailed : .other
        return DNSError(code: code, message: "\(action): \(String(cString: strerror(number)))")
    }
}
