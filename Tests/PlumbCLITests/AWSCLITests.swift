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
            try repo.write(
                "Desired/network.yaml",
                """
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
            _ = try server.awsJSON([
                "ec2", "authorize-security-group-ingress", "--group-id", groupID, "--protocol", "tcp", "--port", "22", "--cidr", "198.51.100.0/24",
            ])

            let drift = try repo.plumb("drift", "--format", "json", "--exit-code", environment: environment)
            #expect(drift.status == 2, "\(drift.stdout)\(drift.stderr)")
            let items = drift.json?["items"] as? [[String: Any]] ?? []
            #expect(
                items.map { "\($0["state"] as? String ?? "") \($0["address"] as? String ?? "")" } == ["modified net.security_group/web"],
                "\(drift.stdout)")
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

        @Test("an account with the SPEC §8.8 attributes, applied, then imported with plumb import: the imported documents plan to no changes")
        func importAttributes() throws {
            let server = try MotoServer()
            let document = #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}"#
            for name in ["read", "boundary"] {
                _ = try server.awsJSON(["iam", "create-policy", "--policy-name", name, "--policy-document", document])
            }
            let list =
                try server.awsJSON([
                    "ec2", "create-managed-prefix-list", "--prefix-list-name", "corp", "--max-entries", "5",
                    "--address-family", "IPv4", "--entries", "Cidr=203.0.113.0/24",
                ]) as? [String: Any]
            let listID = try #require((list?["PrefixList"] as? [String: Any])?["PrefixListId"] as? String)
            let trust = #"{Version: "2012-10-17", Statement: [{Effect: Allow, Principal: {Service: ec2.amazonaws.com}, Action: "sts:AssumeRole"}]}"#
            let repo = try TempRepo.empty()
            try repo.write("plumb.yaml", "stack: cli\n")
            try repo.write("Providers/cloud.yaml", "kind: aws\nregion: us-east-1\nendpoint: ${AWS_ENDPOINT_URL:-}\nrate_limit: 100\n")
            try repo.write(
                "Desired/account.yaml",
                """
                provider: cloud
                vpcs:
                  main: {cidr: 10.70.0.0/16, ipv6: true, dns_hostnames: true}
                subnets:
                  web-a: {vpc: main, cidr: 10.70.1.0/24, zone: us-east-1a, ipv6_index: 1, assign_ipv6_on_creation: true}
                  web-b: {vpc: main, cidr: 10.70.2.0/24, zone: us-east-1b, ipv6_index: 2, map_public_ip_on_launch: true}
                  db-a: {vpc: main, cidr: 10.70.11.0/24, zone: us-east-1a}
                  db-b: {vpc: main, cidr: 10.70.12.0/24, zone: us-east-1b, ipv6_index: 12}
                security_groups:
                  web:
                    vpc: main
                    description: Web tier
                    ingress:
                      - {protocol: tcp, ports: 443, from: "::/0", description: public HTTPS over IPv6}
                      - {protocol: tcp, ports: 443, from: 0.0.0.0/0, description: public HTTPS}
                      - {protocol: tcp, ports: 22, from: \(listID)}
                  db:
                    vpc: main
                    description: Databases
                    ingress:
                      - {protocol: tcp, ports: 5432, from: subnet/web-a, description: from web-a}
                      - {protocol: tcp, ports: 5432, from: subnet/web-b}
                    egress: []
                roles:
                  deployer:
                    trust: \(trust)
                    policies:
                      logs: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: "logs:PutLogEvents", Resource: "*"}]}
                    managed_policies: [arn:aws:iam::123456789012:policy/read]
                    permissions_boundary: arn:aws:iam::123456789012:policy/boundary
                    max_session_duration: 2h
                  reader:
                    trust: \(trust)
                    managed_policies: [arn:aws:iam::123456789012:policy/read]
                """)
            let environment = server.credentialsEnvironment
            let apply = try repo.plumb("apply", "--auto-approve", environment: environment)
            #expect(apply.status == 0, "\(apply.stdout)\(apply.stderr)")
            #expect(try repo.plumb("plan", "--exit-code", environment: environment).status == 0)

            let imported = try repo.plumb("import", "--provider", "cloud", "--out", "imported/Desired", environment: environment)
            #expect(imported.status == 0, "\(imported.stderr)")
            let copy = try TempRepo.empty()
            for item in ["Providers", "plumb.yaml"] {
                try FileManager.default.copyItem(at: repo.url.appendingPathComponent(item), to: copy.url.appendingPathComponent(item))
            }
            try FileManager.default.copyItem(at: repo.url.appendingPathComponent("imported/Desired"), to: copy.url.appendingPathComponent("Desired"))
            let plan = try copy.plumb("plan", "--exit-code", environment: environment)
            let written = (try? FileManager.default.subpathsOfDirectory(atPath: copy.url.appendingPathComponent("Desired").path)) ?? []
            let texts = written.compactMap { try? copy.read("Desired/\($0)") }.joined(separator: "\n---\n")
            #expect(plan.status == 0, "\(plan.stdout)\(plan.stderr)\n\(texts)")
            #expect(texts.contains("max_session_duration: 2h") && texts.contains("ipv6_index: 12") && texts.contains("\"subnet/web-a\""), "\(texts)")
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
