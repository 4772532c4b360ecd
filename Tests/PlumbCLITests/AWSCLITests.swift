import Foundation
import PlumbTestSupport
import Testing

extension EndToEnd {
    @Suite("plumb against a local AWS-compatible server")
    struct AWSCLITests {
        @Test("apply, a rule added with the aws CLI shows in plumb drift, one apply heals it; the secret key appears nowhere")
        func driftAndHeal() throws {
            let server = try MotoServer()
            let repo = try TempRepo.empty()
            try repo.write("plumb.yaml", "stack: cli\n")
            try repo.write("Providers/cloud.yaml", "kind: aws\nregion: us-east-1\nendpoint: ${AWS_ENDPOINT_URL:-}\nrate_limit: 100\n")
            try repo.write("Desired/network.yaml", """
                provider: cloud
                vpcs:
                  main: {cidr: 10.50.0.0/16}
                subnets:
                  web-a: {vpc: main, cidr: 10.50.1.0/24, zone: us-east-1a}
                security_groups:
                  web:
                    vpc: main
                    description: Web tier
                    ingress:
                      - {protocol: tcp, ports: 443, from: 0.0.0.0/0}
                      - {protocol: tcp, ports: 8080, from: subnet/web-a}
                """)
            // A secret no test fixture uses, to look for afterwards.
            let secret = "plumb-test-secret-\(UUID().uuidString)"
            var environment = server.credentialsEnvironment
            environment["AWS_SECRET_ACCESS_KEY"] = secret

            let apply = try repo.plumb("apply", "--auto-approve", environment: environment)
            #expect(apply.status == 0, "\(apply.stdout)\(apply.stderr)")

            let groups = try server.awsJSON(["ec2", "describe-security-groups", "--filters", "Name=group-name,Values=web"]) as? [String: Any]
            let groupID = try #require((groups?["SecurityGroups"] as? [[String: Any]])?.first?["GroupId"] as? String)
            _ = try server.awsJSON(["ec2", "authorize-security-group-ingress", "--group-id", groupID, "--protocol", "tcp", "--port", "22", "--cidr", "198.51.100.0/24"])

            let drift = try repo.plumb("drift", "--format", "json", "--exit-code", environment: environment)
            #expect(drift.status == 2, "\(drift.stdout)\(drift.stderr)")
            let items = drift.json?["items"] as? [[String: Any]] ?? []
            #expect(items.map { "\($0["state"] as? String ?? "") \($0["address"] as? String ?? "")" } == ["modified net.security_group/web"], "\(drift.stdout)")
            #expect(drift.stdout.contains("198.51.100.0/24"))

            let heal = try repo.plumb("apply", "--auto-approve", "--format", "json", environment: environment)
            #expect(heal.status == 0, "\(heal.stdout)\(heal.stderr)")
            let after = try server.awsJSON(["ec2", "describe-security-groups", "--group-ids", groupID]) as? [String: Any]
            let permissions = (after?["SecurityGroups"] as? [[String: Any]])?.first?["IpPermissions"] as? [[String: Any]] ?? []
            #expect(permissions.compactMap { $0["FromPort"] as? Int }.sorted() == [443, 8080])
            let clean = try repo.plumb("drift", "--exit-code", environment: environment)
            #expect(clean.status == 0, "\(clean.stdout)\(clean.stderr)")

            let history = try repo.plumb("history", "--format", "json")
            for output in [apply.stdout, apply.stderr, drift.stdout, drift.stderr, heal.stdout, heal.stderr, history.stdout] {
                #expect(!output.contains(secret))
            }
            let state = repo.url.appendingPathComponent(".plumb")
            for file in try FileManager.default.subpathsOfDirectory(atPath: state.path) {
                guard let data = FileManager.default.contents(atPath: state.appendingPathComponent(file).path) else { continue }
                #expect(data.range(of: Data(secret.utf8)) == nil, "\(file) holds the secret key")
            }
        }

        @Test("without credentials: exit 1 and a message that says which variables to set, before any request")
        func missingCredentials() throws {
            let repo = try TempRepo.empty()
            try repo.write("Providers/cloud.yaml", "kind: aws\nregion: us-east-1\nendpoint: http://127.0.0.1:9\n")
            try repo.write("Desired/network.yaml", "provider: cloud\nvpcs:\n  main: {cidr: 10.60.0.0/16}\n")
            let plan = try repo.plumb("plan", environment: ["AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": ""])
            #expect(plan.status == 1)
            #expect(plan.stderr.contains("AWS_ACCESS_KEY_ID"), "\(plan.stderr)")
        }
    }
}
