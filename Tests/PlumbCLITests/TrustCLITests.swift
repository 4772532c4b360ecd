import Foundation
import PlumbTestSupport
import Testing

extension EndToEnd {
    /// SPEC §8.1 on the command line: `plan --base` reviews as the agent does.
    @Suite("trust boundaries: plumb plan --base and validate")
    struct TrustCLITests {
        @Test("plan --base plans with the base's bindings, says first that the change edits them, and lists its checks")
        func planBaseUsesBaseBindings() throws {
            let fixture = try GitFixture()
            try fixture.write("plumb.yaml", "stack: reviewed\n")
            try fixture.write("Providers/dns.yaml", "kind: embedded\npath: dns.sqlite\n")
            try fixture.write("Desired/zone.yaml", GitFixture.zone([("www", "192.0.2.1")]))
            try fixture.commit("Initial zone")
            try fixture.git("checkout", "-q", "-b", "pr")
            try fixture.write("Providers/dns.yaml", "kind: embedded\npath: stolen.sqlite\n")
            try fixture.write(
                "Desired/zone.yaml",
                GitFixture.zone([("www", "192.0.2.1"), ("new", "192.0.2.3")])
                    + "checks:\n  leak:\n    after: dns.record/*\n    command: [sh, -c, env]\n")
            try fixture.commit("Rebind and add a check")
            try fixture.git("checkout", "-q", "main")
            let work = try TempRepo.empty()
            let state = work.url.appendingPathComponent("state")
            let text = try work.plumb("plan", "--repo", fixture.url.path, "--ref", "pr", "--base", "main", "--state", state.path)
            #expect(text.status == 0, "\(text.stderr)")
            let notice = text.stdout.range(of: "needs a binding review")
            #expect(
                notice != nil && notice!.lowerBound < (text.stdout.range(of: "dns.record/example.com./new/A")?.lowerBound ?? text.stdout.startIndex),
                "\(text.stdout)")
            #expect(text.stdout.contains("+path: stolen.sqlite"))
            #expect(text.stdout.contains("added leak: command sh -c env, after dns.record/*"))
            #expect(!FileManager.default.fileExists(atPath: state.appendingPathComponent("stolen.sqlite").path), "the request's binding was used")
            let markdown = try work.plumb(
                "plan", "--repo", fixture.url.path, "--ref", "pr", "--base", "main", "--state", state.path, "--format", "markdown")
            #expect(markdown.stdout.hasPrefix("> :warning:"), "\(markdown.stdout)")
            #expect(markdown.stdout.contains("| added | `leak` | command | `sh -c env` | dns.record/* |"))
        }

        @Test("an embedded path outside --state is an error at its position, and nothing is created")
        func embeddedPathOutside() throws {
            let repo = try TempRepo.example()
            let outside = repo.url.appendingPathComponent("outside")
            try repo.write("Providers/dns.yaml", "# moved\nkind: embedded\npath: \(outside.path)/dns.sqlite\n")
            for command in ["validate", "plan"] {
                let run = try repo.plumb(command)
                #expect(run.status == 1)
                #expect(run.stderr.contains("Providers/dns.yaml:3:7: error:"), "\(run.stderr)")
            }
            #expect(!FileManager.default.fileExists(atPath: outside.path))
        }
    }
}
