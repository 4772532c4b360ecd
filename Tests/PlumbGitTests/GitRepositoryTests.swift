import Foundation
import PlumbCore
import PlumbGit
import PlumbTestSupport
import Testing

@Suite("Reading desired state from git")
struct GitRepositoryTests {
    /// main: initial; feature branch adds a record; main gets a rename and a deletion; a tag.
    func history() throws -> (GitFixture, [String: String]) {
        let fixture = try GitFixture()
        try fixture.write("Providers/dns.yaml", "kind: embedded\n")
        try fixture.write("Desired/zone.yaml", GitFixture.zone([("www", "192.0.2.1"), ("api", "192.0.2.2")]))
        try fixture.write("Desired/extra.yaml", "provider: dns\nzone: extra.example.\nrecords:\n  a: {type: A, value: 192.0.2.9}\n")
        var commits = ["initial": try fixture.commit("Initial")]
        try fixture.git("tag", "v1")
        try fixture.git("checkout", "-q", "-b", "feature")
        try fixture.write("Desired/zone.yaml", GitFixture.zone([("www", "192.0.2.1"), ("api", "192.0.2.2"), ("new", "192.0.2.3")]))
        commits["feature"] = try fixture.commit("Add new")
        try fixture.git("checkout", "-q", "main")
        try FileManager.default.createDirectory(at: fixture.url.appendingPathComponent("Desired/dns"), withIntermediateDirectories: true)
        try fixture.git("mv", "Desired/zone.yaml", "Desired/dns/example.yaml")
        try FileManager.default.removeItem(at: fixture.url.appendingPathComponent("Desired/extra.yaml"))
        commits["rename"] = try fixture.commit("Rename and drop extra")
        try fixture.git("merge", "-q", "--no-edit", "feature")
        commits["merge"] = try fixture.git("rev-parse", "HEAD")
        return (fixture, commits)
    }

    @Test("each ref reads the files of its commit, without a work tree")
    func readsEachRef() throws {
        let (fixture, commits) = try history()
        let repository = try GitRepository.open(path: fixture.url.path)
        func load(_ ref: String) throws -> DesiredState {
            let commit = try repository.resolve(ref)
            return try DesiredStateLoader(environment: [:]).load(GitCommitTree(repository: repository, commit: commit, name: "fixture"))
        }
        let tagged = try load("v1")
        #expect(tagged.resources.keys.contains(.zone("extra.example.")))
        #expect(tagged.resources[.record(zone: "example.com.", name: "new", type: .A)] == nil)
        let feature = try load("feature")
        #expect(feature.resources[.record(zone: "example.com.", name: "new", type: .A)] != nil)
        let merged = try load("main")
        #expect(merged.resources[.record(zone: "example.com.", name: "new", type: .A)]?.location?.file == "Desired/dns/example.yaml")
        #expect(merged.resources[.zone("extra.example.")] == nil)
        let byID = try load(try #require(commits["rename"]))
        #expect(byID.resources[.record(zone: "example.com.", name: "new", type: .A)] == nil)
        #expect(try repository.resolve("main").id == commits["merge"])
        #expect(try repository.resolve("HEAD~1").subject == "Rename and drop extra")
        #expect(try repository.resolve("v1").author == "Ann Example")
    }

    @Test("a file:// URL is mirrored under the state directory and fetched on use")
    func mirror() throws {
        let (fixture, _) = try history()
        let state = FileManager.default.temporaryDirectory.appendingPathComponent("plumb-mirror-\(UUID().uuidString)").path
        let mirror = try GitRepository.mirror(url: "file://\(fixture.url.path)", into: state + "/m.git")
        #expect(try mirror.resolve("feature").subject == "Add new")
        try fixture.write("Desired/more.yaml", "provider: dns\nzone: more.example.\n")
        let newest = try fixture.commit("More")
        #expect(throws: GitError.self) { try mirror.resolve(newest) }
        let again = try GitRepository.mirror(url: "file://\(fixture.url.path)", into: state + "/m.git")
        #expect(try again.resolve("main").id == newest)
    }

    @Test("errors are clear", arguments: ["missing-ref", "not-a-repository", "unreachable-url"])
    func errors(_ scenario: String) throws {
        let (fixture, _) = try history()
        let state = FileManager.default.temporaryDirectory.appendingPathComponent("plumb-err-\(UUID().uuidString)").path
        do {
            switch scenario {
            case "missing-ref":
                _ = try GitRepository.open(path: fixture.url.path).resolve("no-such-branch")
            case "not-a-repository":
                _ = try GitRepository.open(path: state)
            default:
                _ = try GitRepository.mirror(url: "file:///nonexistent/plumb-\(UUID().uuidString)", into: state + "/x.git")
            }
            Issue.record("\(scenario): no error")
        } catch let error as GitError {
            #expect(!error.message.isEmpty)
            if scenario == "missing-ref" {
                #expect(error.code == .notFound)
                #expect(error.message.contains("no-such-branch"))
            }
        }
    }

    @Test("two commits sharing files parse each distinct file once")
    func parseCache() throws {
        let (fixture, _) = try history()
        let repository = try GitRepository.open(path: fixture.url.path)
        let cache = DocumentCache()
        let loader = DesiredStateLoader(environment: [:], cache: cache)
        _ = try loader.load(GitCommitTree(repository: repository, commit: repository.resolve("feature"), name: "f"))
        #expect(cache.misses == 2 && cache.hits == 0)
        // main (after the merge) holds the same zone.yaml blob under a new path, and no extra.yaml.
        _ = try loader.load(GitCommitTree(repository: repository, commit: repository.resolve("v1"), name: "f"))
        #expect(cache.hits == 1)
    }

    @Test("a commit's files export with their executable bit, for command checks")
    func export() throws {
        let fixture = try GitFixture()
        try fixture.write("scripts/check", "#!/bin/sh\nexit 0\n")
        try fixture.git("add", "-A")
        try fixture.git("update-index", "--chmod=+x", "scripts/check")
        try fixture.git("commit", "-q", "-m", "script")
        let repository = try GitRepository.open(path: fixture.url.path)
        let tree = try GitCommitTree(repository: repository, commit: repository.resolve("HEAD"), name: "x")
        let target = FileManager.default.temporaryDirectory.appendingPathComponent("plumb-export-\(UUID().uuidString)").path
        try tree.export(to: target)
        #expect(FileManager.default.isExecutableFile(atPath: target + "/scripts/check"))
    }

    @Test("changed paths between two commits: edits, renames (both sides) and deletions")
    func changedPaths() throws {
        let (fixture, commits) = try history()
        let repository = try GitRepository.open(path: fixture.url.path)
        let initial = try #require(commits["initial"])
        let feature = try #require(commits["feature"])
        let rename = try #require(commits["rename"])
        #expect(try repository.changedPaths(from: initial, to: feature) == ["Desired/zone.yaml"])
        #expect(try repository.changedPaths(from: initial, to: rename) == ["Desired/zone.yaml", "Desired/dns/example.yaml", "Desired/extra.yaml"])
        #expect(try repository.changedPaths(from: feature, to: feature).isEmpty)
    }
}
