import Foundation

/// A local HTTP server that answers from a script, for tests of retries, throttling and
/// request signing: a small Python `http.server` on a free 127.0.0.1 port (as FakeForge does),
/// started for one test.
///
/// Requests are answered, in arrival order, with the scripted responses one by one, then with
/// the default response for ever after. A scripted response may wait before answering, or
/// drop the connection without answering at all. Every request (method, target, headers,
/// body) is recorded before it is answered: `requests()` reads them back, and so does
/// `GET /_log` (JSON), which is itself neither recorded nor counted against the script.
///
/// A dropped connection is only a clean "nothing received" on a fresh connection: libcurl
/// silently sends a request again, once, when a *reused* keep-alive connection closes
/// before any byte of an answer. Script drops as the first answer a client gets, or right
/// after another drop.
public final class ScriptedHTTPServer: @unchecked Sendable {
    /// One scripted answer.
    public struct Response: Sendable, Encodable {
        public var status: Int
        public var headers: [String: String]
        public var body: String
        /// Waits this long after reading the request, before answering (or dropping).
        public var delayMilliseconds: Int
        /// Closes the connection without answering.
        public var dropConnection: Bool

        public init(
            status: Int = 200, headers: [String: String] = [:], body: String = "",
            delayMilliseconds: Int = 0, dropConnection: Bool = false
        ) {
            self.status = status
            self.headers = headers
            self.body = body
            self.delayMilliseconds = delayMilliseconds
            self.dropConnection = dropConnection
        }

        /// An XML answer (`Content-Type: text/xml`), as AWS sends them.
        public static func xml(_ status: Int = 200, _ body: String, headers: [String: String] = [:], delayMilliseconds: Int = 0) -> Response {
            Response(
                status: status, headers: ["Content-Type": "text/xml"].merging(headers) { _, new in new }, body: body,
                delayMilliseconds: delayMilliseconds)
        }

        /// Reads the request, then closes the connection without a byte of answer.
        public static func drop(afterMilliseconds delay: Int = 0) -> Response {
            Response(status: 0, delayMilliseconds: delay, dropConnection: true)
        }
    }

    /// One request as the server received it.
    public struct Request: Sendable {
        /// 0 for the first request, in arrival order.
        public var index: Int
        public var method: String
        /// The request target as sent: path and query, still percent-encoded.
        public var target: String
        /// In the order received, names as sent.
        public var headers: [(name: String, value: String)]
        public var body: String
        /// Which scripted response answered (0-based), nil for the default response.
        public var scripted: Int?

        /// The path without the query, still percent-encoded.
        public var path: String { target.split(separator: "?", maxSplits: 1).first.map(String.init) ?? target }

        /// The query parameters, percent-decoded, in order.
        public var query: [(name: String, value: String)] {
            guard let question = target.firstIndex(of: "?") else { return [] }
            return Self.decodePairs(String(target[target.index(after: question)...]))
        }

        /// A form body's parameters (`application/x-www-form-urlencoded`), percent-decoded, in order.
        public var form: [(name: String, value: String)] { Self.decodePairs(body) }

        /// The first header of that name (case-insensitive).
        public func header(_ name: String) -> String? {
            headers.first { $0.name.lowercased() == name.lowercased() }?.value
        }

        public func queryValue(_ name: String) -> String? { query.first { $0.name == name }?.value }

        public func formValue(_ name: String) -> String? { form.first { $0.name == name }?.value }

        /// `a=1&b=%20` → [("a", "1"), ("b", " ")]. `+` stays a plus, as AWS reads it.
        static func decodePairs(_ text: String) -> [(name: String, value: String)] {
            text.split(separator: "&").map { pair in
                let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                let name = String(parts[0]).removingPercentEncoding ?? String(parts[0])
                let value = parts.count > 1 ? (String(parts[1]).removingPercentEncoding ?? String(parts[1])) : ""
                return (name, value)
            }
        }
    }

    public struct StartFailure: Error, CustomStringConvertible {
        public var description: String
    }

    public let port: Int
    public var url: String { "http://127.0.0.1:\(port)" }

    private let process: Process
    private let directory: URL
    private var logFile: URL { directory.appendingPathComponent("requests.jsonl") }

    static let script = #"""
        import json, os, sys, threading, time
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        with open(sys.argv[1]) as f:
            config = json.load(f)
        queue = list(enumerate(config["responses"]))
        default = config["default"]
        log_path = sys.argv[2]
        log, lock = [], threading.Lock()

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _answer(self, status, headers, data):
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                if not any(name.lower() == "content-length" for name in headers):
                    self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(data)
                self.wfile.flush()

            def _handle(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length > 0 else b""
                if self.path.split("?")[0] == "/_log":
                    with lock:
                        data = json.dumps(log).encode()
                    return self._answer(200, {"Content-Type": "application/json"}, data)
                with lock:
                    scripted, response = queue.pop(0) if queue else (None, default)
                    entry = {
                        "index": len(log), "method": self.command, "target": self.path,
                        "headers": [[name, value] for name, value in self.headers.items()],
                        "body": body.decode("utf-8", "replace"), "scripted": scripted,
                    }
                    log.append(entry)
                    with open(log_path, "a") as f:
                        f.write(json.dumps(entry) + "\n")
                if response.get("delayMilliseconds", 0) > 0:
                    time.sleep(response["delayMilliseconds"] / 1000)
                if response.get("dropConnection"):
                    self.close_connection = True
                    return
                self._answer(response["status"], response.get("headers", {}), response.get("body", "").encode())

            do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = _handle

            def log_message(self, *args):
                pass

        """# + PythonServerProcess.serveHandler

    private struct Configuration: Encodable {
        var responses: [Response]
        var `default`: Response
    }

    /// Starts the server with its script; `default` answers every request after the script.
    public init(_ responses: [Response], default defaultResponse: Response = Response(status: 200)) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("plumb-scripted-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let configuration = directory.appendingPathComponent("script.json")
        try JSONEncoder().encode(Configuration(responses: responses, default: defaultResponse)).write(to: configuration)
        _ = FileManager.default.createFile(atPath: directory.appendingPathComponent("requests.jsonl").path, contents: Data())
        (process, port) = try PythonServerProcess.start(
            script: Self.script, arguments: [configuration.path, directory.appendingPathComponent("requests.jsonl").path],
            in: directory, name: "scripted HTTP server")
    }

    deinit {
        // SIGKILL: a child spawned from a Swift concurrency thread may start with SIGTERM
        // blocked, and then `terminate()` would never end it.
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: directory)
    }

    /// Every request received so far, in arrival order. A request is recorded before it is
    /// answered, so once a client has its answer (or its dropped connection), its request
    /// is here.
    public func requests() throws -> [Request] {
        let text = try String(contentsOf: logFile, encoding: .utf8)
        return try text.split(separator: "\n").map { line in
            guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                let index = object["index"] as? Int, let method = object["method"] as? String,
                let target = object["target"] as? String, let pairs = object["headers"] as? [[String]],
                let body = object["body"] as? String
            else { throw StartFailure(description: "unreadable request log line: \(line)") }
            return Request(
                index: index, method: method, target: target,
                headers: pairs.compactMap { $0.count == 2 ? (name: $0[0], value: $0[1]) : nil }, body: body,
                scripted: object["scripted"] as? Int)
        }
    }
}
