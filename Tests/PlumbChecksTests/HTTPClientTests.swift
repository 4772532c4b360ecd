import Foundation
import PlumbHTTP
import Testing

@Suite("HTTPClient against a live HTTP/1.1 keep-alive server", .timeLimit(.minutes(1)))
struct HTTPClientTests {
    struct Echo: Decodable {
        let method: String
        let body: String  // hex
        let headers: [[String]]

        func values(_ name: String) -> [String] { headers.filter { $0.first == name }.map { $0.last ?? "" } }
    }

    // swift-format-ignore: AlwaysUseLowerCamelCase
    struct Stats: Decodable {
        let max_in_flight: Int
        let slow_started: Int
    }

    @Test func getReturnsStatusHeadersAndBody() async throws {
        let server = try await PythonServer(script: Self.serverScript)
        defer { server.stop() }
        let response = try await HTTPClient().send(HTTPRequest(url: server.url("/status/201")))
        #expect(response.status == 201)
        #expect(response.text == "status body")
        #expect(response.headers["x-multi"] == "one, two")
        #expect(response.header("Content-Length") == "11")
    }

    @Test("a streamed body reaches the callback piece by piece as it arrives; cancelling ends the transfer")
    func streamsBody() async throws {
        let server = try await PythonServer(script: Self.serverScript)
        defer { server.stop() }
        let pieces = Locked<[(String, ContinuousClock.Instant)]>([])
        var request = HTTPRequest(url: server.url("/drip"), timeout: .seconds(90))
        request.onBodyChunk = { data in pieces.withLock { $0.append((String(decoding: data, as: UTF8.self), .now)) } }
        let transfer = Task { try await HTTPClient().send(request) }
        let deadline = ContinuousClock.now + .seconds(30)
        while pieces.withLock({ $0.count }) < 2, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        transfer.cancel()
        await #expect(throws: CancellationError.self) { try await transfer.value }
        let seen = pieces.withLock { $0 }
        #expect(seen.map(\.0).joined() == "one\ntwo\n")
        if let first = seen.first, let last = seen.last {
            #expect(last.1 - first.1 >= .milliseconds(300), "the first piece came before the second was sent")
        }
        #expect(ContinuousClock.now < deadline)
    }

    @Test(arguments: [404, 500, 503])
    func errorStatusesAreResponsesNotErrors(status: Int) async throws {
        let server = try await PythonServer(script: Self.serverScript)
        defer { server.stop() }
        let response = try await HTTPClient().send(HTTPRequest(url: server.url("/status/\(status)")))
        #expect(response.status == status)
        #expect(!response.isSuccess)
    }

    @Test func postSendsBinaryBodyAndHeadersInOrder() async throws {
        let server = try await PythonServer(script: Self.serverScript)
        defer { server.stop() }
        let request = HTTPRequest(
            method: "POST", url: server.url("/echo"),
            headers: [("X-First", "1"), ("Authorization", "Bearer abc"), ("X-Empty", "")],
            body: Data([0, 1, 2, 255, 10, 13]))
        let response = try await HTTPClient().send(request)
        let echo = try JSONDecoder().decode(Echo.self, from: response.body)
        #expect(echo.method == "POST")
        #expect(echo.body == "000102ff0a0d")
        let names = echo.headers.compactMap(\.first)
        #expect((names.firstIndex(of: "x-first") ?? 99) < (names.firstIndex(of: "authorization") ?? -1))
        #expect(echo.values("x-empty") == [""])
        #expect(echo.values("content-length") == ["6"])
        // libcurl's defaults that would change what the server sees are removed.
        #expect(echo.values("content-type").isEmpty)
        #expect(echo.values("expect").isEmpty)
    }

    @Test(arguments: ["PUT", "PATCH", "DELETE"])
    func otherMethodsAreSentAsWritten(method: String) async throws {
        let server = try await PythonServer(script: Self.serverScript)
        defer { server.stop() }
        let request = HTTPRequest(method: method, url: server.url("/echo"), headers: [("Content-Type", "text/plain")])
        let echo = try JSONDecoder().decode(Echo.self, from: try await HTTPClient().send(request).body)
        #expect(echo.method == method)
        #expect(echo.values("content-type") == ["text/plain"])
        #expect(echo.values("content-length") == (method == "DELETE" ? [] : ["0"]))
    }

