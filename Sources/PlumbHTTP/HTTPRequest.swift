import Foundation

/// One HTTP request, as a value: build it once, send it as often as needed.
public struct HTTPRequest: Sendable {
    /// Sent as written: HTTP methods are case-sensitive.
    public var method: String
    /// An `http://` or `https://` URL; other schemes are refused.
    public var url: String
    /// Sent in this order. A value may hold a secret (an API key, a bearer token), so values
    /// never appear in errors; names may.
    public var headers: [(name: String, value: String)]
    /// `nil` sends no body; POST, PUT and PATCH without a body still send `Content-Length: 0`.
    public var body: Data?
    /// Limit on the whole exchange: resolving, connecting, sending and receiving.
    public var timeout: Duration
    /// Streams the response body: each piece as it arrives goes here, on the transfer's
    /// thread, instead of into `HTTPResponse.body` (which stays empty). For responses that
    /// never end on their own (Server-Sent Events); stop them by cancelling the task or by
    /// `timeout`.
    public var onBodyChunk: (@Sendable (Data) -> Void)?

    public init(
        method: String = "GET",
        url: String,
        headers: [(name: String, value: String)] = [],
        body: Data? = nil,
        timeout: Duration = .seconds(30)
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
    }

    /// Rejects what would let a value rewrite the request on the wire (CR, LF, NUL) before
    /// libcurl ever sees it; libcurl itself does not check header text.
    func validate() throws(HTTPError) {
        guard !method.isEmpty, method.utf8.allSatisfy(Self.isTokenByte) else {
            throw HTTPError(code: .other, message: "invalid HTTP method")
        }
        guard !url.utf8.contains(where: { $0 == 0 || $0 == 10 || $0 == 13 }) else {
            throw HTTPError(code: .other, message: "URL contains a control character")
        }
        for header in headers {
            guard !header.name.isEmpty, header.name.utf8.allSatisfy(Self.isTokenByte) else {
                throw HTTPError(code: .other, message: "invalid header name")
            }
            guard !header.value.utf8.contains(where: { $0 == 0 || $0 == 10 || $0 == 13 }) else {
                // The name is safe to show; the value is not.
                throw HTTPError(code: .other, message: "header '\(header.name)' has a line break or NUL in its value")
            }
        }
    }

    /// RFC 9110 `tchar`: the bytes allowed in a method or a header name.
    private static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return "!#$%&'*+-.^_`|~".utf8.contains(byte)
        }
    }

    /// True when the caller set this header themselves (names compare case-insensitively).
    func hasHeader(_ name: String) -> Bool {
        headers.contains { $0.name.lowercased() == name.lowercased() }
    }
}
