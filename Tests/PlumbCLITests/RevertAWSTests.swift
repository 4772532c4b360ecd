import Foundation
import PlumbTestSupport
import Testing

/// `on_failure: revert` against the local AWS-compatible server: security-group rules put
/// back exactly, a created subnet removed, a deleted subnet recreated (under a new id, as the
/// plan said beforehand).
extension EndToEnd {
    @Suite("revert against the AWS-compatible server")
    struct RevertAWSTests {
        static func network(rules: String, subnets: String, check: String = "") -> String {
            """
            provider: cloud
            vpcs:
              main: {cidr: 10.50.0.0/16}
            subnets:
              web-a: {vpc: main, cidr: 10.50.1.0/24, zone: us-east-1a}
            \(subnets)
            security_groups:
              web:
                vpc: main
                description: Web tier
                ingress:
            \(rules)
            \(check)
            """
        }

        static func rules(_ server: MotoServer) throws -> String {
            let groups = try server.awsJSON(["ec2", "describe-security-groups", "--filters", "Name=group-name,Values=web"]) as? [String: Any]
            let group = (groups?["SecurityGroups"] as? [[String: Any]])?.first ?? [:]
            let permissions = group["IpPermissions"] ?? []
            let data = try JSONSerialization.data(withJSONObject: permissions, options: [.sortedKeys])
            return String(decoding: data, as: UTF8.self)
        }

        static func subnets(_ server: MotoServer) throws -> [String: String] {
            let json = try server.awsJSON(["ec2", "describe-subnets"]) as? [String: Any]
            var byCIDR: [String: String] = [:]
            for subnet in json?["Subnets"] as? [[String: Any]] ?? [] {
                if let cidr = subnet["CidrBlock"] as? String, cidr.hasPrefix("10.50."), let id = subnet["SubnetId"] as? String { byCIDR[cidr] = id }
            }
            return byCIDR
        }

        @Test("rules put back exactly, the new subnet gone, the deleted subnet back under a new id as the plan said; exit 4")
        func revertsNetwork() throws {
            let server = try MotoServer()
            let repo = try TempRepo.empty()
            try repo.write("plumb.yaml", "stack: rev\non_failure: revert\n")
            try repo.write("Providers/cloud.yaml", "kind: aws\nregion: us-east-1\nendpoint: ${AWS_ENDPOINT_URL:-}\nrate_limit: 100\n")
            let environment = server.credentialsEnvironment
            try repo.write(
                "Desired/network.yaml",
                Self.network(
                    rules: "          - {protocol: tcp, ports: 443, from: 0.0.0.0/0}\n          - {protocol: tcp, ports: 8080, from: subnet/web-a}",
                    subnets: "  old-b: {vpc: main, cidr: 10.50.2.0/24, zone: us-east-1b}"))
            let first = try repo.plumb("apply", "--auto-approve", environment: environment)
            #expect(first.status == 0, "\(first.stdout)\(first.stderr)")
            let rulesBefore = try Self.rules(server)
            let subnetsBefore = try Self.subnets(server)
            #expect(subnetsBefore.keys.sorted() == ["10.50.1.0/24", "10.50.2.0/24"])

            // The run: rules changed, web-c created, old-b deleted; the check after the delete fails.
            let check = "checks:\n  after-delete:\n    after: net.subnet/old-b\n    command: [\"false\"]\n    timeout: 1s\n"
            try repo.write(
                "Desired/network.yaml",
                Self.network(
                    rules: "          - {protocol: tcp, ports: 8443, from: 0.0.0.0/0}\n          - {protocol: tcp, ports: 5432, from: 10.50.0.0/16}",
                    subnets: "  web-c: {vpc: main, cidr: 10.50.3.0/24, zone: us-east-1c}", check: check))
            let plan = try repo.plumb("plan", environment: environment)
            #expect(plan.stdout.contains("net.subnet/old-b  (revert: recreated with a new id)"), "\(plan.stdout)")
            #expect(!plan.stdout.contains("net.security_group/web  (revert"), "rules are put back exactly")

            let apply = try repo.plumb("apply", "--auto-approve", "--format", "json", environment: environment)
            #expect(apply.status == 4, "\(apply.stdout.suffix(1500))\(apply.stderr)")
            #expect(apply.json?["status"] as? String == "reverted")
            #expect(Set(apply.json?["reverted"] as? [String] ?? []) == ["net.subnet/web-c", "net.security_group/web", "net.subnet/old-b"])

            #expect(try Self.rules(server) == rulesBefore)
            let subnetsAfter = try Self.subnets(server)
            #expect(subnetsAfter.keys.sorted() == ["10.50.1.0/24", "10.50.2.0/24"])
            #expect(subnetsAfter["10.50.1.0/24"] == subnetsBefore["10.50.1.0/24"])
            #expect(subnetsAfter["10.50.2.0/24"] != subnetsBefore["10.50.2.0/24"], "recreated, with a new id")
        }
    }
}
