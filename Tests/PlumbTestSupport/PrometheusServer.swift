import Foundation
import Glibc

/// A private Prometheus started for one test through `scripts/servers/prometheus`: a free
/// 127.0.0.1 port, a temp directory, the given targets scraped every second (job "test").
/// A server that cannot start is a test failure, never a skip.
public final class PrometheusServer: @unchecked Sendable {
    public let url: String
    private let directory: String

    static var script: String { PowerDNSServer.projectRoot.appendingPathComponent("scripts/servers/prometheus").path }

    public init(targets: [String]) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("plumb-prometheus-\(UUID().uuidString.prefix(8))").path
        let (status, output) = try PowerDNSServer.run([Self.script, "start", directory] + targets.flatMap { ["--target", $0] })
        guard status == 0, let line = output.split(separator: "\n").last,
            let info = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
            let url = info["url"] as? String
        else {
            throw PowerDNSServer.StartFailure(description: "could not start Prometheus (apt-get install prometheus): \(output)")
        }
        self.url = url
    }

    deinit {
        _ = try? PowerDNSServer.run([Self.script, "stop", directory])
        try? FileManager.default.removeItem(atPath: directory)
    }
}
