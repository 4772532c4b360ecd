import Foundation
import PlumbTestSupport
import Testing

@testable import PlumbCore

/// One resource that a rule must find, or must not find although it looks close.
struct PolicyCase: CustomTestStringConvertible, Sendable {
    var id: String
    var rule: String
    var resources: [DesiredResource]
    var found: Bool
    var testDescription: String { id }
}

private func rule(_ proto: String, _ ports: String?, from: String) -> SecurityRule {
    SecurityRule(protocol: proto, ports: ports, from: from)
}

private func egressRule(_ proto: String, _ ports: String?, to: String) -> SecurityRule {
    SecurityRule(protocol: proto, ports: ports, to: to)
}

private let trustEC2: JSONValue = .object([
    "Version": "2012-10-17",
    "Statement": .object(["Effect": "Allow", "Principal": .object(["Service": "ec2.amazonaws.com"]), "Action": "sts:AssumeRole"]),
])

private func policy(_ effect: String, action: JSONValue, resource: JSONValue) -> JSONValue {
    .object(["Version": "2012-10-17", "Statement": .array([.object(["Effect": .string(effect), "Action": action, "Resource": resource])])])
}

private func trust(principal: JSONValue) -> JSONValue {
    .object(["Version": "2012-10-17", "Statement": .object(["Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"])])
}

