import Crypto
import Foundation
import HTTPTypes
import Hummingbird

/// `PLUMB_API_TOKEN` on every endpoint but the open ones: the first middleware of the
/// router, so every route added after it (by anyone) is covered, and so is a path that
/// matches no route (401, not 404, to whoever has no token).
///
/// A request passes with `Authorization: Bearer TOKEN` or with the session cookie `/login`
/// sets. Both compare in constant time.
struct APIAuthentication<Context: RequestContext>: RouterMiddleware {
    let sessions: SessionCookie?

    /// Paths served to anyone: the forges' webhooks (they carry signatures), the health
    /// check, and the login form itself.
    static func isOpen(_ path: String) -> Bool {
        path == "/healthz" || path == "/login" || path == "/logout" || path.hasPrefix("/hooks/")
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let sessions, !Self.isOpen(request.uri.path) else { return try await next(request, context) }
        if let authorization = request.headers[.authorization], authorization.hasPrefix("Bearer "),
            sessions.isToken(String(authorization.dropFirst(7)))
        {
            return try await next(request, context)
        }
        if let cookie = request.cookies[SessionCookie.name], sessions.isValid(cookie.value) {
            return try await next(request, context)
        }
        return LoginPage.unauthorized(request)
    }
}

/// The browser session `/login` gives: `EXPIRY.HMAC-SHA256(token, EXPIRY)`. Nothing is kept
/// on the server, so sessions survive restarts; changing the token ends them all, and the
/// cookie never holds the token itself.
struct SessionCookie: Sendable {
    static let name = "plumb_session"
    static let lifetime: TimeInterval = 12 * 3600
    private let key: SymmetricKey
    private let tokenDigest: SHA256.Digest

    init?(token: String?) {
        guard let token, !token.isEmpty else { return nil }
        key = SymmetricKey(data: Data(token.utf8))
        tokenDigest = SHA256.hash(data: Data(token.utf8))
    }

    /// Digests compare in constant time, and comparing digests hides the token's length.
    func isToken(_ candidate: String) -> Bool {
        SHA256.hash(data: Data(candidate.utf8)) == tokenDigest
    }

    func value(now: Date = Date()) -> String {
        let expiry = String(Int(now.timeIntervalSince1970 + Self.lifetime))
        return expiry + "." + Data(HMAC<SHA256>.authenticationCode(for: Data(expiry.utf8), using: key)).map { String(format: "%02x", $0) }.joined()
    }

    func isValid(_ value: String, now: Date = Date()) -> Bool {
        let parts = value.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, let expiry = Int(parts[0]), Double(expiry) > now.timeIntervalSince1970,
            let mac = Self.bytes(hex: parts[1]), mac.count == SHA256.byteCount
        else { return false }
        // isValidAuthenticationCode compares in constant time.
        return HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: Data(parts[0].utf8), using: key)
    }

    /// `Set-Cookie` for a new session: HttpOnly (no script reads it) and SameSite=Strict (no
    /// other site's page sends it); Secure when the request came over HTTPS through a proxy.
    func header(secure: Bool, now: Date = Date()) -> String {
        "\(Self.name)=\(value(now: now)); Path=/; Max-Age=\(Int(Self.lifetime)); HttpOnly; SameSite=Strict" + (secure ? "; Secure" : "")
    }

    static let clearing = "\(name)=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict"

    static func bytes(hex: Substring) -> [UInt8]? {
        guard hex.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(hex.count / 2)
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            guard let byte = UInt8(hex[index..<next], radix: 16) else { return nil }
            bytes.append(byte)
            index = next
        }
        return bytes
    }
}
