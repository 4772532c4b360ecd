import Foundation
import PlumbAgent
import PlumbWebhooks
import Testing

@Suite("Webhook signatures and payloads")
struct WebhookTests {
    let body = Array(#"{"ref":"refs/heads/main","after":"abc"}"#.utf8)

    @Test("GitHub and Gitea signatures: the right HMAC passes, anything else fails")
    func hmac() {
        let signature = WebhookSignature.sign(body, secret: "s")
        #expect(WebhookSignature.verifyGitHub("sha256=" + signature, body: body, secret: "s"))
        #expect(WebhookSignature.verifyGitHub("sha256=" + signature.uppercased(), body: body, secret: "s"))
        #expect(!WebhookSignature.verifyGitHub("sha256=" + signature, body: body, secret: "other"))
        #expect(!WebhookSignature.verifyGitHub("sha256=" + signature, body: body + [32], secret: "s"))
        #expect(!WebhookSignature.verifyGitHub(signature, body: body, secret: "s"))
        #expect(!WebhookSignature.verifyGitHub("sha256=zz", body: body, secret: "s"))
        #expect(!WebhookSignature.verifyGitHub(nil, body: body, secret: "s"))
        #expect(WebhookSignature.verifyGitea(signature, body: body, secret: "s"))
        #expect(!WebhookSignature.verifyGitea("sha256=" + signature, body: body, secret: "s"))
    }

    @Test("GitLab tokens compare whole")
    func gitlab() {
        #expect(WebhookSignature.verifyGitLab("token", secret: "token"))
        #expect(!WebhookSignature.verifyGitLab("token2", secret: "token"))
        #expect(!WebhookSignature.verifyGitLab("toke", secret: "token"))
        #expect(!WebhookSignature.verifyGitLab(nil, secret: "token"))
    }

    @Test(
        "payloads of each forge",
        arguments: [
            (
                "github-push", WebhookEvent.Source.github, "push", #"{"ref":"refs/heads/main","after":"abc"}"#,
                WebhookEvent.push(branch: "main", after: "abc")
            ),
            ("github-tag-push", .github, "push", #"{"ref":"refs/tags/v1"}"#, .ignored("push to refs/tags/v1")),
            ("github-ping", .github, "ping", #"{"zen":"x"}"#, .ping),
            (
                "github-pr-opened", .github, "pull_request",
                #"{"action":"opened","number":7,"pull_request":{"head":{"sha":"h","ref":"f"},"base":{"ref":"main"}},"repository":{"full_name":"o/r"}}"#,
                .review(id: "7", head: "h", headBranch: "f", baseBranch: "main", repository: "o/r")
            ),
            (
                "github-pr-merged", .github, "pull_request", #"{"action":"closed","number":7,"pull_request":{"merged":true,"base":{"ref":"main"}}}"#,
                .merged(id: "7", baseBranch: "main")
            ),
            (
                "github-pr-closed", .github, "pull_request", #"{"action":"closed","number":7,"pull_request":{"merged":false,"base":{"ref":"main"}}}"#,
                .ignored("pull_request closed")
            ),
            ("gitea-push", .gitea, "push", #"{"ref":"refs/heads/dev","after":"d"}"#, .push(branch: "dev", after: "d")),
            ("gitlab-push", .gitlab, "Push Hook", #"{"ref":"refs/heads/main","after":"g"}"#, .push(branch: "main", after: "g")),
            (
                "gitlab-mr-open", .gitlab, "Merge Request Hook",
                #"{"object_attributes":{"iid":3,"action":"open","source_branch":"f","target_branch":"main","last_commit":{"id":"c"}}}"#,
                .review(id: "3", head: "c", headBranch: "f", baseBranch: "main")
            ),
            (
                "gitlab-mr-merge", .gitlab, "Merge Request Hook", #"{"object_attributes":{"iid":3,"action":"merge","target_branch":"main"}}"#,
                .merged(id: "3", baseBranch: "main")
            ),
        ])
    func parse(_ name: String, _ source: WebhookEvent.Source, _ event: String, _ json: String, _ expected: WebhookEvent) throws {
        #expect(try WebhookEvent.parse(source: source, event: event, body: Array(json.utf8)) == expected, "\(name)")
    }

    @Test(
        "malformed bodies are refused",
        arguments: [
            ("not-json", "push", "{nope"),
            ("array", "push", "[1,2]"),
            ("push-without-ref", "push", #"{"after":"x"}"#),
            ("pr-without-base", "pull_request", #"{"action":"opened","number":1,"pull_request":{}}"#),
        ])
    func malformed(_ name: String, _ event: String, _ json: String) {
        #expect(throws: WebhookEvent.Malformed.self, "\(name)") { try WebhookEvent.parse(source: .github, event: event, body: Array(json.utf8)) }
    }
}
