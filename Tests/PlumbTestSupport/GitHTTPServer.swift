import Foundation

/// A git smart-HTTP server that requires basic authentication (`scripts/servers/git-http`,
/// `git http-backend` behind a small Python server on a free 127.0.0.1 port), serving the
/// bare repositories under `root`, started for one test.
public final class GitHTTPServer: @unchecked Sendable {
    public let root: URL
    public let port: Int
    let process: Process

    public struct StartFailure: Error, CustomStringConvertible {
        public var description: String
    }

    public init(root: URL, user: String, password: String) throws {
        self.root = root
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "python3", PowerDNSServer.projectRoot.appendingPathComponent("scripts/servers/git-http").path,
            "serve", root.path, user, password,
        ]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let line = String(decoding: pipe.fileHandleForReading.availableData, as: UTF8.self)
        guard let port = Int(line.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            kill(process.processIdentifier, SIGKILL)
            throw StartFailure(description: "scripts/servers/git-http did not start: \(line)")
        }
        self.port = port
    }

    deinit {
        kill(process.processIdentifier, SIGKILL)
    }

    /// `http://127.0.0.1:PORT/NAME`, without credentials.
    public func url(_ name: String) -> String { "http://127.0.0.1:\(port)/\(name)" }

    /// What the server was asked: "METHOD PATH authorized|refused|anonymous" per request.
    public var requests: [String] {
        ((try? String(contentsOf: root.appendingPathComponent("requests.log"), encoding: .utf8)) ?? "")
            .split(separator: "\n").map(String.init)
    }
}
