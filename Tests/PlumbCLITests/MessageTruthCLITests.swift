import Foundation
import PlumbCore
import PlumbRunner
import PlumbTestSupport
import Testing

extension EndToEnd {
    @Suite("CLI messages and refusals")
    struct MessageTruthCLITests {
        @Test("import refuses to overwrite existing documents without --force, and writes nothing")
        func importRefusesOverwrite() throws {
            let repo = try TempRepo.example()
            #expect(try repo.plumb("apply", "--auto-approve").status == 0)
            #expect(try repo.plumb("import", "--provider", "cloud", "--out", "imported").status == 0)
            let network = try repo.read("imported/cloud/cloud.yaml")
            #expect(network.contains("subnet/web-a"), "\(network)")
            try repo.write("imported/cloud/cloud.yaml", "# mine\n")
            let again = try repo.plumb("import", "--provider", "cloud", "--out", "imported")
            #expect(again.status == 1)
            #expect(again.stderr.contains("would overwrite") && again.stderr.contains("--force"), "\(again.stderr)")
            #expect(try repo.read("imported/cloud/cloud.yaml") == "# mine\n")
            #expect(try repo.plumb("import", "--provider", "cloud", "--out", "imported", "--force").status == 0)
            #expect(try repo.read("imported/cloud/cloud.yaml") == network)
        }

        @Test("validate's errors are coloured like plan's on a terminal, plain otherwise")
        func colouredDiagnostics() {
            let tree = MemoryTree(["Desired/a.yaml": "provider: main\nvpcs:\n  main: {cidr: 10.0.0.0/33}\n"])
            let diagnostic = Diagnostic(.cidr, at: SourceLocation(file: "Desired/a.yaml", line: 3, column: 15), "bad", hint: "fix it")
            let coloured = DiagnosticPrinter(tree: tree, style: TextStyle(color: true)).render([diagnostic])
            #expect(coloured.contains("\u{1B}[31m") && coloured.contains("Desired/a.yaml:3:15:"))
            let plain = DiagnosticPrinter(tree: tree).render([diagnostic])
            #expect(!plain.contains("\u{1B}["))
            #expect(plain.hasPrefix("Desired/a.yaml:3:15: error: bad; fix it"))
        }

        @Test("plan --exit-code: 1 for a plan apply would refuse, 2 for changes, 0 for none")
        func planExitCodes() throws {
            let repo = try TempRepo.example()
            #expect(try repo.plumb("plan", "--exit-code").status == 2)
            try repo.edit("plumb.yaml", replacing: "max_changes: 500", with: "max_changes: 3")
            let refused = try repo.plumb("plan", "--exit-code")
            #expect(refused.status == 1, "\(refused.stdout)")
            #expect(try repo.plumb("plan").status == 0, "without --exit-code a refused plan is still shown and exits 0")
            try repo.edit("plumb.yaml", replacing: "max_changes: 3", with: "max_changes: 500")
            let applied = try repo.plumb("apply", "--auto-approve")
            #expect(applied.status == 0)
            #expect(try repo.plumb("plan", "--exit-code").status == 0)
            try repo.edit("Desired/dns/internal.example.net.yaml", replacing: "value: 10.0.1.40", with: "value: 10.0.1.41")
            let one = try repo.plumb("apply", "--auto-approve")
            #expect(one.stdout.contains("Applied 1 change in 1 chunk."), "\(one.stdout)")
        }
    }
}
