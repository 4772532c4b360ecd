import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@testable import PlumbAgent

/// The rules of the agent's doors as values (Docs/security.md "The agent's doors").
@Suite("The agent's doors: rules")
struct AgentDoorsTests {
    static let token = "0123456789abcdef-token"

    func configuration(listen: String, token: String? = nil, publicRead: Bool = false, secret: String? = "s") throws -> AgentConfiguration {
        var configuration = AgentConfiguration(repo: ".")
        let address = try #require(ListenAddress(listen))
        (configuration.host, configuration.port) = (address.host, address.port)
        configuration.doors.apiToken = token
        configuration.doors.publicRead = publicRead
        configuration.webhookSecret = secret
        return configuration
    }

    @Test(
        "loopback addresses",
        arguments: [
            ("127.0.0.1:8080", true), ("127.1.2.3:1", true), ("localhost:80", true), ("[::1]:80", false),
            ("0.0.0.0:8080", false), ("10.0.0.1:8080", false), ("192.168.1.5:1", false), ("example.com:80", false),
        ])
    func loopback(_ text: String, _ expected: Bool) throws {
        // "[::1]:80" does not parse as HOST:PORT (one colon only): IPv6 listen addresses are not taken.
        guard let address = ListenAddress(text) else {
            #expect(text.hasPrefix("["))
            return
        }
        #expect(address.isLoopback == expected, "\(text)")
    }

    @Test("a non-loopback --listen without a token refuses to start; a token or --public-read lets it")
    func publicListen() throws {
        #expect(throws: AgentStartError.self) { try configuration(listen: "0.0.0.0:8080").checkDoors() }
        do {
            _ = try configuration(listen: "0.0.0.0:8080").checkDoors()
        } catch let error as AgentStartError {
            #expect(error.code == .publicWithoutToken)
            #expect(error.message.contains("0.0.0.0:8080"))
        }
        #expect(try configuration(listen: "0.0.0.0:8080", token: Self.token).checkDoors().isEmpty)
        let warnings = try configuration(listen: "0.0.0.0:8080", publicRead: true).checkDoors()
        #expect(warnings.count == 1 && warnings[0].contains("--public-read"))
        #expect(try configuration(listen: "127.0.0.1:8080").checkDoors().isEmpty)
    }

    @Test("a short token is refused; a missing webhook secret is warned about")
    func tokenAndSecret() throws {
        do {
            _ = try configuration(listen: "127.0.0.1:1", token: "short").checkDoors()
            Issue.record("a 5-character token was accepted")
        } catch let error as AgentStartError {
            #expect(error.code == .tokenTooShort)
        }
        let warnings = try configuration(listen: "127.0.0.1:1", secret: nil).checkDoors()
        #expect(warnings.contains { $0.contains("PLUMB_WEBHOOK_SECRET is not set") })
    }

    @Test("a bind error names the address and says what to do")
    func bindError() {
        let address = ListenAddress(host: "127.0.0.1", port: 8080)
        let inUse = AgentServer.bindError(IOError(errnoCode: EADDRINUSE, reason: "bind"), address: address, role: "--listen")
        #expect(inUse.code == .bind)
        #expect(inUse.message.contains("127.0.0.1:8080") && inUse.message.contains("in use") && inUse.message.contains("--listen"))
        #expect(AgentServer.bindError(IOError(errnoCode: EACCES, reason: "bind"), address: address, role: "--listen").message.contains("1024"))
    }

