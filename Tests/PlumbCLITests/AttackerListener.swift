import Foundation

/// A loopback TCP listener standing in for an attacker's server: it accepts anything and
/// keeps every byte it is sent, so a test can assert that nothing reached it.
final class AttackerListener: @unchecked Sendable {
    let process: Process
    let port: Int
    let directory: URL

    static let script = #"""
        import socket, sys, threading
        path = sys.argv[1]
        server = socket.socket()
        server.bind(("127.0.0.1", 0))
        server.listen(16)
        print(server.getsockname()[1], flush=True)
        lock = threading.Lock()
        def serve(connection):
            with lock, open(path, "ab") as log: log.write(b"<connection>\n")
            connection.settimeout(5)
            try:
                while True:
                    data = connection.recv(65536)
                    if not data: break
                    with lock, open(path, "ab") as log: log.write(data)
            except OSError:
                pass
            connection.close()
        while True:
            connection, _ = server.accept()
            threading.Thread(target=serve, args=(connection,), daemon=True).start()
        """#

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("plumb-attacker-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let script = directory.appendingPathComponent("listener.py")
        try Data(Self.script.utf8).write(to: script)
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script.path, directory.appendingPathComponent("received").path]
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

    /// Everything any connection sent, each connection marked; empty when nobody came.
    var received: Data { FileManager.default.contents(atPath: directory.appendingPathComponent("received").path) ?? Data() }
}
