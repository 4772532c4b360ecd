import Foundation
import PlumbTestSupport
import Testing

extension EndToEnd {
    /// SPEC §8.1: user information in a repository URL is a credential, never shown or kept;
    /// git credentials may also come from PLUMB_GIT_USERNAME / PLUMB_GIT_PASSWORD.
    @Suite("trust boundaries: repository credentials")
    struct RepositoryCredentialsTests {
        static let token = "tok-Zq81xVb55fMw"

        /// The example desired state as a bare repository `infra.git` under a fresh folder,
        /// served by a git HTTP server that wants `deploy` / `token`.
        func servedRepository() throws -> (GitHTTPServer, GitFixture) {
            let fixture = try GitFixture()
            for item in ["plumb.yaml", "Providers", "Desired", "scripts"] {
                try FileManager.default.copyItem(
                    at: PlumbProcess.projectRoot.appendingPathComponent(item), to: fixture.url.appendingPathComponent(item))
            }
            try fixture.commit("Example desired state")
            let root = FileManager.default.temporaryDirectory.appendingPathComponent("plumb-git-http-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
            try fixture.git("clone", "-q", "--bare", fixture.url.path, root.appendingPathComponent("infra.git").path)
            return (try GitHTTPServer(root: root, user: "deploy", password: Self.token), fixture)
        }

        /// Paths (names included) and contents under `directory` that hold the token.
        static func holdingToken(under directory: URL) throws -> [String] {
            try FileManager.default.subpathsOfDirectory(atPath: directory.path).filter { file in
                if file.contains(token) { return true }
                let url = directory.appendingPathComponent(file)
                var isDirectory: ObjCBool = false
                guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), !isDirectory.boolValue else { return false }
                return FileManager.default.contents(atPath: url.path)?.range(of: Data(token.utf8)) != nil
            }
        }

        @Test("a user:token@ URL clones, and the token shows nowhere: output, mirror name and config, store, agent endpoints and logs")
        func tokenInURL() async throws {
            let (server, _) = try servedRepository()
            let url = server.url("infra.git").replacingOccurrences(of: "http://", with: "http://deploy:\(Self.token)@")
            let work = try TempRepo.empty()
            let state = work.url.appendingPathComponent("cli-state")
            let plan = try work.plumb("plan", "--repo", url, "--state", state.path, "--format", "json")
            #expect(plan.status == 0 || plan.status == 2, "\(plan.stderr)")
            #expect(!plan.stdout.contains(Self.token) && !plan.stderr.contains(Self.token))
            #expect(plan.stdout.contains("dns.zone/example.com."))
            let broken = try work.plumb("plan", "--repo", url + "-missing", "--state", state.path)
            #expect(broken.status != 0)
            #expect(!broken.stdout.contains(Self.token) && !broken.stderr.contains(Self.token), "\(broken.stderr)")
            let foundState = try Self.holdingToken(under: state)
            #expect(foundState.isEmpty, "\(foundState)")
            #expect(server.requests.contains { $0.hasSuffix("authorized") })

            let agentState = work.url.appendingPathComponent("agent-state")
            let agent = try AgentProcess(arguments: ["--repo", url, "--interval", "60s", "--drift-interval", "60s"], state: agentState)
            let status = try await agent.waitForStatus { $0["last_applied_commit"] as? String != nil }
            #expect(status["last_applied_commit"] as? String != nil, "\(status)")
            var served = ""
            for path in ["/status", "/runs", "/runs/1", "/metrics", "/"] { served += try await agent.get(path).text }
            #expect(!served.contains(Self.token))
            #expect(served.contains(server.url("infra.git")), "the URL without its user information is still shown")
            #expect(agent.stop() == 0)
            let foundAgentstate = try Self.holdingToken(under: agentState)
            #expect(foundAgentstate.isEmpty, "\(foundAgentstate)")
        }

        @Test("PLUMB_GIT_USERNAME / PLUMB_GIT_PASSWORD authenticate a clone; without them the server refuses it")
        func credentialsFromEnvironment() throws {
            let (server, _) = try servedRepository()
            let work = try TempRepo.empty()
            let anonymous = try work.plumb("validate", "--repo", server.url("infra.git"), "--state", work.url.appendingPathComponent("a").path)
            #expect(anonymous.status != 0, "the server must require credentials")
            let state = work.url.appendingPathComponent("b")
            let cloned = try work.plumb(
                "validate", "--repo", server.url("infra.git"), "--state", state.path,
                environment: ["PLUMB_GIT_USERNAME": "deploy", "PLUMB_GIT_PASSWORD": Self.token])
            #expect(cloned.status == 0, "\(cloned.stderr)")
            #expect(server.requests.contains { $0.hasSuffix("authorized") })
            #expect(try Self.holdingToken(under: state).isEmpty)
        }

        @Test("a mirror made under the old name (the URL with its token) is found, renamed and cleaned")
        func legacyMirrorMigrates() throws {
            let (server, _) = try servedRepository()
            let url = server.url("infra.git").replacingOccurrences(of: "http://", with: "http://deploy:\(Self.token)@")
            let work = try TempRepo.empty()
            let state = work.url.appendingPathComponent("state")
            let legacyName = String(String(url.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "." ? $0 : "_" }).suffix(100))
            let legacy = state.appendingPathComponent("git/\(legacyName).git")
            try FileManager.default.createDirectory(at: legacy.deletingLastPathComponent(), withIntermediateDirectories: true)
            let git = try GitFixture()
            try git.git("clone", "-q", "--mirror", url, legacy.path)
            let plan = try work.plumb("plan", "--repo", url, "--state", state.path)
            #expect(plan.status == 0 || plan.status == 2, "\(plan.stderr)")
            #expect(!FileManager.default.fileExists(atPath: legacy.path), "the old mirror is still there")
            let mirrors = try FileManager.default.contentsOfDirectory(atPath: state.appendingPathComponent("git").path)
            #expect(mirrors.count == 1, "\(mirrors)")
            let foundState = try Self.holdingToken(under: state)
            #expect(foundState.isEmpty, "\(foundState)")
        }
    }
}