@Suite("Policy rules")
struct PolicyRuleTests {
    static let cases: [PolicyCase] = [
        PolicyCase(
            id: "admin-port-ssh-world", rule: "sg-world-admin-port", resources: [F.group("bastion", ingress: [rule("tcp", "22", from: "0.0.0.0/0")])],
            found: true),
        PolicyCase(
            id: "admin-port-rdp-in-range", rule: "sg-world-admin-port",
            resources: [F.group("win", ingress: [rule("tcp", "3000-4000", from: "0.0.0.0/0")])], found: true),
        PolicyCase(
            id: "admin-port-ipv6-world", rule: "sg-world-admin-port", resources: [F.group("v6", ingress: [rule("tcp", "22", from: "::/0")])],
            found: true),
        PolicyCase(
            id: "admin-port-all-protocols", rule: "sg-world-admin-port", resources: [F.group("open", ingress: [rule("all", nil, from: "0.0.0.0/0")])],
            found: true),
        PolicyCase(
            id: "admin-port-https-world-passes", rule: "sg-world-admin-port",
            resources: [F.group("lb", ingress: [rule("tcp", "443", from: "0.0.0.0/0")])], found: false),
        PolicyCase(
            id: "admin-port-ssh-from-office-passes", rule: "sg-world-admin-port",
            resources: [F.group("bastion", ingress: [rule("tcp", "22", from: "203.0.113.0/24")])], found: false),
        PolicyCase(
            id: "admin-port-range-below-22-passes", rule: "sg-world-admin-port",
            resources: [F.group("ftp", ingress: [rule("tcp", "20-21", from: "0.0.0.0/0")])], found: false),
        PolicyCase(
            id: "all-ports-protocol-all", rule: "sg-world-all-ports", resources: [F.group("open", ingress: [rule("all", nil, from: "0.0.0.0/0")])],
            found: true),
        PolicyCase(
            id: "all-ports-full-tcp-range", rule: "sg-world-all-ports",
            resources: [F.group("open", ingress: [rule("tcp", "0-65535", from: "0.0.0.0/0")])], found: true),
        PolicyCase(
            id: "all-ports-wide-range-passes", rule: "sg-world-all-ports",
            resources: [F.group("wide", ingress: [rule("tcp", "1024-65535", from: "0.0.0.0/0")])], found: false),
        PolicyCase(
            id: "all-ports-private-all-passes", rule: "sg-world-all-ports",
            resources: [F.group("int", ingress: [rule("all", nil, from: "10.0.0.0/16")])], found: false),
        PolicyCase(
            id: "egress-all-to-world", rule: "sg-world-egress", resources: [F.group("db", egress: [egressRule("all", nil, to: "0.0.0.0/0")])],
            found: true),
        PolicyCase(
            id: "egress-https-to-world-passes", rule: "sg-world-egress",
            resources: [F.group("web", egress: [egressRule("tcp", "443", to: "0.0.0.0/0")])], found: false),
        PolicyCase(id: "egress-default-passes", rule: "sg-world-egress", resources: [F.group("web", egress: nil)], found: false),
        PolicyCase(
            id: "undocumented-ingress", rule: "sg-rule-undocumented", resources: [F.group("web", ingress: [rule("tcp", "443", from: "::/0")])],
            found: true),
        PolicyCase(
            id: "undocumented-egress", rule: "sg-rule-undocumented",
            resources: [
                F.group(
                    "web", ingress: [SecurityRule(protocol: "tcp", ports: "443", from: "::/0", description: "public HTTPS")],
                    egress: [egressRule("tcp", "5432", to: "10.0.0.0/16")])
            ], found: true),
        PolicyCase(
            id: "documented-passes", rule: "sg-rule-undocumented",
            resources: [
                F.group("web", ingress: [SecurityRule(protocol: "tcp", ports: "443", from: "::/0", description: "public HTTPS")], egress: nil)
            ], found: false),
        PolicyCase(
            id: "wildcard-action-star", rule: "iam-wildcard-action",
            resources: [F.role("r", trust: trustEC2, policies: ["p": policy("Allow", action: "*", resource: "arn:aws:s3:::b/*")])], found: true),
        PolicyCase(
            id: "wildcard-action-service", rule: "iam-wildcard-action",
            resources: [F.role("r", trust: trustEC2, policies: ["p": policy("Allow", action: .array(["s3:*", "ec2:DescribeVpcs"]), resource: "*")])],
            found: true),
        PolicyCase(
            id: "wildcard-action-get-star-passes", rule: "iam-wildcard-action",
            resources: [F.role("r", trust: trustEC2, policies: ["p": policy("Allow", action: "s3:Get*", resource: "*")])], found: false),
        PolicyCase(
            id: "wildcard-action-deny-passes", rule: "iam-wildcard-action",
            resources: [F.role("r", trust: trustEC2, policies: ["p": policy("Deny", action: "*", resource: "*")])], found: false),
        PolicyCase(
            id: "admin-star-on-star", rule: "iam-admin",
            resources: [F.role("r", trust: trustEC2, policies: ["p": policy("Allow", action: "*", resource: "*")])], found: true),
        PolicyCase(
            id: "admin-getobject-on-star-passes", rule: "iam-admin",
            resources: [F.role("r", trust: trustEC2, policies: ["p": policy("Allow", action: "s3:GetObject", resource: "*")])], found: false),
        PolicyCase(
            id: "admin-star-on-one-bucket-passes", rule: "iam-admin",
            resources: [F.role("r", trust: trustEC2, policies: ["p": policy("Allow", action: "*", resource: "arn:aws:s3:::b")])], found: false),
        PolicyCase(id: "trust-star", rule: "iam-trust-any", resources: [F.role("r", trust: trust(principal: "*"))], found: true),
        PolicyCase(
            id: "trust-aws-star", rule: "iam-trust-any", resources: [F.role("r", trust: trust(principal: .object(["AWS": "*"])))], found: true),
        PolicyCase(
            id: "trust-account-passes", rule: "iam-trust-any",
            resources: [F.role("r", trust: trust(principal: .object(["AWS": "arn:aws:iam::123456789012:root"])))], found: false),
        PolicyCase(
            id: "ttl-under-a-minute", rule: "dns-ttl-range", resources: [F.record("example.com.", "www", .A, ["192.0.2.1"], ttl: 30)], found: true),
        PolicyCase(
            id: "ttl-over-a-week", rule: "dns-ttl-range", resources: [F.record("example.com.", "www", .A, ["192.0.2.1"], ttl: 604_801)], found: true),
        PolicyCase(
            id: "ttl-one-minute-passes", rule: "dns-ttl-range", resources: [F.record("example.com.", "www", .A, ["192.0.2.1"], ttl: 60)], found: false
        ),
    ]

    @Test("each rule finds what it is for, and not what only looks close", arguments: cases)
    func finds(_ value: PolicyCase) {
        let engine = PolicyEngine(severities: Dictionary(uniqueKeysWithValues: PolicyEngine.ruleIDs.map { ($0, PolicySeverity.warn) }))
        let findings = engine.evaluate(PolicyContext(desired: F.state(value.resources))).filter { $0.rule == value.rule }
        #expect(findings.isEmpty == !value.found, "\(findings)")
        for finding in findings {
            #expect(finding.address == value.resources[0].address)
            #expect(!finding.hint.isEmpty)
        }
    }

