import Foundation
import PlumbTestSupport
import Testing

@testable import PlumbCore

@Suite("trust boundaries: redaction, URLs, review trees, check changes")
struct TrustTests {
    @Test("every known secret becomes ***, the longest first, also percent-encoded; short values are left")
    func redaction() {
        let redactor = Redactor(secrets: ["s3cr3t-token", "s3cr3t", "p@ss word", "ab"])
        #expect(redactor.redact("a=s3cr3t-token b=s3cr3t c=ab") == "a=*** b=*** c=ab")
        #expect(redactor.redact("https://u:p%40ss%20word@host") == "https://u:***@host")
        #expect(redactor.redact("nothing here") == "nothing here")
    }

    @Test("the secrets of an environment: AWS keys, *TOKEN*/*SECRET*/*KEY*, PLUMB_* secrets, URL passwords; not PATH")
    func secretsOfEnvironment() {
        let redactor = Redactor.known(
            environment: [
                "AWS_ACCESS_KEY_ID": "AKIAEXAMPLE1", "AWS_SECRET_ACCESS_KEY": "aws-secret", "PLUMB_WEBHOOK_SECRET": "hook-secret",
                "PLUMB_STORE": "postgres://plumb:db-password@db/plumb", "DEPLOY_URL": "https://ci:url-password@ci.example",
                "PATH": "/usr/bin:/bin", "PLUMB_STATE_DIR": "/var/lib/plumb", "HOME": "/home/plumb",
            ],
            bindings: [
                "pdns": ProviderBinding(
                    name: "pdns", type: .powerdns, settings: ["api_key": "pdns-key-1", "url": "http://pdns"], secretKeys: ["api_key"])
            ])
        for secret in ["AKIAEXAMPLE1", "aws-secret", "hook-secret", "db-password", "url-password", "pdns-key-1"] {
            #expect(redactor.redact("x \(secret) y") == "x *** y", "\(secret)")
        }
        for visible in ["/usr/bin:/bin", "/var/lib/plumb", "/home/plumb", "http://pdns"] {
            #expect(redactor.redact(visible) == visible)
        }
    }

    @Test(
        "user information is split off URLs; paths and scp-like addresses stay as they are",
        arguments: [
            ("https://deploy:tok@git.example/infra.git", "https://git.example/infra.git", "deploy", "tok"),
            ("https://TOKEN@github.com/a/b", "https://github.com/a/b", "TOKEN", nil),
            ("postgres://plumb:p%40ss@db:5432/plumb?sslmode=require", "postgres://db:5432/plumb?sslmode=require", "plumb", "p@ss"),
            ("https://git.example/a@b", "https://git.example/a@b", nil, nil),
            ("git@github.com:a/b.git", "git@github.com:a/b.git", nil, nil),
            ("/srv/infra", "/srv/infra", nil, nil),
        ] as [(String, String, String?, String?)])
    func userInfo(url: String, clean: String, user: String?, password: String?) {
        let split = URLUserInfo.split(url)
        #expect(split.url == clean)
        #expect(split.user == user)
        #expect(split.password == password)
    }

    @Test("a review tree reads Providers/ and plumb.yaml from the base, Desired/ from the request, and diffs them")
    func reviewTree() throws {
        let base = MemoryTree(["Providers/dns.yaml": "kind: embedded\npath: dns.sqlite\n", "plumb.yaml": "stack: s\n", "Desired/a.yaml": "base"])
        let request = MemoryTree([
            "Providers/dns.yaml": "kind: powerdns\nurl: http://evil\napi_key: x\n", "Providers/new.yaml": "kind: embedded\n",
            "plumb.yaml": "stack: s\n", "Desired/a.yaml": "request",
        ])
        let tree = ReviewTree(request: request, trusted: base)
        #expect(try tree.read("Providers/dns.yaml") == Data("kind: embedded\npath: dns.sqlite\n".utf8))
        #expect(try tree.files(under: "Providers") == ["Providers/dns.yaml"])
        #expect(try tree.read("Desired/a.yaml") == Data("request".utf8))
        let changes = try tree.trustedChanges()
        #expect(changes.map(\.path) == ["Providers/dns.yaml", "Providers/new.yaml"])
        #expect(changes.map(\.action) == [.changed, .added])
        #expect(changes[0].diff == ["-kind: embedded", "-path: dns.sqlite", "+kind: powerdns", "+url: http://evil", "+api_key: x"])
    }