    @Test func largeBodyRoundTripsWithoutExpectDelay() async throws {
        let server = try await PythonServer(script: Self.serverScript)
        defer { server.stop() }
        let body = Data((0..<1_200_000).map { UInt8(truncatingIfNeeded: $0 * 7) })
        // Over 1 MiB libcurl 7.88 would add "Expect: 100-continue" and wait for the server.
        let response = try await HTTPClient().send(HTTPRequest(method: "POST", url: server.url("/mirror"), body: body))
        #expect(response.body == body)
        #expect(response.headers["x-expect"] == "none")
    }

    @Test func headReturnsHeadersWithoutBody() async throws {
        let server = try await PythonServer(script: Self.serverScript)
        defer { server.stop() }
        let response = try await HTTPClient().send(HTTPRequest(method: "HEAD", url: server.url("/status/200")))
        #expect(response.status == 200)
        #expect(response.body.isEmpty)
        #expect(response.headers["content-length"] == "11")
    }

    @Test func totalTimeoutStopsASlowResponse() async throws {
        let server = try await PythonServer(script: Self.serverScript)
        defer { server.stop() }
        let start = ContinuousClock.now
        let error = await #expect(throws: HTTPError.self) {
            try await HTTPClient().send(HTTPRequest(url: server.url("/slow"), timeout: .milliseconds(300)))
        }
        #expect(error?.code == .timeout)
        #expect(ContinuousClock.now - start < .seconds(30))  // /slow answers only after 60 s
    }

    @Test func connectTimeoutStopsAnUnansweredConnect() async throws {
        let listener = try LoopbackListener(backlog: 0)
        try #require(await listener.fillAcceptQueue(), "the accept queue never filled; cannot provoke a connect timeout on loopback")
        let start = ContinuousClock.now
        let error = await #expect(throws: HTTPError.self) {
            try await HTTPClient(connectTimeout: .milliseconds(300))
                .send(HTTPRequest(url: "http://127.0.0.1:\(listener.port)/", timeout: .seconds(90)))
        }
        #expect(error?.code == .timeout)
        #expect(ContinuousClock.now - start < .seconds(30))  // the connect timeout, not the 90 s total
    }

    @Test func refusedConnectionIsConnectionFailedAndKeepsSecretsOut() async throws {
        let closed = try LoopbackListener(backlog: nil)
        let error = await #expect(throws: HTTPError.self) {
            try await HTTPClient().send(
                HTTPRequest(url: "http://127.0.0.1:\(closed.port)/", headers: [("Authorization", "Bearer s3cr3t-token")]))
        }
        #expect(error?.code == .connectionFailed)
        #expect(error.map { !"\($0) \($0.message)".contains("s3cr3t") } == true)
    }

    @Test func headerValueWithLineBreakIsRefusedWithoutEchoingIt() async throws {
        let error = await #expect(throws: HTTPError.self) {
            try await HTTPClient().send(
                HTTPRequest(url: "http://127.0.0.1:1/", headers: [("X-Key", "s3cr3t\r\nX-Injected: 1")]))
        }
        #expect(error?.code == .other)
        #expect(error?.message.contains("X-Key") == true)
        #expect(error?.message.contains("s3cr3t") == false)
    }

    @Test func sequentialRequestsReuseOneConnection() async throws {
        let server = try await PythonServer(script: Self.serverScript)
        defer { server.stop() }
        let client = HTTPClient()
        var seen: Set<String> = []
        for _ in 0..<50 {
            seen.insert(try await client.send(HTTPRequest(url: server.url("/conn"))).text)
        }
        // Each reply is "<client port> <server-side connection number>".
        #expect(seen.count == 1)
        #expect(seen.first?.hasSuffix(" 1") == true)
    }

    @Test func concurrencyIsBoundedByMaxConcurrent() async throws {
        let server = try await PythonServer(script: Self.serverScript)
        defer { server.stop() }
        let client = HTTPClient(maxConcurrent: 2)
        let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
            let hold = HTTPRequest(url: server.url("/hold"))
            for _ in 0..<6 { group.addTask { try await client.send(hold).status } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(statuses == Array(repeating: 200, count: 6))
        let stats = try JSONDecoder().decode(Stats.self, from: try await client.send(HTTPRequest(url: server.url("/stats"))).body)
        #expect(stats.max_in_flight == 2)
    }

    @Test func concurrentCallersEachGetTheirOwnResponse() async throws {
        let server = try await PythonServer(script: Self.serverScript)
        defer { server.stop() }
        let client = HTTPClient(maxConcurrent: 4)
        let url = server.url("/mirror")
        let mismatches = try await withThrowingTaskGroup(of: Bool.self) { group in
            for index in 0..<40 {
                group.addTask {
                    let body = Data("request \(index)".utf8)
                    return try await client.send(HTTPRequest(method: "POST", url: url, body: body)).body != body
                }
            }
            return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(mismatches == 0)
    }

    @Test func waitingForASlotCountsAgainstTheTimeout() async throws {
        let server = try await PythonServer(script: Self.serverScript)
        defer { server.stop() }
        let client = HTTPClient(maxConcurrent: 1)
        let occupy = HTTPRequest(url: server.url("/slow"), timeout: .seconds(90))
        let slow = Task { try await client.send(occupy) }
        defer { slow.cancel() }
        try await Self.waitUntilSlowStarted(server)
        let start = ContinuousClock.now
        let error = await #expect(throws: HTTPError.self) {
            try await client.send(HTTPRequest(url: server.url("/status/200"), timeout: .milliseconds(300)))
        }
        #expect(error?.code == .timeout)
        // The slot frees only after 60 s; the bound is loose so a loaded machine cannot fail it.
        #expect(ContinuousClock.now - start < .seconds(30))
    }

    static func waitUntilSlowStarted(_ server: PythonServer) async throws {
        let probe = HTTPClient()
        let stats = HTTPRequest(url: server.url("/stats"))
        while try JSONDecoder().decode(Stats.self, from: try await probe.send(stats).body).slow_started == 0 {
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    @Test func cancellingTheTaskAbortsTheTransfer() async throws {
        let server = try await PythonServer(script: Self.serverScript)
        defer { server.stop() }
        let client = HTTPClient()
        let request = HTTPRequest(url: server.url("/slow"), timeout: .seconds(90))
        let slow = Task { try await client.send(request) }
        // Wait until the server has the request, so the cancellation meets a running transfer.
        try await Self.waitUntilSlowStarted(server)
        let cancelled = ContinuousClock.now
        slow.cancel()
        await #expect(throws: CancellationError.self) { try await slow.value }
        #expect(ContinuousClock.now - cancelled < .seconds(30))  // /slow answers only after 60 s
    }

    // Needs openssl to make a certificate; in CI it must run (install-deps --test installs it).
    @Test(.enabled(if: ProcessInfo.processInfo.environment["CI"] == "true" || FileManager.default.isExecutableFile(atPath: "/usr/bin/openssl")))
    func selfSignedCertificateIsRejected() async throws {
        let server = try await PythonServer(script: Self.serverScript, arguments: ["tls"])
        defer { server.stop() }
        let error = await #expect(throws: HTTPError.self) {
            try await HTTPClient().send(HTTPRequest(url: "https://127.0.0.1:\(server.port)/status/200"))
        }
        #expect(error?.code == .tls)
    }
}

extension HTTPClientTests {
    /// Answers /echo (request as JSON), /mirror (the body back), /status/N, /conn ("<client port> <connection no.>"),
    /// /hold (0.3 s, counting requests in flight), /slow (60 s), /drip (a never-ending body) and /stats.
    /// With argument "tls" it serves HTTPS with a fresh self-signed certificate.
    static let serverScript = #"""
        import http.server, json, os, sys, threading, time

        state = {"connections": 0, "in_flight": 0, "max_in_flight": 0, "slow_started": 0}
        lock = threading.Lock()

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True

            def setup(self):
                super().setup()
                with lock:
                    state["connections"] += 1
                    self.connection_number = state["connections"]

            def log_message(self, *args):
                pass

            def reply(self, status, body, headers=()):
                self.send_response(status)
                for name, value in headers:
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)

            def handle_any(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                path = self.path.split("?")[0]
                if path == "/echo":
                    info = {"method": self.command, "body": body.hex(),
                            "headers": [[k.lower(), v] for k, v in self.headers.items()]}
                    self.reply(200, json.dumps(info).encode(), [("Content-Type", "application/json")])
                elif path == "/mirror":
                    self.reply(200, body, [("X-Expect", self.headers.get("Expect", "none"))])
                elif path.startswith("/status/"):
                    self.reply(int(path[8:]), b"status body", [("X-Multi", "one"), ("X-Multi", "two")])
                elif path == "/conn":
                    self.reply(200, f"{self.client_address[1]} {self.connection_number}".encode())
                elif path == "/hold":
                    with lock:
                        state["in_flight"] += 1
                        state["max_in_flight"] = max(state["max_in_flight"], state["in_flight"])
                    time.sleep(0.3)
                    with lock:
                        state["in_flight"] -= 1
                    self.reply(200, b"held")
                elif path == "/slow":
                    with lock:
                        state["slow_started"] += 1
                    time.sleep(60)
                    self.reply(200, b"late")
                elif path == "/drip":
                    # A body that never ends, as Server-Sent Events are: two pieces, then silence.
                    self.send_response(200)
                    self.send_header("Content-Type", "text/event-stream")
                    self.send_header("Transfer-Encoding", "chunked")
                    self.end_headers()
                    for piece in (b"one\n", b"two\n"):
                        self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
                        self.wfile.flush()
                        time.sleep(0.4)
                    time.sleep(60)
                elif path == "/stats":
                    with lock:
                        body = json.dumps(state).encode()
                    self.reply(200, body, [("Content-Type", "application/json")])
                else:
                    self.reply(404, b"no such path")

            do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = handle_any

        class Server(http.server.ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, request, client_address):
                pass  # clients that time out or reject the certificate are expected here

        server = Server(("127.0.0.1", 0), Handler)
        if sys.argv[1:] == ["tls"]:
            import ssl, subprocess, tempfile
            folder = tempfile.mkdtemp()
            subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                            "-nodes", "-keyout", folder + "/key.pem", "-out", folder + "/cert.pem", "-days", "1",
                            "-subj", "/CN=127.0.0.1"], check=True, capture_output=True)
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(folder + "/cert.pem", folder + "/key.pem")
            server.socket = context.wrap_socket(server.socket, server_side=True)
        """# + PythonServer.exitWithParent + #"""
            print(server.server_address[1], flush=True)
            server.serve_forever()
            """#
}

/// A Python script run as a child process that prints the port it listens on as its first
/// line. Shared by the HTTP and DNS tests; the script must include `exitWithParent`.
final class PythonServer {
    /// Ends the script when the test process goes away (its stdin pipe closes), so a
    /// crashed test run leaves no servers behind.
    static let exitWithParent = #"""

        def _exit_with_parent():
            sys.stdin.read()
            os._exit(0)
        threading.Thread(target=_exit_with_parent, daemon=True).start()

        """#

    let port: Int
    private let process = Process()
    private let input = Pipe()

    /// Async because waiting for the port blocks: the wait runs on a thread of its own, so
    /// parallel tests starting servers never tie up Swift's cooperative pool.
    init(script: String, arguments: [String] = []) async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("plumb-test-\(UUID().uuidString).py")
        try script.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let output = Pipe()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", file.path] + arguments
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let reader = output.fileHandleForReading
        let line = await withCheckedContinuation { continuation in
            Thread {
                var line = Data()
                while !line.contains(UInt8(ascii: "\n")) {
                    let chunk = reader.availableData
                    guard !chunk.isEmpty else { break }
                    line.append(chunk)
                }
                continuation.resume(returning: line)
            }.start()
        }
        guard let port = Int(String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) else {
            process.terminate()
            throw PythonServerError(output: String(decoding: line, as: UTF8.self))
        }
        self.port = port
    }

    func url(_ path: String) -> String { "http://127.0.0.1:\(port)\(path)" }

    /// SIGKILL, not `terminate()`: a child spawned from a Swift concurrency thread inherits
    /// that thread's signal mask, with SIGTERM blocked, and would never see it.
    func stop() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    deinit { stop() }
}

struct PythonServerError: Error {
    let output: String
}
