/// A provider call failed. Code says what kind of failure, for code; message says what
/// happened, for people (never with secrets).
public struct ProviderError: Error, Sendable, CustomStringConvertible, Equatable {
    public enum Code: String, Sendable, Codable {
        /// The request was malformed or refused as invalid (4xx).
        case invalid
        /// Credentials missing or wrong.
        case unauthorized
        case notFound
        /// Exists already, or conflicts with something that does.
        case conflict
        /// Another resource still depends on it.
        case dependency
        /// Rate limited by the provider.
        case throttled
        /// 5xx, connection refused, timeout: worth retrying.
        case unavailable
        /// The provider accepted a write but reports something else.
        case mismatch
        case other
    }

    public var code: Code
    public var provider: String
    public var message: String
    public var address: Address?

    /// `message` is kept on one line and cut at `ErrorExcerpt.messageLimit`: it may quote a
    /// provider's answer, and it is stored and served.
    public init(_ code: Code, provider: String, _ message: String, address: Address? = nil) {
        self.code = code
        self.provider = provider
        self.message = ErrorExcerpt.of(message, limit: ErrorExcerpt.messageLimit)
        self.address = address
    }

    /// Whether retrying the same call may succeed.
    public var isTransient: Bool { code == .throttled || code == .unavailable }

    public var description: String {
        let subject = address.map { " \($0)" } ?? ""
        return "provider \(provider)\(subject): \(message)"
    }
}
