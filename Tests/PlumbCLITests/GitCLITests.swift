import Foundation
import PlumbCore
import PlumbProviderEmbedded
import PlumbTestSupport
import Testing

extension EndToEnd {
    @Suite("plumb with --repo")
    struct GitCLITests {
        /// A repository with main (www, api) and a pull-request branch adding `new`.
        func repository() throws -> GitFixture {
            let fixture = try GitFixture()
            try fixture.write("plumb.yaml", "stack: gitstack\n")
            try fixture.write("Providers/dns.yaml", "kind: embedded\n")
            try fixture.write("Desired/zone.yaml", GitFixture.zone([("www", "192.0.2.1"), ("api", "192.0.2.2")]))
            try fixture.commit("Initial zone")
            try fixture.git("checkout", "-q", "-b", "pr")
            try fixture.write("Desired/zone.yaml", GitFixture.zone([("www", "192.0.2.1"), ("api", "192.0.2.2"), ("new", "192.0.2.3")]))
            try fixture.commit("Add new")
            try fixture.git("update-ref", "refs/pull/7/head", "pr")
            try fixture.git("checkout", "-q", "main")
            return fixture
        }

        @Test("plans at different refs differ exactly as the commits say, by path and by file:// URL", arguments: ["path", "url"])
        func plansPerRef(_ how: String) throws {
            let fixture = try repository()
            let work = try TempRepo.empty()
            let repo = how == "path" ? fixture.url.path : "file://\(fixture.url.path)"
            let apply = try work.plumb("apply", "--repo", repo, "--ref", "main", "--auto-approve")
            #expect(apply.status == 0, "\(apply.stderr)")
            let atMain = try work.plumb("plan", "--repo", repo, "--ref", "main", "--format", "json", "--exit-code")
            #expect(atMain.status == 0)
            let atPR = try work.plumb("plan", "--repo", repo, "--ref", "refs/pull/7/head", "--format", "json")
            #expect(atPR.planChanges == ["create dns.record/example.com./new/A"])
            let source = atPR.json?["source"] as? [String: Any]
            #expect((source?["commit"] as? String)?.count == 40)
            #expect(source?["ref"] as? String == "refs/pull/7/head")
            // History records the applied commit.
            let history = try work.plumb("history", "--format", "json")
            let commit =
                ((try? JSONSerialization.jsonObject(with: Data(history.stdout.utf8))) as? [[String: Any]])?.first?["commit"] as? [String: Any]
            #expect(commit?["subject"] as? String == "Initial zone")
            #expect((commit?["author"] as? String)?.hasPrefix("Ann Example") == true)
            if how == "url" {
                #expect(FileManager.default.fileExists(atPath: work.url.appendingPathComponent(".plumb/git").path))
            }
        }

        @Test("a --root in a git work tree: the plan and history name HEAD, and say dirty when the documents have uncommitted changes")
        func workTreeCommit() throws {
            let fixture = try repository()
            let head = try fixture.git("rev-parse", "HEAD")
            let plumb = { (arguments: [String]) in try PlumbProcess.run(arguments, in: fixture.url) }
            let clean = try plumb(["plan", "--format", "json"])
            let cleanSource = clean.json?["source"] as? [String: Any]
            #expect(cleanSource?["commit"] as? String == head)
            #expect(cleanSource?["dirty"] == nil)
            #expect(try plumb(["apply", "--auto-approve"]).status == 0)

            // Files outside plumb.yaml, Providers/ and Desired/ (the state folder, notes) do not count.
            try fixture.write("NOTES.md", "scratch\n")
            #expect((try plumb(["plan", "--format", "json"]).json?["source"] as? [String: Any])?["dirty"] == nil)

            try fixture.write("Desired/zone.yaml", GitFixture.zone([("www", "192.0.2.9"), ("api", "192.0.2.2")]))
            let dirty = try plumb(["plan", "--format", "json"])
            let dirtySource = dirty.json?["source"] as? [String: Any]
            #expect(dirtySource?["commit"] as? String == head && dirtySource?["dirty"] as? Bool == true)
            #expect(try plumb(["apply", "--auto-approve"]).status == 0)

            let history = try plumb(["history"])
            let lines = history.stdout.split(separator: "\n").filter { $0.contains(head.prefix(10)) }
            #expect(lines.count == 2, "\(history.stdout)")
            #expect(lines.first?.contains("\(head.prefix(10)) dirty Initial zone") == true, "the newest run: \(history.stdout)")
            #expect(lines.last?.contains("\(head.prefix(10)) Initial zone") == true, "the clean run: \(history.stdout)")
            let json = try plumb(["history", "--format", "json"])
            let runs = (try? JSONSerialization.jsonObject(with: Data(json.stdout.utf8))) as? [[String: Any]] ?? []
            #expect((runs.first?["commit"] as? [String: Any])?["dirty"] as? Bool == true)
            #expect((runs.last?["commit"] as? [String: Any])?["dirty"] == nil)
        }

