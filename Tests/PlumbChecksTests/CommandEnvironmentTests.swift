import Foundation
import PlumbCore
import Testing

@testable import PlumbChecks

@Suite("command checks: the minimal environment and redacted output (SPEC §8.1)")
struct CommandEnvironmentTests {
    static let process = [
        "PATH": "/usr/bin:/bin", "HOME": "/home/plumb", "LANG": "C.UTF-8", "AWS_SECRET_ACCESS_KEY": "aws-secret-value",
        "PLUMB_WEBHOOK_SECRET": "hook-secret-value", "DEPLOY_TOKEN": "deploy-token-value", "EDITOR": "vi",
    ]

    func probe() -> SystemProbe {
        let base = CommandEnvironment.base(process: Self.process, stack: "web", commit: "abc123", stateDirectory: "/state")
        return SystemProbe(environment: base, available: Self.process, redactor: Redactor.known(environment: Self.process))
    }

    /// The variables a command check sees: `env -0` prints them on one line, NUL-separated.
    func seen(_ check: Check) async -> [String] {
        let outcome = await probe().attempt(check, chunk: 3, workingDirectory: "/", remaining: .seconds(10))
        return outcome.detail.replacingOccurrences(of: "env exited 0: ", with: "").split(separator: "\0").map(String.init)
    }

    @Test("PATH, HOME, LANG, PLUMB_STACK, PLUMB_COMMIT, PLUMB_CHUNK, PLUMB_STATE_DIR and nothing else")
    func minimal() async {
        let base = CommandEnvironment.base(process: Self.process, stack: "web", commit: "abc123", stateDirectory: "/state")
        let environment = CommandEnvironment.build(base: base, chunk: 3, names: [], available: Self.process)
        #expect(
            environment == [
                "PATH": "/usr/bin:/bin", "HOME": "/home/plumb", "LANG": "C.UTF-8", "PLUMB_STACK": "web", "PLUMB_COMMIT": "abc123",
                "PLUMB_CHUNK": "3", "PLUMB_STATE_DIR": "/state",
            ])
        let asked = CommandEnvironment.build(base: base, chunk: nil, names: ["DEPLOY_TOKEN", "UNSET_ONE"], available: Self.process)
        #expect(asked["DEPLOY_TOKEN"] == "deploy-token-value" && asked["UNSET_ONE"] == nil && asked["PLUMB_CHUNK"] == nil)
        #expect(asked["AWS_SECRET_ACCESS_KEY"] == nil && asked["EDITOR"] == nil)
    }

    @Test("a real command sees only that environment, and what it prints of a secret it asked for is redacted")
    func realCommand() async {
        let printing = Check(
            name: "env",
            probe: .command(["sh", "-c", "echo \"token=$DEPLOY_TOKEN aws=${AWS_SECRET_ACCESS_KEY:-unset} chunk=$PLUMB_CHUNK\"; exit 1"]),
            env: ["DEPLOY_TOKEN"])
        let outcome = await probe().attempt(printing, chunk: 3, workingDirectory: "/", remaining: .seconds(10))
        #expect(!outcome.passed)
        #expect(outcome.detail.contains("token=*** aws=unset chunk=3"), "\(outcome.detail)")
        let dump = Check(name: "dump", probe: .command(["env", "-0"]))
        let names = await seen(dump).map { String($0.prefix { $0 != "=" }) }.sorted()
        #expect(names == ["HOME", "LANG", "PATH", "PLUMB_CHUNK", "PLUMB_COMMIT", "PLUMB_STACK", "PLUMB_STATE_DIR"], "\(names)")
    }

    @Test("the executor redacts any probe's detail before it becomes a result")
    func executorRedacts() async {
        struct Echo: CheckProbe {
            func attempt(_ probe: Check.Probe, workingDirectory: String, remaining: Duration) async -> ProbeOutcome {
                ProbeOutcome(passed: false, detail: "http://u:url-pass-1@host answered 500 with hook-secret-value")
            }
        }
        let executor = CheckExecutor(
            probe: Echo(), workingDirectory: "/", retryDelay: .milliseconds(1), redactor: Redactor(secrets: ["url-pass-1", "hook-secret-value"]))
        let result = await executor.run(Check(name: "x", probe: .tcp(host: "h", port: 1), timeout: .milliseconds(5)))
        #expect(result.detail.hasPrefix("http://u:***@host answered 500 with ***"), "\(result.detail)")
    }
}
