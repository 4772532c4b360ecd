import Foundation

/// A complete HTTP response: libcurl has read the whole body before this exists.
public struct HTTPResponse: Sendable, Equatable {
    public var status: Int
    /// Names lower-cased; a header that came several times holds its values joined by ", "
    /// (RFC 9110 §5.3). Only the final response's headers: interim ones (100 Continue) are dropped.
    public var headers: [String: String]
    public var body: Data

    public init(status: Int, headers: [String: String] = [:], body: Data = Data()) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The body decoded as UTF-8; invalid bytes become U+FFFD rather than failing.
    public var text: String { String(decoding: body, as: UTF8.self) }

    /// A header by name, in any case.
    public func header(_ name: String) -> String? { headers[name.lowercased()] }

    /// 2xx.
    public var isSuccess: Bool { (200..<300).contains(status) }
}
