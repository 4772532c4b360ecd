import Foundation

/// A loopback HTTP service whose behaviour the test changes while it runs: how long it takes
/// to answer, the status it answers with, and the value of the gauge it exports at
/// `/metrics` (`plumb_test_value`, for Prometheus to scrape). A change may be scheduled: "answer
/// 500 from three seconds from now".
///
/// The state is a file of phases the server reads on every request (a phase applies from
/// its start time on), so a change needs no request of its own and lands at a known instant.
public final class ControlledHTTPServer: @unchecked Sendable {
    public struct Phase: Sendable, Encodable {
        public var at: Double
        public var delayMilliseconds: Int
        public var status: Int
        public var value: Double
    }

    public let port: Int
    public var url: String { "http://127.0.0.1:\(port)" }
    /// `127.0.0.1:PORT`, as a Prometheus scrape target.
    public var target: String { "127.0.0.1:\(port)" }

    private let process: Process
    private let directory: URL
    private let lock = NSLock()
    private var phases: [Phase] = []

    static let script = #"""
        import json, os, sys, threading, time
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        state_path = sys.argv[1]

        def current():
            with open(state_path) as f:
                phases = json.load(f)
            now = time.time()
            chosen = phases[0]
            for phase in phases:
                if phase["at"] <= now:
                    chosen = phase
            return chosen

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True

            def do_GET(self):
                phase = current()
                if self.path.split("?")[0] == "/metrics":
                    body = ("# TYPE plumb_test_value gauge\nplumb_test_value %r\n" % float(phase["value"])).encode()
                    status, kind = 200, "text/plain; version=0.0.4"
                else:
                    time.sleep(phase["delayMilliseconds"] / 1000)
                    body, status, kind = b"ok\n", phase["status"], "text/plain"
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        """# + PythonServerProcess.serveHandler

    /// Starts answering 200 at once, exporting `value`.
    public init(delayMilliseconds: Int = 0, status: Int = 200, value: Double = 0) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("plumb-controlled-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        phases = [Phase(at: 0, delayMilliseconds: delayMilliseconds, status: status, value: value)]
        try Self.write(phases, to: directory)
        (process, port) = try PythonServerProcess.start(
            script: Self.script, arguments: [directory.appendingPathComponent("state.json").path], in: directory,
            name: "controlled HTTP server")
    }

    /// From `after` on (now by default), answer after `delayMilliseconds` with `status` and
    /// export `value`; what is not given stays as it is.
    public func set(delayMilliseconds: Int? = nil, status: Int? = nil, value: Double? = nil, after: Duration = .zero) throws {
        let seconds = Double(after.components.seconds) + Double(after.components.attoseconds) / 1e18
        try lock.withLock {
            let last = phases[phases.count - 1]
            phases.append(
                Phase(
                    at: Date().timeIntervalSince1970 + seconds, delayMilliseconds: delayMilliseconds ?? last.delayMilliseconds,
                    status: status ?? last.status, value: value ?? last.value))
            try Self.write(phases, to: directory)
        }
    }

    private static func write(_ phases: [Phase], to directory: URL) throws {
        // Atomic: the server never reads half a file.
        try JSONEncoder().encode(phases).write(to: directory.appendingPathComponent("state.json"), options: .atomic)
    }

    deinit {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: directory)
    }
}
