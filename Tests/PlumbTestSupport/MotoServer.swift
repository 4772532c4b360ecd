import Foundation
import Glibc

/// A private moto server (a local AWS look-alike) started for one test through
/// `scripts/servers/moto` (a free port on 127.0.0.1, a temp directory). One endpoint serves
/// every service and region; each region starts with moto's default VPC (172.31.0.0/16).
/// The first start in a fresh tree installs moto and the AWS CLI into `.build/aws-venv`
/// (`scripts/test` does that up front). A server that cannot start is a test failure, never a skip.
public final class MotoServer: @unchecked Sendable {
    public let url: String
    public let port: Int
    /// The AWS CLI (v1) from the same virtual environment, to act behind Plumb's back.
    public let awsPath: String
    private let pid: Int32
    let directory: String

    public static let region = "us-east-1"

    public typealias StartFailure = PowerDNSServer.StartFailure

    /// What an AWS client needs to talk to this server: dummy credentials, the region and the endpoint.
    public var credentialsEnvironment: [String: String] {
        [
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": Self.region,
            "AWS_ENDPOINT_URL": url,
        ]
    }

    static var script: String { PowerDNSServer.projectRoot.appendingPathComponent("scripts/servers/moto").path }

    public init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("moto-\(UUID().uuidString.prefix(8))").path
        let (status, output) = try PowerDNSServer.run([Self.script, "start", directory])
        guard status == 0, let data = output.split(separator: "\n").last.map({ Data($0.utf8) }),
            let info = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            let url = info["url"] as? String, let port = info["port"] as? Int,
            let aws = info["aws"] as? String, let pid = info["pid"] as? Int
        else {
            _ = try? PowerDNSServer.run([Self.script, "stop", directory])
            try? FileManager.default.removeItem(atPath: directory)
            throw StartFailure(description: "could not start moto (scripts/servers/moto start; needs python3-venv and PyPI): \(output)")
        }
        (self.url, self.port, awsPath, self.pid) = (url, port, aws, Int32(pid))
        // Empty AWS config files, so a developer's own ~/.aws is never read.
        _ = FileManager.default.createFile(atPath: emptyConfig, contents: Data())
    }

    private var emptyConfig: String { directory + "/aws-config-empty" }

    /// Wipes every service's state, as a fresh server would have it (default VPCs come back).
    public func reset() throws {
        let (status, output) = try PowerDNSServer.run([Self.script, "reset", url])
        guard status == 0 else { throw StartFailure(description: "moto reset failed: \(output)") }
    }

    /// Kills the server at once (SIGKILL), as a crash would.
    public func kill() {
        _ = Glibc.kill(pid, SIGKILL)
        var status: Int32 = 0
        _ = waitpid(pid, &status, WNOHANG)
    }

    deinit {
        _ = try? PowerDNSServer.run([Self.script, "stop", directory])
        try? FileManager.default.removeItem(atPath: directory)
    }

    public struct AWSFailure: Error, CustomStringConvertible {
        public var arguments: [String]
        public var status: Int32
        public var stderr: String
        public var description: String { "aws \(arguments.joined(separator: " ")) exited with \(status): \(stderr)" }
    }

    /// Runs the AWS CLI against this server (JSON output, dummy credentials, no config files
    /// read), as a person would behind Plumb's back. `output` is standard output, followed by
    /// standard error when the command failed.
    public func aws(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let (status, stdout, stderr) = try runAWS(arguments)
        return (status, status == 0 ? stdout : stdout + stderr)
    }

    /// Runs the AWS CLI and parses its JSON; throws `AWSFailure` (with standard error) when it
    /// fails. A command that prints nothing (such as `ec2 create-tags`) gives an empty dictionary.
    public func awsJSON(_ arguments: [String]) throws -> Any {
        let (status, stdout, stderr) = try runAWS(arguments)
        guard status == 0 else { throw AWSFailure(arguments: arguments, status: status, stderr: stderr) }
        if stdout.allSatisfy(\.isWhitespace) { return [String: Any]() }
        return try JSONSerialization.jsonObject(with: Data(stdout.utf8), options: [.fragmentsAllowed])
    }

    private func runAWS(_ arguments: [String]) throws -> (Int32, String, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: awsPath)
        process.arguments = ["--endpoint-url", url, "--region", Self.region, "--output", "json"] + arguments
        // Foundation's Process on Linux needs the whole environment: the caller's, less any AWS_
        // setting of a developer's, plus this server's.
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("AWS_") }
        environment.merge(credentialsEnvironment) { $1 }
        environment["AWS_CONFIG_FILE"] = emptyConfig
        environment["AWS_SHARED_CREDENTIALS_FILE"] = emptyConfig
        environment["AWS_EC2_METADATA_DISABLED"] = "true"
        environment["PYTHONWARNINGS"] = "ignore"
        environment["NO_PROXY"] = "127.0.0.1,localhost"
        environment["no_proxy"] = "127.0.0.1,localhost"
        process.environment = environment
        return try runCaptured(process, scratch: directory)
    }
}
