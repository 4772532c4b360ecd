import Foundation
import PlumbAgent
import PlumbWebhooks
import Testing

/// The webhook corpus of the fuzz targets (Tests/Fuzz/corpus/webhook) replayed on every
/// test run: each body through every forge's parser under each event name the agent knows,
/// and through the signature checks. Parsing may refuse (`Malformed`) but nothing else, and
/// nothing may take longer than `bound`. The seeds must parse to the event they show.
@Suite("Hostile webhook inputs")
struct WebhookHostileInputTests {
    static let corpus = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fuzz/corpus/webhook")

    static let files: [String] = ((try? FileManager.default.contentsOfDirectory(atPath: corpus.path)) ?? [])
        .filter { !$0.hasPrefix(".") }.sorted()

    static let bound = Duration.seconds(5)

    static let events: [(WebhookEvent.Source, [String])] = [
        (.github, ["push", "pull_request", "ping", "issues"]),
        (.gitea, ["push", "pull_request"]),
        (.gitlab, ["Push Hook", "Merge Request Hook", "System Hook", "Note Hook"]),
    ]

    /// What each seed is, as its forge sends it.
    static let seeds: [String: (WebhookEvent.Source, String, WebhookEvent)] = [
        "seed-github-push.json": (
            .github, "push", .push(branch: "main", after: "6113728f27ae82c7b1a177c8d03f9e96e0adf246", repository: "octo/infra")
        ),
        "seed-github-tag-push.json": (.github, "push", .ignored("push to refs/tags/v1.0")),
        "seed-github-ping.json": (.github, "ping", .ping),
        "seed-github-pr-opened.json": (
            .github, "pull_request", .review(id: "7", head: "a1b2c3", headBranch: "feature/www", baseBranch: "main", repository: "octo/infra")
        ),
        "seed-github-pr-synchronize.json": (
            .github, "pull_request", .review(id: "8", head: "ffff", headBranch: "fix", baseBranch: "main", repository: "octo/infra")
        ),
        "seed-github-pr-merged.json": (.github, "pull_request", .merged(id: "7", baseBranch: "main")),
        "seed-github-pr-labeled.json": (.github, "pull_request", .ignored("pull_request labeled")),
        "seed-gitea-push.json": (.gitea, "push", .push(branch: "dev", after: "2222", repository: "team/infra")),
        "seed-gitea-pr-opened.json": (
            .gitea, "pull_request", .review(id: "3", head: "9999", headBranch: "topic", baseBranch: "main", repository: "team/infra")
        ),
        "seed-gitlab-push.json": (.gitlab, "Push Hook", .push(branch: "main", after: "da1560886d", repository: "group/infra")),
        "seed-gitlab-mr-open.json": (
            .gitlab, "Merge Request Hook", .review(id: "3", head: "c0ffee", headBranch: "feature", baseBranch: "main", repository: "15")
        ),
        "seed-gitlab-mr-update.json": (
            .gitlab, "Merge Request Hook", .review(id: "4", head: "beef", headBranch: "f", baseBranch: "main", repository: "15")
        ),
        "seed-gitlab-mr-merge.json": (.gitlab, "Merge Request Hook", .merged(id: "3", baseBranch: "main")),
        "seed-gitlab-system-hook.json": (.gitlab, "System Hook", .ping),
    ]

    @Test("the corpus is there, and every seed is described")
    func corpusPresent() {
        let seedFiles = Set(Self.files.filter { $0.hasPrefix("seed-") })
        #expect(!seedFiles.isEmpty, "no seeds in \(Self.corpus.path)")
        #expect(seedFiles == Set(Self.seeds.keys))
    }

    @Test("each corpus body parses or is refused as Malformed, in time", arguments: files)
    func replay(_ name: String) throws {
        let body = [UInt8](try Data(contentsOf: Self.corpus.appendingPathComponent(name)))
        let elapsed = ContinuousClock().measure {
            let signature = WebhookSignature.sign(body, secret: "s")
            #expect(WebhookSignature.verifyGitHub("sha256=" + signature, body: body, secret: "s"), "\(name)")
            #expect(WebhookSignature.verifyGitea(signature, body: body, secret: "s"), "\(name)")
            #expect(!WebhookSignature.verifyGitHub(String(decoding: body.prefix(80), as: UTF8.self), body: body, secret: "s"), "\(name)")
            for (source, names) in Self.events {
                for event in names {
                    do {
                        _ = try WebhookEvent.parse(source: source, event: event, body: body)
                    } catch is WebhookEvent.Malformed {
                        // A refusal: the route answers 400.
                    } catch {
                        Issue.record("\(name) as \(source) \(event): threw \(type(of: error)), not Malformed: \(error)")
                    }
                }
            }
        }
        #expect(elapsed < Self.bound, "\(name) took \(elapsed)")
        if let (source, event, expected) = Self.seeds[name] {
            #expect(try WebhookEvent.parse(source: source, event: event, body: body) == expected, "\(name)")
        }
    }
}
