import Foundation
import PlumbChecks
import PlumbCore
import PlumbHTTP
import PlumbProviderKit

/// Signed DNS messages to one server, behind the binding's rate limit, with bounded retries
/// of what may pass (timeouts, refused connections, SERVFAIL) and none of what will not
/// (a refused key, a failed prerequisite): a wrong secret is one request, not a storm.
final class RFC2136Client: Sendable {
    let provider: String
    let host: String
    let port: Int
    let key: TSIGKey
    let limiter: RateLimiter
    let retry: RetryPolicy
    let timeout: Duration
    /// Requests by operation (`AXFR zone`, `UPDATE zone`, `query`), retries included.
    let counts = Locked<[String: Int]>([:])

    /// UPDATEs up to this size go over UDP (RFC 1035's 512, which needs no EDNS); larger ones,
    /// and every zone transfer, over TCP.
    static let udpLimit = 512

    init(provider: String, host: String, port: Int, key: TSIGKey, rateLimit: Double, retry: RetryPolicy, timeout: Duration) {
        self.provider = provider
        self.host = host
        self.port = port
        self.key = key
        limiter = RateLimiter(rate: rateLimit)
        self.retry = retry
        self.timeout = timeout
    }

    /// The zone's records in transfer order, every message's signature verified (RFC 8945
    /// §5.3.1): an unsigned or forged transfer is an error, never an empty zone.
    func transfer(zone: String) async throws -> [DNSRecord] {
        let responses = try await send(operation: "AXFR \(zone)", safeToRepeat: true) { id in
            try DNSMessage.transferQuery(zone: zone, id: id)
        } exchange: { [host, port, timeout] message in
            // The transfer ends with the second SOA (RFC 5936 §2.2).
            let soaCount = Locked(0)
            return try await DNSExchange.tcp(message, host: host, port: port, timeout: timeout * 6) { reply in
                let response = try DNSMessage.parseResponse(reply)
                guard response.rcode == 0 else { return false }
                let count = soaCount.withLock { count in
                    count += response.answers.filter { $0.type == "SOA" }.count
                    return count
                }
                return count < 2
            }
        }
        guard let first = responses.first, first.rcode == 0 else {
            throw failure(responses.first, what: "zone transfer of \(zone)")
        }
        let records = responses.flatMap(\.answers)
        guard records.first?.type == "SOA", records.count >= 2, records.last?.type == "SOA" else {
            throw ProviderError(.other, provider: provider, "zone transfer of \(zone) did not end with its SOA")
        }
        return Array(records.dropLast())
    }

    /// One UPDATE; its reply (any RCODE: the caller reads prerequisite failures).
    func update(_ update: DNSUpdate) async throws -> DNSResponse {
        let host = self.host
        let port = self.port
        let timeout = self.timeout
        let responses = try await send(operation: "UPDATE \(update.zone)", safeToRepeat: true) { id in
            try update.message(id: id)
        } exchange: { message in
            if message.count <= Self.udpLimit, let reply = try await DNSExchange.udp(message, host: host, port: port, timeout: timeout) {
                return [reply]
            }
            return try await DNSExchange.tcp(message, host: host, port: port, timeout: timeout) { _ in false }
        }
        guard let response = responses.first else { throw failure(nil, what: "UPDATE of \(update.zone)") }
        return response
    }

    /// The records of one rrset as the server answers them now.
    func query(name: String, type: DNSRecordType) async throws -> DNSResponse {
        let host = self.host
        let port = self.port
        let timeout = self.timeout
        let responses = try await send(operation: "query", safeToRepeat: true) { id in
            try DNSMessage.plainQuery(name: name, type: type, id: id)
        } exchange: { message in
            if let reply = try await DNSExchange.udp(message, host: host, port: port, timeout: timeout) { return [reply] }
            return try await DNSExchange.tcp(message, host: host, port: port, timeout: timeout) { _ in false }
        }
        guard let response = responses.first else { throw failure(nil, what: "query for \(name) \(type.rawValue)") }
        return response
    }

    /// Signs, sends, parses and verifies, with retries of transient failures.
    private func send(
        operation: String, safeToRepeat: Bool, build: @escaping @Sendable (UInt16) throws -> [UInt8],
        exchange: @escaping @Sendable ([UInt8]) async throws -> [[UInt8]]
    ) async throws -> [DNSResponse] {
        let key = self.key
        let limiter = self.limiter
        let counts = self.counts
        let provider = self.provider
        return try await retry.run { attempt in
            do {
                try await limiter.acquire()
                counts.withLock { $0[operation, default: 0] += 1 }
                let (message, mac) = try key.sign(try build(.random(in: .min ... .max)))
                var verifier = TSIGVerifier(key: key, requestMAC: mac)
                var responses: [DNSResponse] = []
                for reply in try await exchange(message) {
                    let response = try DNSMessage.parseResponse(reply)
                    // A refusal of the key itself comes unsigned (RFC 8945 §5.3.2).
                    if response.rcode == 9 || response.signature?.error ?? 0 != 0 {
                        let reason =
                            response.signature.map { TSIGError.name($0.error) }
                            ?? "NOTAUTH (an unknown key or a wrong secret, or a zone the server does not serve)"
                        return .failure(
                            ProviderError(.unauthorized, provider: provider, "\(operation): the server refused TSIG key \(key.name): \(reason)"))
                    }
                    try verifier.verify(reply, tsig: response.signature)
                    responses.append(response)
                }
                if responses.first?.rcode == 2 {
                    return .retry(ProviderError(.unavailable, provider: provider, "\(operation): SERVFAIL"), retryAfter: nil)
                }
                return .success(responses)
            } catch let error as DNSError {
                switch error.code {
                case .timeout, .connectionFailed:
                    let failure = ProviderError(.unavailable, provider: provider, "\(operation): \(error.message)")
                    return safeToRepeat ? .retry(failure, retryAfter: nil) : .failure(failure)
                case .badSignature:
                    return .failure(ProviderError(.unauthorized, provider: provider, "\(operation): \(error.message)"))
                default:
                    return .failure(ProviderError(.other, provider: provider, "\(operation): \(error.message)"))
                }
            } catch {
                return .failure(error)
            }
        }
    }

    func failure(_ response: DNSResponse?, what: String) -> ProviderError {
        guard let response else { return ProviderError(.other, provider: provider, "\(what): no reply") }
        let code: ProviderError.Code = response.rcode == 5 ? .unauthorized : response.rcode == 3 || response.rcode == 10 ? .notFound : .other
        let why =
            response.rcode == 5
            ? " (the server does not allow this key to do it)" : response.rcode == 10 ? " (the server is not authoritative for it)" : ""
        return ProviderError(code, provider: provider, "\(what): \(response.rcodeName)\(why)")
    }
}
