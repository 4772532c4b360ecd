import Foundation

/// A private PowerDNS Authoritative server started for one test through
/// `scripts/servers/pdns` (free ports on 127.0.0.1, a temp directory, caches off).
/// A server that cannot start is a test failure, never a skip.
public final class PowerDNSServer: @unchecked Sendable {
    public let url: String
    public let apiKey: String
    public let dnsPort: Int
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
        let script = Self.projectRoot.appendingPathComponent("scripts/servers/pdns").path
        let (status, output) = try Self.run([script, "start", directory])
        guard status == 0, let data = output.split(separator: "\n").last.map({ Data($0.utf8) }),
              let info = try JSONSerialization.jsonObject(with: data) as? [String: Any],
              let url = info["url"] as? String, let key = info["api_key"] as? String, let port = info["dns_port"] as? Int
        else {
            throw StartFailure(description: "could not start PowerDNS (install pdns-server pdns-backend-sqlite3): \(output)")
        }
        self.url = url
        apiKey = key
        dnsPort = port
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

    static func run(_ arguments: [String]) throws -> (Int32, String) {
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
