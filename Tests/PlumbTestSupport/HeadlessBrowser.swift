import Foundation

/// Headless Chromium driven over the DevTools protocol, for tests of pages that change while
/// they are open: open a URL at a given width, evaluate JavaScript, take a screenshot. A small
/// Python bridge speaks the protocol on Chromium's `--remote-debugging-pipe` (NUL-separated
/// JSON on descriptors 3 and 4) and takes one JSON command per line on stdin.
public final class HeadlessBrowser: @unchecked Sendable {
    let process: Process
    let input: FileHandle
    let output: FileHandle
    private var buffer = Data()

    static let script = #"""
        import base64, json, os, subprocess, sys, time
        chrome, profile = sys.argv[1], sys.argv[2]
        to_chrome_r, to_chrome_w = os.pipe()
        from_chrome_r, from_chrome_w = os.pipe()
        def child():
            # Through high numbers first: a pipe may already sit on 3 or 4. dup2 leaves a
            # descriptor duplicated onto itself close-on-exec, so both are made inheritable.
            high_r, high_w = os.dup2(to_chrome_r, 100), os.dup2(from_chrome_w, 101)
            os.dup2(high_r, 3); os.dup2(high_w, 4)
            os.set_inheritable(3, True); os.set_inheritable(4, True)
        proc = subprocess.Popen([chrome, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
            "--no-first-run", "--remote-debugging-pipe", "--user-data-dir=" + profile, "about:blank"],
            close_fds=False, preexec_fn=child, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(to_chrome_r); os.close(from_chrome_w)
        pending, next_id, session = b"", [0], [None]
        def call(method, params=None, use_session=True):
            next_id[0] += 1
            message = {"id": next_id[0], "method": method, "params": params or {}}
            if use_session and session[0]: message["sessionId"] = session[0]
            os.write(to_chrome_w, json.dumps(message).encode() + b"\0")
            global pending
            while True:
                while b"\0" not in pending:
                    chunk = os.read(from_chrome_r, 1 << 20)
                    if not chunk: raise SystemExit("chromium closed the pipe")
                    pending += chunk
                raw, pending = pending.split(b"\0", 1)
                reply = json.loads(raw)
                if reply.get("id") == next_id[0]:
                    if "error" in reply: raise RuntimeError(json.dumps(reply["error"]))
                    return reply.get("result", {})
        def evaluate(expression):
            result = call("Runtime.evaluate", {"expression": expression, "returnByValue": True, "awaitPromise": True})
            return result.get("result", {}).get("value")
        for line in sys.stdin:
            command = json.loads(line)
            try:
                if command["cmd"] == "open":
                    if session[0] is None:
                        target = call("Target.createTarget", {"url": "about:blank"}, False)["targetId"]
                        session[0] = call("Target.attachToTarget", {"targetId": target, "flatten": True}, False)["sessionId"]
                        call("Page.enable"); call("Runtime.enable")
                    width = command.get("width", 1200)
                    call("Emulation.setDeviceMetricsOverride", {"width": width, "height": command.get("height", 900),
                        "deviceScaleFactor": 1, "mobile": width < 600})
                    call("Page.navigate", {"url": command["url"]})
                    deadline = time.time() + 30
                    while evaluate("document.readyState") != "complete" and time.time() < deadline: time.sleep(0.05)
                    reply = {"ok": True}
                elif command["cmd"] == "eval":
                    reply = {"ok": True, "value": evaluate(command["expr"])}
                elif command["cmd"] == "screenshot":
                    data = call("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True})["data"]
                    with open(command["path"], "wb") as f: f.write(base64.b64decode(data))
                    reply = {"ok": True}
                else:
                    break
            except Exception as error:
                reply = {"ok": False, "error": str(error)}
            print(json.dumps(reply), flush=True)
        proc.kill()
        """#

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// Chromium at its usual Debian paths.
    public static var chromium: String? {
        ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    public init(chromium: String, profile: URL) throws {
        try FileManager.default.createDirectory(at: profile, withIntermediateDirectories: true)
        let script = profile.appendingPathComponent("bridge.py")
        try Data(Self.script.utf8).write(to: script)
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script.path, chromium, profile.appendingPathComponent("profile").path]
        let stdin = Pipe()
        let stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = FileHandle.nullDevice
        try process.run()
        input = stdin.fileHandleForWriting
        output = stdout.fileHandleForReading
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    @discardableResult
    func send(_ command: [String: Any]) throws -> Any? {
        input.write(try JSONSerialization.data(withJSONObject: command) + Data("\n".utf8))
        while !buffer.contains(UInt8(ascii: "\n")) {
            let chunk = output.availableData
            guard !chunk.isEmpty else { throw Failure(description: "the browser bridge ended") }
            buffer.append(chunk)
        }
        let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) ?? buffer.endIndex
        let line = buffer[buffer.startIndex..<newline]
        buffer = Data(buffer[buffer.index(after: newline)...])
        let reply = try JSONSerialization.jsonObject(with: line) as? [String: Any] ?? [:]
        guard reply["ok"] as? Bool == true else { throw Failure(description: "\(command["cmd"] ?? ""): \(reply["error"] ?? "failed")") }
        return reply["value"]
    }

    /// Loads `url` in a viewport `width` pixels wide (below 600: a phone).
    public func open(_ url: String, width: Int = 1200) throws {
        try send(["cmd": "open", "url": url, "width": width])
    }

    /// The value of a JavaScript expression (promises awaited), as JSON gives it.
    public func evaluate(_ expression: String) throws -> Any? {
        try send(["cmd": "eval", "expr": expression])
    }

    /// Waits until `expression` is true (30 s at most); whether it became true.
    public func wait(until expression: String, timeout: TimeInterval = 60) throws -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if try evaluate("Boolean(\(expression))") as? Bool == true { return true }
            Thread.sleep(forTimeInterval: 0.1)
        }
        return false
    }

    public func screenshot(to file: URL) throws {
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try send(["cmd": "screenshot", "path": file.path])
    }

    public func close() {
        try? input.write(contentsOf: Data("{\"cmd\":\"quit\"}\n".utf8))
        process.waitUntilExit()
    }
}
