import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Asks one DNS server directly (no system resolver, cache or search domains), so a
/// check sees exactly what that server serves.
public struct DNSClient: Sendable {
    /// Sends one query over UDP, retransmitting twice within `timeout`, and repeats it over
    /// TCP when the reply is truncated. Replies with the wrong id or question are ignored,
    /// as RFC 5452 asks. An NXDOMAIN or SERVFAIL is an answer, not an error: see `rcode`.
    public static func query(
        name: String, type: String, server host: String, port: Int = 53, timeout: Duration = .seconds(5)
    ) async throws -> DNSAnswer {
        guard let recordType = DNSRecordType(name: type) else {
            throw DNSError(code: .unsupportedType, message: "record type '\(type)' is not supported")
        }
        let expected = Expected(
            id: .random(in: .min ... .max), name: name.hasSuffix(".") ? name.lowercased() : name.lowercased() + ".",
            type: recordType.rawValue)
        let query = try DNSMessage.query(name: name, type: recordType, id: expected.id)
        let deadline = ContinuousClock.now + timeout
        let late = DNSError(code: .timeout, message: "no answer from \(host) port \(port) within the timeout")
        return try await BlockingWork.run(deadline: deadline, lateError: late) {
            let server = try socketStep { () throws(TCPProbeError) in
                try Sockets.resolve(host: host, port: port, type: Int32(SOCK_DGRAM.rawValue))
            }
            guard let address = server.first else {
                throw DNSError(code: .connectionFailed, message: "\(host): no addresses")
            }
            if let answer = try exchangeUDP(query, expected: expected, server: address, deadline: deadline) {
                return answer
            }
            return try exchangeTCP(query, expected: expected, server: address, deadline: deadline)
        }
    }

    /// What a reply must echo to count as the answer to our query.
    struct Expected: Sendable {
        let id: UInt16
        let name: String
        let type: String

        func matches(_ answer: DNSAnswer) -> Bool {
            // Servers may leave the question out of error replies; the id still has to match.
            answer.id == id && (answer.questionName ?? name) == name && (answer.questionType ?? type) == type
        }
    }

    /// Returns nil when the server set TC, so the caller asks again over TCP.
    static func exchangeUDP(
        _ query: [UInt8], expected: Expected, server: Sockets.Address, deadline: ContinuousClock.Instant
    ) throws(DNSError) -> DNSAnswer? {
        let descriptor = socket(server.family, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw DNSExchange.failure("socket") }
        defer { close(descriptor) }
        // A connected UDP socket drops datagrams from other sources and reports the
        // server's ICMP port-unreachable as ECONNREFUSED.
        var storage = server.storage
        let connected = withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(descriptor, $0, server.length) }
        }
        guard connected == 0 else { throw DNSExchange.failure("connect to \(server.text)") }

        let retransmitInterval = ContinuousClock.now.duration(to: deadline) / 3
        var nextSend = ContinuousClock.now
        var lastProblem: DNSError?
        var buffer = [UInt8](repeating: 0, count: 65535)
        while ContinuousClock.now < deadline {
            if ContinuousClock.now >= nextSend {
                guard send(descriptor, query, query.count, Int32(MSG_NOSIGNAL)) == query.count else { throw DNSExchange.failure("send") }
                nextSend += retransmitInterval
            }
            guard Sockets.waitUntilReady(descriptor, events: Int16(POLLIN), deadline: min(nextSend, deadline)) else { continue }
            let received = recv(descriptor, &buffer, buffer.count, Int32(MSG_DONTWAIT))
            if received < 0 {
                if errno == EAGAIN || errno == EINTR { continue }
                throw DNSExchange.failure("receive from \(server.text)")
            }
            let packet = Array(buffer[0..<received])
            // Not a reply to this query (or an attacker guessing): keep waiting for the real one.
            guard packet.count >= 12, packet[0] == UInt8(expected.id >> 8), packet[1] == UInt8(expected.id & 0xFF),
                packet[2] & 0x80 != 0
            else { continue }
            if packet[2] & 0x02 != 0 { return nil }
            do {
                let answer = try DNSMessage.parse(packet)
                if expected.matches(answer) { return answer }
                lastProblem = DNSError(code: .mismatchedResponse, message: "reply from \(server.text) answers another question")
            } catch {
                lastProblem = error
            }
        }
        throw lastProblem ?? DNSError(code: .timeout, message: "no reply from \(server.text) over UDP in time")
    }

    /// One query over TCP, framed with a two-byte length (RFC 1035 §4.2.2).
    static func exchangeTCP(
        _ query: [UInt8], expected: Expected, server: Sockets.Address, deadline: ContinuousClock.Instant
    ) throws(DNSError) -> DNSAnswer {
        let descriptor = try socketStep { () throws(TCPProbeError) in try Sockets.openTCP(to: server, deadline: deadline) }
        defer { close(descriptor) }
        var framed: [UInt8] = []
        framed.appendUInt16(UInt16(query.count))
        framed += query
        try DNSExchange.write(framed, descriptor, deadline)
        let header = try DNSExchange.read(2, descriptor, deadline)
        let packet = try DNSExchange.read(Int(header[0]) << 8 | Int(header[1]), descriptor, deadline)
        let answer = try DNSMessage.parse(packet)
        guard packet[2] & 0x80 != 0, expected.matches(answer) else {
            throw DNSError(code: .mismatchedResponse, message: "TCP reply from \(server.text) does not answer the query")
        }
        return answer
    }

    /// Runs a shared socket step, restating its error in DNS terms.
    private static func socketStep<T>(_ step: () throws(TCPProbeError) -> T) throws(DNSError) -> T {
        do {
            return try step()
        } catch {
            let code: DNSError.Code
            switch error.code {
            case .timeout: code = .timeout
            case .refused, .unreachable, .resolutionFailed: code = .connectionFailed
            case .other: code = .other
            }
            throw DNSError(code: code, message: error.message)
        }
    }
}
