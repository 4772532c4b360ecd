import Foundation
import PlumbTestSupport
import Testing

/// What a user reads, compared exactly: each scenario runs `plumb` on a copy of the example
/// with one thing broken or one thing asked, and its exit code, stdout and stderr must equal
/// `Tests/Golden/NAME.txt` byte for byte (the copy's path reads `<root>`).
///
/// A deliberate change of wording is taken with
/// `PLUMB_UPDATE_GOLDEN=1 swift test --filter GoldenOutput`, which rewrites the files;
/// `git diff Tests/Golden` then shows the change for review (Docs/testing.md).
extension EndToEnd {
    @Suite("golden CLI output")
    struct GoldenOutputTests {
        struct Scenario: CustomTestStringConvertible, Sendable {
            var name: String
            /// Run first, output not compared (an apply the scenario starts from).
            var setup: [[String]] = []
            /// Replacements in the copy: file, old text, new text (new file when old is empty).
            var edits: [(String, String, String)] = []
            var arguments: [String]
            var environment: [String: String] = [:]
            /// Serve a web server's 404 page at `${PDNS_URL}` (a binding pointed at the wrong
            /// server).
            var notPowerDNS = false
            var testDescription: String { name }
        }

        static let scenarios: [Scenario] = [
            // 1. One root cause, one error, at its position.
            Scenario(
                name: "one-root-cause-each",
                edits: [
                    ("Desired/network/main.yaml", "cidr: 10.0.0.0/16\n", "cidr: 10.0.0.0/33\n"),
                    ("Providers/dns.yaml", "kind: embedded", "kind: embeded"),
                    ("Desired/dns/example.com.yaml", "ttl: 3600\n", "ttl: 3600\nttl: 300\n"),
                    ("Desired/dns/internal.example.net.yaml", "values: [10.0.12.10, 10.0.12.11]", "values: [10.0.12.10, 10.0.12.11"),
                    ("Providers/pdns.yaml", "api_key: ${PDNS_API_KEY:-}", "api_key: \"\""),
                    ("Desired/extra.yaml", "", "provider: pdns\nzone: extra.example.\nrecords:\n  www: {type: A, value: 192.0.2.1}\n"),
                ], arguments: ["validate"]),
            Scenario(
                name: "invalid-vpc-cidr", edits: [("Desired/network/main.yaml", "cidr: 10.0.0.0/16\n", "cidr: 10.0.0.0/33\n")],
                arguments: ["validate"]),
            Scenario(name: "binding-kind-typo", edits: [("Providers/dns.yaml", "kind: embedded", "kind: embeded")], arguments: ["validate"]),
            Scenario(
                name: "duplicate-key", edits: [("Desired/dns/example.com.yaml", "ttl: 3600\n", "ttl: 3600\nttl: 300\n")],
                arguments: ["validate"]),
            Scenario(
                name: "unclosed-flow-mapping",
                edits: [("Desired/network/main.yaml", "tags: {team: platform, env: production}", "tags: {team: platform, env: production")],
                arguments: ["validate"]),
            Scenario(
                name: "binding-duplicate-key", edits: [("Providers/cloud.yaml", "path: cloud.sqlite\n", "path: cloud.sqlite\npath: other.sqlite\n")],
                arguments: ["validate"]),
            // 2. Bindings are checked by validate, at their positions.
            Scenario(
                name: "binding-empty-api-key", edits: Self.pdnsZone(binding: "kind: powerdns\nurl: http://127.0.0.1:8081\napi_key: \"\"\n"),
                arguments: ["validate"]),
            Scenario(
                name: "binding-bad-url", edits: Self.pdnsZone(binding: "kind: powerdns\nurl: htp:/bad\napi_key: secret\n"),
                arguments: ["validate"]),
            Scenario(
                name: "binding-unknown-region", edits: [("Providers/aws.yaml", "region: us-east-1", "region: us-east-9")],
                arguments: ["validate"]),
            // 3. A provider that cannot be reached is named with its URL and what to check.
            Scenario(
                name: "provider-connection-refused",
                edits: Self.pdnsZone(binding: "kind: powerdns\nurl: http://deploy:hunter2@127.0.0.1:9\napi_key: secret\n"),
                arguments: ["plan"]),
            Scenario(
                name: "provider-not-powerdns",
                edits: Self.pdnsZone(binding: "kind: powerdns\nurl: ${PDNS_URL}\napi_key: secret\n"),
                arguments: ["plan"], notPowerDNS: true),
            // 4. The CLI's own words.
            Scenario(name: "history-limit-zero", arguments: ["history", "--limit", "0"]),
            Scenario(name: "history-format-markdown", arguments: ["history", "--format", "markdown"]),
            Scenario(
                name: "plan-exit-code-refused", setup: [["apply", "--auto-approve"]],
                edits: [
                    ("plumb.yaml", "safety:\n  max_changes: 500", "safety:\n  max_changes: 1"),
                    ("Desired/dns/example.com.yaml", "value: 198.51.100.25", "value: 198.51.100.31"),
                    ("Desired/dns/example.com.yaml", "192.0.2.11", "192.0.2.12"),
                ],
                arguments: ["plan", "--exit-code"]),
            Scenario(
                name: "apply-one-change", setup: [["apply", "--auto-approve"]],
                edits: [("Desired/dns/example.com.yaml", "value: 198.51.100.25", "value: 198.51.100.31")],
                arguments: ["apply", "--auto-approve"]),
            Scenario(
                name: "security-group-update", setup: [["apply", "--auto-approve"]],
                edits: [("Desired/network/main.yaml", "description: Web tier", "description: Web servers")],
                arguments: ["plan"]),
            Scenario(
                name: "import-refuses-overwrite", setup: [["apply", "--auto-approve"], ["import", "--provider", "cloud", "--out", "Imported"]],
                arguments: ["import", "--provider", "cloud", "--out", "Imported"]),
        ]

