import Foundation
import PlumbTestSupport
import Testing

extension EndToEnd {
    @Suite("Policies and graphs")
    struct PolicyAndGraphTests {
        static let bastion = """
            provider: cloud
            security_groups:
              bastion:
                vpc: main
                description: SSH from anywhere
                ingress:
                  - {protocol: tcp, ports: 22, from: 0.0.0.0/0}

            """

        @Test("SSH open to the world: validate names the rule at its position and exits 1; apply --force refuses; a waiver with a reason lifts it")
        func worldSSH() throws {
            let repo = try TempRepo.example()
            try repo.write("Desired/network/bastion.yaml", Self.bastion)
            let validate = try repo.plumb("validate")
            #expect(validate.status == 1)
            #expect(
                validate.stderr.contains(
                    "Desired/network/bastion.yaml:3:3: deny sg-world-admin-port: net.security_group/bastion: ingress tcp 22 from 0.0.0.0/0 opens 22 (SSH) to the internet"
                ), "\(validate.stderr)")
            let plan = try repo.plumb("plan", "--format", "json")
            #expect(plan.stdout.contains("\"rule\" : \"sg-world-admin-port\""))
            let apply = try repo.plumb("apply", "--auto-approve", "--force")
            #expect(apply.status == 1)
            #expect(apply.stderr.contains("refused, nothing was changed") && apply.stderr.contains("policy sg-world-admin-port"), "\(apply.stderr)")
            let after = try repo.plumb("plan")
            #expect(after.stdout.contains("+ net.security_group/bastion") && after.stdout.contains("+ net.vpc/main"), "nothing was applied")

            try repo.write(
                "Desired/network/bastion.yaml", Self.bastion + "    waive: {sg-world-admin-port: \"bastion, reviewed 2026-12 by SEC-42\"}\n")
            #expect(try repo.plumb("validate").status == 0)
            let waived = try repo.plumb("apply", "--auto-approve")
            #expect(waived.status == 0, "\(waived.stderr)")
            #expect(waived.stdout.contains("bastion, reviewed 2026-12 by SEC-42"), "\(waived.stdout)")
        }

        @Test("a waiver without a reason, or of a rule that does not exist, is an error at its position")
        func badWaivers() throws {
            let repo = try TempRepo.example()
            try repo.write("Desired/network/bastion.yaml", Self.bastion + "    waive: {sg-world-admin-prot: \"x\", sg-world-all-ports: \"\"}\n")
            let validate = try repo.plumb("validate")
            #expect(validate.status == 1)
            #expect(validate.stderr.contains("Desired/network/bastion.yaml:8:13:"), "\(validate.stderr)")
            #expect(validate.stderr.contains("did you mean 'sg-world-admin-port'?"))
            #expect(validate.stderr.contains("the waiver of sg-world-all-ports has no reason"))
        }

        @Test("the example passes every policy")
        func examplePasses() throws {
            let validate = try TempRepo.example().plumb("validate")
            #expect(validate.status == 0, "\(validate.stderr)")
            #expect(!validate.stderr.contains("deny"))
        }

        @Test("graph: DOT that Graphviz draws, SVG from Graphviz, Mermaid with every group; the SVG renders in Chromium")
        func graph() throws {
            let repo = try TempRepo.example()
            let dot = try repo.plumb("graph", "--format", "dot")
            #expect(dot.status == 0, "\(dot.stderr)")
            try repo.write("graph.dot", dot.stdout)
            let drawn = try Self.run("/usr/bin/dot", ["-Tsvg", repo.url.appendingPathComponent("graph.dot").path], in: repo)
            #expect(drawn.status == 0, "\(drawn.stderr)")
            #expect(drawn.stdout.contains("<svg"))
            let mermaid = try repo.plumb("graph")
            #expect(mermaid.stdout.hasPrefix("flowchart LR"))
            for group in ["lb", "web", "db"] { #expect(mermaid.stdout.contains("\"security group \(group)\"")) }
            let svg = try repo.plumb("graph", "--format", "svg", "--out", "graph.svg")
            #expect(svg.status == 0, "\(svg.stderr)")
            let file = repo.url.appendingPathComponent("graph.svg")
            #expect(try String(contentsOf: file, encoding: .utf8).contains("security group web"))
            // Chromium draws it: a non-empty screenshot, kept beside the build for a person to look at.
            let shot = repo.url.appendingPathComponent("graph.png")
            let chromium = try Self.run(
                "/usr/bin/chromium",
                ["--headless", "--no-sandbox", "--disable-gpu", "--screenshot=\(shot.path)", "--window-size=1400,900", file.absoluteString], in: repo)
            #expect(chromium.status == 0, "\(chromium.stderr)")
            let size = (try FileManager.default.attributesOfItem(atPath: shot.path)[.size] as? Int) ?? 0
            #expect(size > 10_000, "screenshot of \(size) bytes")
            let artifacts = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../.build/test-artifacts")
            try? FileManager.default.createDirectory(at: artifacts, withIntermediateDirectories: true)
            try? FileManager.default.removeItem(at: artifacts.appendingPathComponent("graph-example.png"))
            try? FileManager.default.copyItem(at: shot, to: artifacts.appendingPathComponent("graph-example.png"))
        }

        @Test("graph --format svg without Graphviz is a clear error")
        func svgWithoutGraphviz() throws {
            let repo = try TempRepo.example()
            let svg = try repo.plumb("graph", "--format", "svg", environment: ["PATH": "/nonexistent"])
            #expect(svg.status == 1)
            #expect(svg.stderr.contains("Graphviz's dot, which is not on PATH"))
        }

        static func run(_ path: String, _ arguments: [String], in repo: TempRepo) throws -> (status: Int32, stdout: String, stderr: String) {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: path)
            process.arguments = arguments
            return try runCaptured(process, scratch: repo.url.path)
        }
    }
}