        @Test("--base marks what the pull request causes as change and hand-made differences as drift")
        func reviewPlan() async throws {
            let fixture = try repository()
            let work = try TempRepo.empty()
            #expect(try work.plumb("apply", "--repo", fixture.url.path, "--ref", "main", "--auto-approve").status == 0)
            // Someone edits www by hand.
            let dns = try EmbeddedProvider(
                binding: ProviderBinding(name: "dns", type: .embedded), stateDirectory: work.url.appendingPathComponent(".plumb").path)
            try await dns.tamper(.record(zone: "example.com.", name: "www", type: .A), spec: .record(RecordSpec(ttl: 3600, values: ["192.0.2.99"])))
            let plan = try work.plumb("plan", "--repo", fixture.url.path, "--ref", "pr", "--base", "main", "--format", "json")
            #expect(plan.status == 0, "\(plan.stderr)")
            let changes = (plan.json?["chunks"] as? [[String: Any]] ?? []).flatMap { $0["changes"] as? [[String: Any]] ?? [] }
            let origins = Dictionary(uniqueKeysWithValues: changes.map { ($0["address"] as? String ?? "", $0["origin"] as? String ?? "") })
            #expect(origins == ["dns.record/example.com./new/A": "change", "dns.record/example.com./www/A": "drift"])
            let source = plan.json?["source"] as? [String: Any]
            let mainID = try fixture.git("rev-parse", "main")
            #expect(source?["base"] as? String == mainID)
            #expect(source?["merge_base"] as? String == mainID)
            let markdown = try work.plumb("plan", "--repo", fixture.url.path, "--ref", "pr", "--base", "main", "--format", "markdown")
            let text = markdown.stdout
            let changeSection = try #require(text.range(of: "What this change does"))
            let driftSection = try #require(text.range(of: "Pending drift"))
            #expect(changeSection.lowerBound < driftSection.lowerBound)
            #expect(text[changeSection.upperBound..<driftSection.lowerBound].contains("new/A"))
            #expect(!text[changeSection.upperBound..<driftSection.lowerBound].contains("www/A"))
        }

        @Test(
            "bad sources fail with a clear error, exit 1, nothing applied",
            arguments: [
                "missing-ref", "no-desired", "corrupt-repository", "unreachable-url",
            ])
        func badSources(_ scenario: String) throws {
            let fixture = try repository()
            let work = try TempRepo.empty()
            var repo = fixture.url.path
            var ref = "main"
            var expected = ""
            switch scenario {
            case "missing-ref":
                ref = "no-such-branch"
                expected = "no branch, tag or commit named 'no-such-branch'"
            case "no-desired":
                try fixture.git("checkout", "-q", "--orphan", "empty")
                try fixture.git("rm", "-rq", "--cached", ".")
                try fixture.write("README", "nothing\n")
                try fixture.git("add", "README")
                try fixture.git("commit", "-q", "-m", "empty")
                ref = "empty"
                expected = "has no Desired/*.yaml documents"
            case "corrupt-repository":
                let head = try fixture.git("rev-parse", "HEAD")
                let object = fixture.url.appendingPathComponent(".git/objects/\(head.prefix(2))/\(head.dropFirst(2))")
                try Data("garbage".utf8).write(to: object)
                expected = "--repo"
            default:
                repo = "file:///nonexistent/plumb-\(UUID().uuidString).git"
                expected = "--repo"
            }
            let apply = try work.plumb("apply", "--repo", repo, "--ref", ref, "--auto-approve")
            #expect(apply.status == 1, "\(scenario): \(apply.stderr)")
            #expect(apply.stderr.contains(expected), "\(scenario): \(apply.stderr)")
            #expect(!FileManager.default.fileExists(atPath: work.url.appendingPathComponent(".plumb/dns.sqlite").path))
        }
    }
}
