import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// `/login` for browsers: a form that takes `PLUMB_API_TOKEN` once and answers with the
/// session cookie; `/logout` ends the session in this browser.
enum LoginPage {
    static let maxForm = 4096

    static func add(to router: Router<BasicRequestContext>, sessions: SessionCookie) {
        router.get("login") { request, _ in
            page(status: .ok, next: request.uri.queryParameters.get("next"), message: nil)
        }
        router.post("login") { request, _ in
            var request = request
            let fields = form((try? await request.collectBody(upTo: maxForm)).map { String(buffer: $0) } ?? "")
            let next = safeNext(fields["next"])
            guard let token = fields["token"], sessions.isToken(token) else {
                return page(status: .unauthorized, next: next, message: "That is not the agent's token.")
            }
            let secure = HTTPField.Name("X-Forwarded-Proto").flatMap { request.headers[$0] } == "https"
            return Response(status: .seeOther, headers: [.location: next, .setCookie: sessions.header(secure: secure)])
        }
        router.post("logout") { _, _ in
            Response(status: .seeOther, headers: [.location: "/login", .setCookie: SessionCookie.clearing])
        }
    }

    /// 401 for a request without a token: browsers get the form, everything else a line
    /// saying what to send.
    static func unauthorized(_ request: Request) -> Response {
        if request.method == .get, request.headers[.accept]?.contains("text/html") == true {
            return page(status: .unauthorized, next: request.uri.path, message: nil)
        }
        return Response(
            status: .unauthorized,
            headers: [.contentType: "text/plain; charset=utf-8", .wwwAuthenticate: "Bearer realm=\"plumb\""],
            body: .init(byteBuffer: ByteBuffer(string: "unauthorized: send Authorization: Bearer PLUMB_API_TOKEN, or log in at /login\n")))
    }

    static func page(status: HTTPResponse.Status, next: String?, message: String?) -> Response {
        let html = """
            <!doctype html>
            <html><head><meta charset="utf-8"><title>plumb agent: log in</title></head>
            <body style="font-family: sans-serif; max-width: 30em; margin: 4em auto">
            <h1>plumb agent</h1>
            \(message.map { "<p role=\"alert\">\(escape($0))</p>" } ?? "")
            <form method="post" action="/login">
            <label>API token <input type="password" name="token" id="token" autocomplete="current-password" autofocus></label>
            <input type="hidden" name="next" value="\(escape(safeNext(next)))">
            <button type="submit" id="login">Log in</button>
            </form>
            </body></html>

            """
        var headers: HTTPFields = [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"]
        if status == .unauthorized { headers[.wwwAuthenticate] = "Bearer realm=\"plumb\"" }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    /// Only a path on this agent: `//host` or `https://…` would send the browser elsewhere.
    static func safeNext(_ next: String?) -> String {
        guard let next, next.hasPrefix("/"), !next.hasPrefix("//"), !next.contains("\\"), next != "/login" else { return "/" }
        return next
    }

    /// `application/x-www-form-urlencoded`.
    static func form(_ body: String) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in body.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ text: Substring) -> String? { text.replacingOccurrences(of: "+", with: " ").removingPercentEncoding }
            guard let name = decode(parts[0]), let value = decode(parts.count > 1 ? parts[1] : "") else { continue }
            fields[name] = value
        }
        return fields
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
