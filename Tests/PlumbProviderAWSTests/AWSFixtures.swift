import Foundation
import PlumbCore
import PlumbProviderAWS
import PlumbTestSupport
import Testing

/// Desired states for the AWS provider's integration tests, and a provider bound to a
/// private moto server.
enum AWSFixtures {
    static let stack = "test"

    static func binding(_ server: MotoServer, rateLimit: Double = 200) -> String {
        "kind: aws\nregion: us-east-1\nendpoint: \(server.url)\nrate_limit: \(rateLimit)\nconcurrency: 8\n"
    }

    static func load(_ server: MotoServer, _ documents: [String: String], chunkSize: Int = 50, rateLimit: Double = 200) throws -> DesiredState {
        var files = [
            "Providers/cloud.yaml": binding(server, rateLimit: rateLimit),
            "plumb.yaml": "stack: \(stack)\nchunking: {strategy: fixed, max_changes: \(chunkSize), by: kind}\nsafety: {max_changes: 5000}\n",
        ]
        for (path, text) in documents { files["Desired/\(path)"] = text }
        return try DesiredStateLoader(environment: server.credentialsEnvironment).load(MemoryTree(files, stack: stack))
    }

    static func provider(_ server: MotoServer, _ desired: DesiredState) throws -> AWSProvider {
        let binding = try #require(desired.providers["cloud"])
        return try AWSProvider(binding: binding, environment: server.credentialsEnvironment)
    }

    /// A VPC, six subnets, five security groups that reference each other and subnets.
    static let network = """
        provider: cloud
        vpcs:
          main: {cidr: 10.20.0.0/16, tags: {team: platform}}
        subnets:
          web-a: {vpc: main, cidr: 10.20.1.0/24, zone: us-east-1a}
          web-b: {vpc: main, cidr: 10.20.2.0/24, zone: us-east-1b}
          web-c: {vpc: main, cidr: 10.20.3.0/24, zone: us-east-1c}
          db-a: {vpc: main, cidr: 10.20.11.0/24, zone: us-east-1a}
          db-b: {vpc: main, cidr: 10.20.12.0/24, zone: us-east-1b}
          db-c: {vpc: main, cidr: 10.20.13.0/24, zone: us-east-1c, tags: {tier: data}}
        security_groups:
          lb:
            vpc: main
            description: Load balancers
            ingress:
              - {protocol: tcp, ports: 443, from: 0.0.0.0/0}
              - {protocol: tcp, ports: 80, from: 0.0.0.0/0}
          web:
            vpc: main
            description: Web tier
            ingress:
              - {protocol: tcp, ports: 8080, from: security_group/lb}
              - {protocol: tcp, ports: 22, from: subnet/web-a}
          app:
            vpc: main
            description: Application tier
            ingress:
              - {protocol: tcp, ports: 9000-9010, from: security_group/web}
            egress:
              - {protocol: tcp, ports: 5432, to: security_group/db}
              - {protocol: tcp, ports: 443, to: 0.0.0.0/0}
          db:
            vpc: main
            description: Databases
            ingress:
              - {protocol: tcp, ports: 5432, from: security_group/app}
              - {protocol: tcp, ports: 5432, from: subnet/db-a}
            egress: []
          monitoring:
            vpc: main
            description: Monitoring
            ingress:
              - {protocol: icmp, from: 10.20.0.0/16}
              - {protocol: udp, ports: 161, from: subnet/web-b}
            egress:
              - {protocol: all, to: 0.0.0.0/0}
        """

    /// Three roles with inline policies, one of them written with one-element lists.
    static let roles = """
        provider: cloud
        roles:
          deployer:
            description: Deploys from CI
            path: /ci/
            trust:
              Version: "2012-10-17"
              Statement:
                - Effect: Allow
                  Principal: {Service: ec2.amazonaws.com}
                  Action: sts:AssumeRole
            policies:
              read-artifacts:
                Version: "2012-10-17"
                Statement:
                  - {Effect: Allow, Action: ["s3:GetObject"], Resource: "arn:aws:s3:::artifacts/*"}
              write-logs:
                Version: "2012-10-17"
                Statement:
                  - {Effect: Allow, Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: "*"}
          reader:
            trust:
              Version: "2012-10-17"
              Statement:
                - {Effect: Allow, Principal: {AWS: "arn:aws:iam::123456789012:root"}, Action: sts:AssumeRole}
            policies:
              read-only:
                Version: "2012-10-17"
                Statement:
                  - {Effect: Allow, Action: ["ec2:Describe*"], Resource: ["*"]}
          lambda-exec:
            path: /service/
            description: Runs functions
            trust:
              Version: "2012-10-17"
              Statement:
                - Effect: Allow
                  Principal: {Service: [lambda.amazonaws.com, edgelambda.amazonaws.com]}
                  Action: sts:AssumeRole
            policies:
              queue:
                Version: "2012-10-17"
                Statement:
                  - {Effect: Allow, Action: ["sqs:ReceiveMessage", "sqs:DeleteMessage"], Resource: "arn:aws:sqs:us-east-1:123456789012:jobs"}
                  - {Effect: Deny, Action: "sqs:PurgeQueue", Resource: "*"}
        """

    /// A zone of `count` record sets mixing every type Route 53 serves the same way.
    static func zone(_ name: String = "example.test.", count: Int = 200) -> String {
        var lines = ["provider: cloud", "zone: \(name)", "ttl: 300", "records:"]
        lines.append("  \"@\":")
        lines.append("    - {type: MX, values: [\"10 mail.\(name)\", \"20 mail2.\(name)\"]}")
        lines.append("    - {type: TXT, values: [\"v=spf1 -all\", \"say \\\"hi\\\"\"]}")
        lines.append("  \"*.dev\": {type: A, value: 192.0.2.250}")
        lines.append("  www: {type: A, ttl: 60, values: [192.0.2.10, 192.0.2.11]}")
        lines.append("  _sip._tcp: {type: SRV, value: \"10 60 5060 sip.\(name)\"}")
        lines.append("  caa: {type: CAA, value: '0 issue \"letsencrypt.org\"'}")
        for index in 0..<(count - 6) {
            switch index % 4 {
            case 0: lines.append("  h\(index): {type: A, value: 198.51.100.\(index % 250)}")
            case 1: lines.append("  h\(index): {type: AAAA, value: \"2001:db8::\(index)\"}")
            case 2: lines.append("  h\(index): {type: CNAME, value: www.\(name)}")
            default: lines.append("  h\(index): {type: TXT, value: \"token-\(index)\"}")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