    @Test("check changes list what a range adds, changes and removes; the review checksum covers them and trusted files")
    func checkChangesAndChecksum() {
        let www = Check(name: "www", probe: .tcp(host: "127.0.0.1", port: 80))
        let smoke = Check(name: "smoke", after: ["dns.record/*"], probe: .command(["./smoke"]))
        let leak = Check(name: "leak", probe: .command(["sh", "-c", "env"]), env: ["AWS_SECRET_ACCESS_KEY"])
        let changes = CheckChange.between([www, smoke], [Check(name: "www", probe: .tcp(host: "127.0.0.1", port: 81)), leak])
        #expect(changes.map(\.name) == ["leak", "smoke", "www"])
        #expect(changes.map(\.action) == [.added, .removed, .changed])
        #expect(changes[0].kind == "command" && changes[0].target == "sh -c env" && changes[0].env == ["AWS_SECRET_ACCESS_KEY"])
        #expect(changes[1].after == ["dns.record/*"])
        #expect(CheckChange.between([www], [www]).isEmpty)

        let plan = Plan(stack: "s", source: PlanSource(), summary: Plan.Summary(), chunks: [], conflicts: [], observed: "")
        let plain = Review(plan: plan)
        #expect(plain.checksum == plan.changesChecksum)
        let withCheck = Review(plan: plan, checks: [changes[0]])
        #expect(withCheck.checksum != plain.checksum)
        let otherEnv = Review(plan: plan, checks: [CheckChange.between([], [Check(name: "leak", probe: .command(["sh", "-c", "env"]))])[0]])
        #expect(otherEnv.checksum != withCheck.checksum)
        let withBinding = Review(plan: plan, trustedFiles: [TrustedFileChange(path: "Providers/dns.yaml", action: .changed, diff: ["+url: x"])])
        #expect(withBinding.checksum != plain.checksum && withBinding.needsBindingReview)
    }

    @Test("a review's Markdown says first that bindings changed, then the plan, then the checks")
    func reviewMarkdown() {
        let plan = Plan(stack: "s", source: PlanSource(), summary: Plan.Summary(), chunks: [], conflicts: [], observed: "")
        let review = Review(
            plan: plan, checks: CheckChange.between([], [Check(name: "leak", probe: .command(["env"]))]),
            trustedFiles: [TrustedFileChange(path: "plumb.yaml", action: .changed, diff: ["-  max_deletes: 25", "+  max_deletes: 100000"])])
        let markdown = ReviewMarkdownRenderer().render(review)
        let notice = markdown.range(of: "needs a binding review")
        let planStart = markdown.range(of: "### Plumb plan")
        #expect(notice != nil && planStart != nil && notice!.lowerBound < planStart!.lowerBound)
        #expect(markdown.contains("+  max_deletes: 100000"))
        #expect(markdown.contains("| added | `leak` | command | `env` | * |"))
    }

    @Test("a check's env: list is read, and a name that is no variable is an error at its position")
    func checkEnvList() throws {
        let tree = Fixtures.tree([
            "n.yaml": "provider: main\nvpcs:\n  main: {cidr: 10.0.0.0/16}\n",
            "checks.yaml": "checks:\n  smoke:\n    command: [./smoke]\n    env: [DEPLOY_TOKEN, HOME]\n",
        ])
        #expect(try DesiredStateLoader(environment: [:]).load(tree).checks.first?.env == ["DEPLOY_TOKEN", "HOME"])
        let broken = tree.with("Desired/checks.yaml", "checks:\n  smoke:\n    command: [./smoke]\n    env: [\"NOT A NAME\"]\n")
        #expect(throws: DiagnosticsError.self) { try DesiredStateLoader(environment: [:]).load(broken) }
    }
}
