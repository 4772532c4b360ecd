import PlumbTestSupport
import Testing

@testable import PlumbCore

struct InterpolationCase: CustomTestStringConvertible, Sendable {
    var id: String
    var text: String
    var expanded: String?
    var failure: Interpolation.Failure?
    var testDescription: String { id }
}

@Suite("Interpolation of ${VAR}")
struct InterpolationTests {
    static let environment = ["HOST": "db.internal", "PORT": "5432", "EMPTY": ""]

    @Test(
        "references expand from the environment",
        arguments: [
            InterpolationCase(id: "whole-value", text: "${HOST}", expanded: "db.internal"),
            InterpolationCase(id: "inside-text", text: "http://${HOST}:${PORT}/api", expanded: "http://db.internal:5432/api"),
            InterpolationCase(id: "adjacent", text: "${HOST}${PORT}", expanded: "db.internal5432"),
            InterpolationCase(id: "default-unused-when-set", text: "${HOST:-localhost}", expanded: "db.internal"),
            InterpolationCase(id: "default-when-unset", text: "${NOPE:-localhost}", expanded: "localhost"),
            InterpolationCase(id: "empty-default", text: "${NOPE:-}", expanded: ""),
            InterpolationCase(id: "no-reference", text: "plain $HOST text", expanded: "plain $HOST text"),
        ])
    func expands(_ value: InterpolationCase) {
        switch Interpolation.expand(value.text, environment: Self.environment) {
        case .success(let result): #expect(result.value == value.expanded)
        case .failure(let failure): Issue.record("failed: \(failure)")
        }
    }

    @Test("${VAR:-default} uses the default when VAR is set but empty, as in a shell")
    func emptyTakesDefault() throws {
        let result = try Interpolation.expand("${EMPTY:-fallback}", environment: Self.environment).get()
        #expect(result.value == "fallback")
    }

    @Test(
        "unset and malformed references fail",
        arguments: [
            InterpolationCase(id: "unset-var", text: "${PDNS_API_KEY}", failure: .unset("PDNS_API_KEY")),
            InterpolationCase(id: "second-unset", text: "${HOST}:${MISSING}", failure: .unset("MISSING")),
            InterpolationCase(id: "unterminated", text: "${HOST", failure: .malformed("${HOST")),
            InterpolationCase(id: "space-in-name", text: "${PDNS KEY}", failure: .malformed("${PDNS KEY}")),
            InterpolationCase(id: "empty-name", text: "${}", failure: .malformed("${}")),
        ])
    func fails(_ value: InterpolationCase) {
        switch Interpolation.expand(value.text, environment: Self.environment) {
        case .success(let result): Issue.record("expanded to \(result.value)")
        case .failure(let failure): #expect(failure == value.failure)
        }
    }

    @Test("usedEnvironment says whether a reference was expanded")
    func usedEnvironment() throws {
        #expect(try Interpolation.expand("plain", environment: [:]).get().usedEnvironment == false)
        #expect(try Interpolation.expand("${HOST}", environment: Self.environment).get().usedEnvironment == true)
    }

    @Test("a binding's defaults apply when the variable is unset")
    func defaultsInBindings() throws {
        let tree = Fixtures.tree(["n.yaml": "provider: main\nvpcs:\n  main: {cidr: 10.0.0.0/16}\n"])
            .with("Providers/main.yaml", "kind: embedded\npath: ${INVENTORY:-inventory.sqlite}\n")
        let unset = try DesiredStateLoader(environment: [:]).load(tree)
        #expect(unset.providers["main"]?.settings["path"] == "inventory.sqlite")
        let set = try DesiredStateLoader(environment: ["INVENTORY": "other.sqlite"]).load(tree)
        #expect(set.providers["main"]?.settings["path"] == "other.sqlite")
    }

    @Test("the unset-variable diagnostic names the variable and the binding's file and line")
    func unsetVariableDiagnostic() throws {
        let tree = Fixtures.tree(["n.yaml": "provider: main\nvpcs:\n  main: {cidr: 10.0.0.0/16}\n"])
            .with("Providers/pdns.yaml", "kind: powerdns\nurl: ${PDNS_URL}\napi_key: ${PDNS_API_KEY}\n")
        let diagnostics = try CoreFixtures.diagnostics(tree, environment: ["PDNS_URL": "http://x"])
        #expect(diagnostics.map(Pinned.init) == [Pinned(.environment, "Providers/pdns.yaml", 3, 10)])
        #expect(diagnostics.first?.message.contains("PDNS_API_KEY") == true)
    }
}
