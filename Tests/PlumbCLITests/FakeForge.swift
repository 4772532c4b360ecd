import Foundation
import PlumbHTTP

/// A stand-in for a forge's API (GitHub's comment endpoints) and a drift webhook receiver,
/// run as a small Python HTTP server on 127.0.0.1; it reports what it received.
final class FakeForge: @unchecked Sendable {
    let process: Process
    let port: Int
    let directory: URL

    static let script = #"""
        import json, sys, threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
        comments, log, lock = [], [], threading.Lock()
        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            def _reply(self, status, payload):
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            def _body(self):
                length = int(self.headers.get("Content-Length") or 0)
                return json.loads(self.rfile.read(length) or b"{}")
            def do_GET(self):
                with lock:
                    if self.path.startswith("/_log"):
                        return self._reply(200, {"log": log, "comments": comments})
                    log.append({"method": "GET", "path": self.path, "auth": self.headers.get("Authorization")})
                    return self._reply(200, comments)
            def do_POST(self):
                body = self._body()
                with lock:
                    log.append({"method": "POST", "path": self.path, "auth": self.headers.get("Authorization"), "body": body})
                    if self.path.startswith("/repos/"):
                        comments.append({"id": len(comments) + 1, "body": body.get("body", "")})
                        return self._reply(201, comments[-1])
                    return self._reply(200, {})
            def do_PATCH(self):
                body = self._body()
                with lock:
                    log.append({"method": "PATCH", "path": self.path, "body": body})
                    cid = int(self.path.rsplit("/", 1)[1])
                    for c in comments:
                        if c["id"] == cid: c["body"] = body.get("body", "")
                    return self._reply(200, {})
            def log_message(self, *args): pass
        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        print(server.server_address[1], flush=True)
        server.serve_forever()
        """#

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("plumb-forge-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let script = directory.appendingPathComponent("forge.py")
        try Data(Self.script.utf8).write(to: script)
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script.path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let line = String(decoding: pipe.fileHandleForReading.availableData, as: UTF8.self)
        port = Int(line.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
    }

    deinit {
        kill(process.processIdentifier, SIGKILL)
    }

    var url: String { "http://127.0.0.1:\(port)" }

    /// What the server received and the comments it holds.
    func snapshot() async throws -> (log: [[String: Any]], comments: [[String: Any]]) {
        let data = try await HTTPClient(maxConcurrent: 1).send(HTTPRequest(url: "\(url)/_log")).body
        let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
        return (object["log"] as? [[String: Any]] ?? [], object["comments"] as? [[String: Any]] ?? [])
    }
}
