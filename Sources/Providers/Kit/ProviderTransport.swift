import Foundation
import PlumbCore
import PlumbHTTP

/// HTTP for a provider binding: Plumb's HTTP client behind the binding's rate limit and
/// concurrency, with bounded retries of transient failures. One per binding per process
/// (`shared(for:)`), so every plan, apply and drift pass shares the limits.
public final class ProviderTransport: Sendable {
    public let binding: String
    let client: HTTPClient
    let limiter: RateLimiter
    let retry: RetryPolicy
    /// The binding's `timeout:`, which overrides each request's own.
    let timeout: Duration?
    private let counts = Locked(Counts())

    /// What was sent so far, attempts and retries included: for tests, benchmarks, metrics.
    private struct Counts {
        var byOperation: [String: Int] = [:]
        var retries = 0
    }

    /// Requests sent so far (attempts, retries included).
    public var requestsSent: Int { counts.withLock { $0.byOperation.values.reduce(0, +) } }
    /// Of those, the retries.
    public var retriesSent: Int { counts.withLock { $0.retries } }

    /// Requests sent so far by operation name (`DescribeSubnets`, `PATCH zone`…): what
    /// tests and benchmarks count calls with.
    public var operationCounts: [String: Int] { counts.withLock { $0.byOperation } }

    /// Every binding's transport in this process: (binding, requests, retries).
    public static func statistics() -> [(binding: String, requests: Int, retries: Int)] {
        registry.all().map { ($0.binding, $0.requestsSent, $0.retriesSent) }
    }

    init(binding: ProviderBinding, retry: RetryPolicy) {
        self.binding = binding.name
        client = HTTPClient(maxConcurrent: binding.concurrency)
        limiter = RateLimiter(rate: binding.rateLimit)
        self.retry = retry
        timeout = binding.timeout
    }

    private static let registry = TransportRegistry()

    /// The transport of a binding, created on first use.
    public static func shared(for binding: ProviderBinding, retry: RetryPolicy = RetryPolicy()) -> ProviderTransport {
        registry.transport(for: binding, retry: retry)
    }

    /// Sends with retries. Connection failures, timeouts, 5xx and 429 are retried; other
    /// statuses are returned for the caller to interpret. `Retry-After` is honoured.
    ///
    /// - `safeToRepeat: false` is for calls that would create a second resource if an
    ///   attempt that timed out had in fact run: they are retried only when the request
    ///   never reached the server or the server said it did not run it (429, throttling).
    /// - `prepare` runs on every attempt just before sending, after the rate limiter: for
    ///   request signatures that carry the time.
    /// - `throttled` recognises throttling a provider signals in the body (AWS answers 400
    ///   `Throttling` from IAM and Route 53, 503 `RequestLimitExceeded` from EC2).
    public func send(
        _ request: HTTPRequest, operation: String, safeToRepeat: Bool = true,
        prepare: (@Sendable (HTTPRequest) -> HTTPRequest)? = nil,
        throttled: (@Sendable (HTTPResponse) -> Bool)? = nil
    ) async throws -> HTTPResponse {
        let client = self.client
        let limiter = self.limiter
        let binding = self.binding
        let counts = self.counts
        var request = request
        if let timeout { request.timeout = timeout }
        return try await retry.run { [request] attempt in
            do {
                try await limiter.acquire()
                counts.withLock { counts in
                    counts.byOperation[operation, default: 0] += 1
                    if attempt > 1 { counts.retries += 1 }
                }
                let response = try await client.send(prepare?(request) ?? request)
                let isThrottled = response.status == 429 || (throttled?(response) ?? false)
                if isThrottled || response.status >= 500 {
                    let error = ProviderError(
                        isThrottled ? .throttled : .unavailable, provider: binding,
                        "\(operation): HTTP \(response.status) from \(request.described)\(Self.snippet(response))")
                    // A throttled request was not run: repeating it is always safe.
                    return safeToRepeat || isThrottled ? .retry(error, retryAfter: Self.retryAfter(response)) : .failure(error)
                }
                return .success(response)
            } catch let error as HTTPError {
                // Refused connections and timeouts may pass; TLS and malformed requests won't.
                let transient = error.code == .connectionFailed || error.code == .timeout
                let failure = ProviderError(
                    transient ? .unavailable : .invalid, provider: binding, Self.unreachable(operation, request, error, binding: binding))
                let repeatable = safeToRepeat ? transient : error.requestWasNotSent
                return repeatable ? .retry(failure, retryAfter: nil) : .failure(failure)
            } catch {
                return .failure(error)
            }
        }
    }

    /// Why `request` got no answer, naming where it went (without credentials) and what to
    /// check: curl's words alone ("Couldn't connect to server") say neither.
    static func unreachable(_ operation: String, _ request: HTTPRequest, _ error: HTTPError, binding: String) -> String {
        let check =
            switch error.code {
            case .connectionFailed, .timeout: "check that the server is running and reachable from here, and the address in Providers/\(binding).yaml"
            case .tls: "check the server's certificate and that this machine trusts its CA"
            case .other: "check the address in Providers/\(binding).yaml"
            }
        return "\(operation): \(request.described): \(error.message); \(check)"
    }

    /// `Retry-After` in seconds. Anything else (an HTTP date, a negative number, `nan`, `inf`)
    /// is ignored and the backoff applies; a huge value is bounded before the conversion,
    /// which would otherwise trap (the retry policy caps the wait anyway).
    static func retryAfter(_ response: HTTPResponse) -> Duration? {
        guard let value = response.header("retry-after"), let seconds = Double(value.trimmingCharacters(in: .whitespaces)),
            seconds.isFinite, seconds >= 0
        else { return nil }
        return .milliseconds(Int64(min(seconds, 86_400) * 1000))
    }

    /// The start of an error body, for messages: one line, `ErrorExcerpt.bodyLimit` at most.
    static func snippet(_ response: HTTPResponse) -> String {
        let text = ErrorExcerpt.of(response.text)
        return text.isEmpty ? "" : ": " + text
    }
}

/// Every binding's transport in this process, keyed by everything that shapes it.
private final class TransportRegistry: Sendable {
    private let transports = Locked<[String: ProviderTransport]>([:])

    func all() -> [ProviderTransport] {
        transports.withLock { Array($0.values) }
    }

    func transport(for binding: ProviderBinding, retry: RetryPolicy) -> ProviderTransport {
        let key =
            "\(binding.name)|\(binding.settings.sorted { $0.key < $1.key })|\(binding.rateLimit)|\(binding.concurrency)|\(String(describing: binding.timeout))"
        return transports.withLock { transports in
            if let existing = transports[key] { return existing }
            let transport = ProviderTransport(binding: binding, retry: retry)
            transports[key] = transport
            return transport
        }
    }
}
