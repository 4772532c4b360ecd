import Foundation

/// Starts a test server written in Python: writes `script` to `directory/server.py`, runs it
/// with `arguments`, and reads the port it prints on a line of its own once it listens. What
/// the script writes to stderr goes to `directory/stderr` and into the error when it fails.
enum PythonServerProcess {
    /// The end of every such script: serve its `Handler` on a free 127.0.0.1 port, print the
    /// port, and exit with the test process, even when it crashes and never stops the server.
    static let serveHandler = #"""

        parent = os.getppid()
        def watch_parent():
            while os.getppid() == parent:
                time.sleep(0.5)
            os._exit(0)
        threading.Thread(target=watch_parent, daemon=True).start()

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        print(server.server_address[1], flush=True)
        server.serve_forever()
        """#

    static func start(script: String, arguments: [String], in directory: URL, name: String) throws -> (Process, Int) {
        let path = directory.appendingPathComponent("server.py")
        try Data(script.utf8).write(to: path)
        let errors = directory.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: errors.path, contents: Data())  // FileHandle below reports a failure

        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", path.path] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = try FileHandle(forWritingTo: errors)
        process.standardInput = FileHandle.nullDevice
        try process.run()

        var output = Data()
        while !output.contains(UInt8(ascii: "\n")) {
            let chunk = pipe.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            output += chunk
        }
        guard let port = Int(String(decoding: output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) else {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            let stderr = (try? String(contentsOf: errors, encoding: .utf8)) ?? ""
            try? FileManager.default.removeItem(at: directory)
            throw ScriptedHTTPServer.StartFailure(description: "the \(name) did not start (python3 needed): \(stderr)")
        }
        return (process, port)
    }
}