        /// A zone on a PowerDNS binding, so the binding is one a plan would contact.
        static func pdnsZone(binding: String) -> [(String, String, String)] {
            [
                ("Providers/pdns.yaml", "", binding),
                ("Desired/extra.yaml", "", "provider: pdns\nzone: extra.example.\nrecords:\n  www: {type: A, value: 192.0.2.1}\n"),
            ]
        }

        static var goldenDirectory: URL { PlumbProcess.projectRoot.appendingPathComponent("Tests/Golden") }

        @Test("each scenario prints exactly its golden file", arguments: scenarios)
        func golden(_ scenario: Scenario) throws {
            let repo = try TempRepo.example()
            var environment = ["PDNS_URL": "", "PDNS_API_KEY": "", "AWS_ENDPOINT_URL": "", "COLUMNS": "100"].merging(scenario.environment) { $1 }
            let page =
                "<!DOCTYPE html><html><head><title>404 Not Found</title></head><body><h1>Not Found</h1>"
                + String(repeating: "<p>nothing here</p>", count: 50) + "</body></html>"
            let server =
                scenario.notPowerDNS
                ? try ScriptedHTTPServer([], default: .init(status: 404, headers: ["Content-Type": "text/html"], body: page)) : nil
            if let server { environment["PDNS_URL"] = server.url }
            for step in scenario.setup {
                let result = try PlumbProcess.run(step, in: repo.url, environment: environment)
                try #require(result.status == 0, "setup \(step): \(result.stderr)")
            }
            for (file, old, new) in scenario.edits {
                if old.isEmpty {
                    if new.isEmpty { try repo.remove(file) } else { try repo.write(file, new) }
                } else {
                    try repo.edit(file, replacing: old, with: new)
                }
            }
            let result = try PlumbProcess.run(scenario.arguments, in: repo.url, environment: environment)
            let actual = Self.transcript(scenario.arguments, result, root: repo.url.path, port: server?.port)
            let file = Self.goldenDirectory.appendingPathComponent("\(scenario.name).txt")
            if ProcessInfo.processInfo.environment["PLUMB_UPDATE_GOLDEN"] == "1" {
                try FileManager.default.createDirectory(at: Self.goldenDirectory, withIntermediateDirectories: true)
                try Data(actual.utf8).write(to: file)
                return
            }
            let expected = try #require(
                try? String(contentsOf: file, encoding: .utf8),
                "no \(file.lastPathComponent); make it with PLUMB_UPDATE_GOLDEN=1 swift test --filter GoldenOutput")
            #expect(
                actual == expected, "\(scenario.name): output differs from Tests/Golden/\(scenario.name).txt:\n\(Self.difference(expected, actual))")
        }

        @Test("every golden file belongs to a scenario")
        func noStrayGoldenFiles() throws {
            let files = try FileManager.default.contentsOfDirectory(atPath: Self.goldenDirectory.path).filter { $0.hasSuffix(".txt") }
            #expect(Set(files) == Set(Self.scenarios.map { "\($0.name).txt" }))
        }

        /// The command, its exit code and both streams, with the copy's path and the varying
        /// figures (durations, run ids' dates) written as placeholders.
        static func transcript(_ arguments: [String], _ result: PlumbProcess.Output, root: String, port: Int? = nil) -> String {
            func clean(_ text: String) -> String {
                var text = text.replacingOccurrences(of: root, with: "<root>")
                if let port { text = text.replacingOccurrences(of: "127.0.0.1:\(port)", with: "127.0.0.1:<port>") }
                for (pattern, placeholder) in [
                    (#"\b\d+(\.\d+)? ?(ms|s)\b"#, "<duration>"),
                    (#"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z"#, "<time>"),
                ] {
                    text = text.replacingOccurrences(of: pattern, with: placeholder, options: .regularExpression)
                }
                return text
            }
            return
                "$ plumb \(arguments.joined(separator: " "))\nexit \(result.status)\n--- stdout\n\(clean(result.stdout))--- stderr\n\(clean(result.stderr))"
        }

        /// The first lines that differ, for the failure message.
        static func difference(_ expected: String, _ actual: String) -> String {
            let old = expected.split(separator: "\n", omittingEmptySubsequences: false)
            let new = actual.split(separator: "\n", omittingEmptySubsequences: false)
            for index in 0..<max(old.count, new.count) where (index < old.count ? old[index] : nil) != (index < new.count ? new[index] : nil) {
                return
                    "line \(index + 1):\n- \(index < old.count ? String(old[index]) : "(none)")\n+ \(index < new.count ? String(new[index]) : "(none)")"
            }
            return "(same lines; the ends differ)"
        }
    }
}
