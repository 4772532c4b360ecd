import Foundation
import Glibc

/// A private PowerDNS Authoritative server started for one test through
/// `scripts/servers/pdns` (free ports on 127.0.0.1, a temp directory, caches off).
/// A server that cannot start is a test failure, never a skip.
public final class PowerDNSServer: @unchecked Sendable {
    public private(set) var url: String
    public private(set) var apiKey: String
    public private(set) var dnsPort: Int
    private var pid: Int32
    let directory: String

    public static var projectRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    public struct StartFailure: Error, CustomStringConvertible {
        public var description: String
    }

    public init() throws {
        // The control socket lives in the directory: keep its path short.
        directory = "/tmp/pdns-\(UUID().uuidString.prefix(8))"
        (url, apiKey, dnsPort, pid) = try Self.start(directory)
    }

    private static func start(_ directory: String) throws -> (String, String, Int, Int32) {
        let script = projectRoot.appendingPathComponent("scripts/servers/pdns").path
        let (status, output) = try run([script, "start", directory])
        guard status == 0, let data = output.split(separator: "\n").last.map({ Data($0.utf8) }),
            let info = try JSONSerialization.jsonObject(with: data) as? [String: Any],
            let url = info["url"] as? String, let key = info["api_key"] as? String,
            let port = info["dns_port"] as? Int, let pid = info["pid"] as? Int
        else {
            throw StartFailure(description: "could not start PowerDNS (install pdns-server pdns-backend-sqlite3): \(output)")
        }
        return (url, key, port, Int32(pid))
    }

    /// Kills the server at once (SIGKILL), as a crash would.
    public func kill() {
        _ = Glibc.kill(pid, SIGKILL)
        var status: Int32 = 0
        _ = waitpid(pid, &status, WNOHANG)
    }

    /// Starts it again on the same database (new ports and key).
    public func restart() throws {
        (url, apiKey, dnsPort, pid) = try Self.start(directory)
    }

    deinit {
        _ = try? Self.run([Self.projectRoot.appendingPathComponent("scripts/servers/pdns").path, "stop", directory])
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Calls the API directly, as a person would behind Plumb's back.
    @discardableResult
    public func api(_ method: String, _ path: String, body: String? = nil) throws -> (Int, String) {
        var arguments = ["curl", "-s", "-o", "/dev/stdout", "-w", "\n%{http_code}", "-X", method, "-H", "X-API-Key: \(apiKey)"]
        if let body { arguments += ["-H", "Content-Type: application/json", "--data", body] }
        arguments.append("\(url)/api/v1/servers/localhost\(path)")
        let (_, output) = try Self.run(arguments)
        let lines = output.split(separator: "\n", omittingEmptySubsequences: false)
        return (Int(lines.last ?? "") ?? 0, lines.dropLast().joined(separator: "\n"))
    }

    /// Runs a command (through `env`, so found on PATH), returning its status and output.
    public static func run(_ arguments: [String]) throws -> (Int32, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