    @Test(
        "what a request head alone refuses",
        arguments: [
            ("unsigned-github", "/hooks/github", [("Content-Length", "10")], HTTPResponse.Status.unauthorized),
            ("unsigned-gitlab", "/hooks/gitlab", [], .unauthorized),
            ("unsigned-gitea", "/hooks/gitea?x=1", [("X-Hub-Signature-256", "sha256=00")], .unauthorized),
            ("oversized-signed", "/hooks/github", [("X-Hub-Signature-256", "sha256=00"), ("Content-Length", "1048577")], .contentTooLarge),
            ("oversized-login", "/login", [("Content-Length", "70000")], .contentTooLarge),
        ])
    func precheckRefuses(_ name: String, _ path: String, _ fields: [(String, String)], _ status: HTTPResponse.Status) throws {
        let precheck = RequestPrecheck(secretSet: true, maxWebhookBody: 1 << 20)
        var head = HTTPRequest(method: .post, scheme: "http", authority: "x", path: path)
        for (name, value) in fields { head.headerFields[try #require(HTTPField.Name(name))] = value }
        #expect(precheck.refusal(head)?.status == status, "\(name)")
    }

    @Test("what a request head alone lets through")
    func precheckPasses() throws {
        let precheck = RequestPrecheck(secretSet: true, maxWebhookBody: 1 << 20)
        var signed = HTTPRequest(method: .post, scheme: "http", authority: "x", path: "/hooks/github")
        signed.headerFields[try #require(HTTPField.Name("X-Hub-Signature-256"))] = "sha256=00"
        signed.headerFields[.contentLength] = "1048576"
        #expect(precheck.refusal(signed) == nil)
        #expect(precheck.refusal(HTTPRequest(method: .get, scheme: "http", authority: "x", path: "/status")) == nil)
        #expect(RequestPrecheck(secretSet: false, maxWebhookBody: 1).refusal(signed)?.message.contains("PLUMB_WEBHOOK_SECRET") == true)
    }

    @Test("session cookies: valid until they expire, bound to the token, not forgeable")
    func sessions() throws {
        let sessions = try #require(SessionCookie(token: Self.token))
        let now = Date()
        let value = sessions.value(now: now)
        #expect(sessions.isValid(value, now: now))
        #expect(!sessions.isValid(value, now: now.addingTimeInterval(SessionCookie.lifetime + 1)))
        #expect(!value.contains(Self.token))
        let other = try #require(SessionCookie(token: Self.token + "x"))
        #expect(!other.isValid(value, now: now))
        let expiry = value.split(separator: ".")[0]
        #expect(!sessions.isValid("\(Int(expiry)! + 3600).\(value.split(separator: ".")[1])", now: now))
        #expect(!sessions.isValid("garbage", now: now) && !sessions.isValid("", now: now) && !sessions.isValid("1.zz", now: now))
        #expect(sessions.isToken(Self.token) && !sessions.isToken(Self.token + " ") && !sessions.isToken(""))
        let header = sessions.header(secure: false, now: now)
        #expect(header.contains("HttpOnly") && header.contains("SameSite=Strict") && header.contains("Path=/") && !header.contains("Secure"))
        #expect(sessions.header(secure: true, now: now).hasSuffix("; Secure"))
        #expect(SessionCookie(token: nil) == nil && SessionCookie(token: "") == nil)
    }

    @Test("login redirects stay on the agent; forms decode")
    func loginHelpers() {
        #expect(LoginPage.safeNext("/runs/3") == "/runs/3")
        for bad in [nil, "//evil.example", "https://evil.example", "/\\evil", "/login", "runs"] { #expect(LoginPage.safeNext(bad) == "/") }
        #expect(LoginPage.form("token=a%2Bb+c&next=%2Fruns") == ["token": "a+b c", "next": "/runs"])
        #expect(LoginPage.escape("<a href=\"x\">&") == "&lt;a href=&quot;x&quot;&gt;&amp;")
    }
}

/// The token middleware in process: every route, including one added after the others and a
/// path no route matches, needs the token; the open doors stay open.
@Suite("The agent's doors: the token middleware")
struct APIAuthenticationTests {
    let token = AgentDoorsTests.token

    func application() throws -> some ApplicationProtocol {
        let sessions = try #require(SessionCookie(token: token))
        let router = Router()
        router.add(middleware: APIAuthentication<BasicRequestContext>(sessions: sessions))
        LoginPage.add(to: router, sessions: sessions)
        router.get("healthz") { _, _ in "ok\n" }
        router.get("status") { _, _ in "status\n" }
        router.post("hooks/github") { _, _ in "hook\n" }
        router.get("events") { _, _ in "added later\n" }
        return Application(router: router)
    }

    @Test("401 without a token, 200 with the bearer token or the login cookie")
    func routes() async throws {
        try await application().test(.router) { client in
            for path in ["/status", "/events", "/no-such-route"] {
                try await client.execute(uri: path, method: .get) { #expect($0.status == .unauthorized, "\(path)") }
                try await client.execute(uri: path, method: .get, headers: [.authorization: "Bearer wrong-token-0123456789"]) {
                    #expect($0.status == .unauthorized, "\(path)")
                }
                try await client.execute(uri: path, method: .get, headers: [.authorization: token]) { #expect($0.status == .unauthorized, "\(path)") }
            }
            for path in ["/status", "/events"] {
                try await client.execute(uri: path, method: .get, headers: [.authorization: "Bearer \(token)"]) {
                    #expect($0.status == .ok, "\(path)")
                }
            }
            try await client.execute(uri: "/healthz", method: .get) { #expect($0.status == .ok) }
            try await client.execute(uri: "/hooks/github", method: .post) { #expect($0.status == .ok) }
            try await client.execute(uri: "/status", method: .get, headers: [.accept: "text/html"]) { response in
                #expect(response.status == .unauthorized)
                #expect(String(buffer: response.body).contains("<form method=\"post\" action=\"/login\">"))
            }

            let wrong = ByteBuffer(string: "token=nope&next=%2Fstatus")
            try await client.execute(uri: "/login", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"], body: wrong) {
                #expect($0.status == .unauthorized)
                #expect($0.headers[.setCookie] == nil)
            }
            let form = ByteBuffer(string: "token=\(token)&next=%2Fstatus")
            let cookie = try await client.execute(
                uri: "/login", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"], body: form
            ) {
                response -> String in
                #expect(response.status == .seeOther)
                #expect(response.headers[.location] == "/status")
                return response.headers[.setCookie] ?? ""
            }
            #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"))
            let pair = String(cookie.prefix { $0 != ";" })
            try await client.execute(uri: "/status", method: .get, headers: [.cookie: pair]) { #expect($0.status == .ok) }
            try await client.execute(uri: "/status", method: .get, headers: [.cookie: pair + "0"]) { #expect($0.status == .unauthorized) }
        }
    }
}
