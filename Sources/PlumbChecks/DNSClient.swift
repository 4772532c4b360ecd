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
        var lastProblem: DNSError?
        let reply = try DNSExchange.exchangeUDP(query, to: server, deadline: deadline) { packet -> DNSAnswer? in
            do throws(DNSError) {
                let answer = try DNSMessage.parse(packet)
                if expected.matches(answer) { return answer }
                lastProblem = DNSError(code: .mismatchedResponse, message: "reply from \(server.text) answers another question")
            } catch {
                lastProblem = error
            }
            return nil
        }
        switch reply {
        case .some(.answer(let answer)): return answer
        case .some(.truncated): return nil
        case .none: throw lastProblem ?? DNSError(code: .timeout, message: "no reply from \(server.text) over UDP in time")
        }
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