    @Test("plan-delete-zone is a plan rule: found on a plan that deletes a zone, never on the desired state alone")
    func planDeleteZone() {
        let zone = F.zone("old.example.")
        var prior = PriorState()
        prior.managed = [zone.address]
        let plan = planOf(F.state([]), F.inventory([F.live(zone)]), prior: prior)
        #expect(plan.policies.map(\.rule) == ["plan-delete-zone"])
        #expect(plan.refusals.map(\.rule) == [.policy])
        #expect(PolicyEngine().evaluate(PolicyContext(desired: F.state([zone]))).isEmpty)
    }

    @Test("a deny finding refuses the plan and --force does not lift it; warn does not refuse")
    func severities() throws {
        let open = F.group("bastion", ingress: [rule("tcp", "22", from: "0.0.0.0/0")])
        let denied = planOf(F.state([open]), F.inventory([]))
        let refusal = try #require(denied.refusals.first)
        #expect(refusal.rule == .policy && !refusal.overridable)
        #expect(refusal.message.contains("sg-world-admin-port") && refusal.message.contains("net.security_group/bastion"))

        let warned = planOf(F.state([open]) { $0.policies = ["sg-world-admin-port": .warn] }, F.inventory([]))
        #expect(warned.refusals.isEmpty)
        #expect(warned.policies.map(\.severity) == [.warn])

        let off = planOf(F.state([open]) { $0.policies = ["sg-world-admin-port": .off] }, F.inventory([]))
        #expect(off.policies.isEmpty && off.refusals.isEmpty)

        // sg-rule-undocumented is off by default: an undescribed rule is no finding until asked for.
        let quiet = F.group("web", ingress: [rule("tcp", "443", from: "10.0.0.0/8")])
        #expect(planOf(F.state([quiet]), F.inventory([])).policies.isEmpty)
        let asked = planOf(F.state([quiet]) { $0.policies = ["sg-rule-undocumented": .deny] }, F.inventory([]))
        #expect(asked.policies.map(\.rule) == ["sg-rule-undocumented"] && asked.refusals.map(\.rule) == [.policy])

        // A rule that is off by default can be turned on.
        let ttl = F.record("example.com.", "www", .A, ["192.0.2.1"], ttl: 30)
        let strict = planOf(F.state([ttl]) { $0.policies = ["dns-ttl-range": .deny] }, F.inventory([]))
        #expect(strict.refusals.map(\.rule) == [.policy])
    }

    @Test("a waiver lifts a deny finding, and its reason stays in the plan")
    func waiver() {
        var open = F.group("bastion", ingress: [rule("tcp", "22", from: "0.0.0.0/0")])
        open.waivers = ["sg-world-admin-port": "bastion, reviewed 2026-12 by SEC-42"]
        let plan = planOf(F.state([open]), F.inventory([]))
        #expect(plan.refusals.isEmpty)
        #expect(plan.policies.map(\.waiver) == ["bastion, reviewed 2026-12 by SEC-42"])
        #expect(PlanTextRenderer(style: TextStyle(color: false)).render(plan).contains("bastion, reviewed 2026-12 by SEC-42"))
        #expect(PlanMarkdownRenderer().render(plan).contains("bastion, reviewed 2026-12 by SEC-42"))
        // A waiver of one rule does not waive another.
        open.waivers = ["sg-world-all-ports": "not this one"]
        #expect(planOf(F.state([open]), F.inventory([])).refusals.map(\.rule) == [.policy])
    }

    @Test("findings are in a stable order and survive the plan's JSON")
    func stableAndEncoded() throws {
        let resources = [
            F.group("b", ingress: [rule("tcp", "22", from: "0.0.0.0/0"), rule("all", nil, from: "::/0")]),
            F.group("a", ingress: [rule("tcp", "3389", from: "0.0.0.0/0")]),
        ]
        let first = planOf(F.state(resources), F.inventory([]))
        let second = planOf(F.state(resources.reversed()), F.inventory([]))
        #expect(first.policies == second.policies)
        #expect(first.policies.map(\.address.name) == ["a", "b", "b", "b"])
        let decoded = try JSONDecoder().decode(Plan.self, from: Data(try JSONOutput.encode(first).utf8))
        #expect(decoded.policies == first.policies)
    }
}
