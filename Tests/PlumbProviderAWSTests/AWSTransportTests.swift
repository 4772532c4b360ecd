import Foundation
import PlumbCore
import PlumbHTTP
import PlumbProviderKit
import PlumbTestSupport
import Testing

@testable import PlumbProviderAWS

private typealias Response = ScriptedHTTPServer.Response

/// An AWS client on its own transport (a binding name of its own: transports are shared by
/// binding), against a scripted local server.
private struct Harness {
    static let fast = RetryPolicy(attempts: 4, base: .milliseconds(5), cap: .milliseconds(20))

    let server: ScriptedHTTPServer
    let transport: ProviderTransport
    let client: AWSClient

    init(_ responses: [Response], default defaultResponse: Response = Response(status: 200), retry: RetryPolicy = Harness.fast) throws {
        server = try ScriptedHTTPServer(responses, default: defaultResponse)
        let binding = ProviderBinding(
            name: "aws-transport-\(UUID().uuidString)", type: .aws,
            settings: ["region": "us-east-1", "endpoint": server.url], rateLimit: 1000)
        transport = ProviderTransport.shared(for: binding, retry: retry)
        client = AWSClient(
            provider: binding.name, transport: transport,
            credentials: AWSCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "secret"),
            region: "us-east-1", endpoint: server.url)
    }

    var ec2: EC2API { EC2API(client: client) }
    var iam: IAMAPI { IAMAPI(client: client) }
    var route53: Route53API { Route53API(client: client) }

    func requests() throws -> [ScriptedHTTPServer.Request] { try server.requests() }
}

/// AWS answers, as the services write them.
private enum Answers {
    static func ec2Error(_ status: Int, _ code: String, _ message: String = "m", headers: [String: String] = [:], delay: Int = 0) -> Response {
        .xml(
            status,
            """
            <?xml version="1.0" encoding="UTF-8"?>
            <Response><Errors><Error><Code>\(code)</Code><Message>\(message)</Message></Error></Errors><RequestID>ea966190-example</RequestID></Response>
            """, headers: headers, delayMilliseconds: delay)
    }

    static func queryError(_ status: Int, _ code: String, service: String = "iam", version: String = "2010-05-08") -> Response {
        .xml(
            status,
            """
            <ErrorResponse xmlns="https://\(service).amazonaws.com/doc/\(version)/">
              <Error><Type>Sender</Type><Code>\(code)</Code><Message>Rate exceeded</Message></Error>
              <RequestId>4a0f4a6c-example</RequestId>
            </ErrorResponse>
            """)
    }

    static let createVpc = Response.xml(
        200,
        """
        <CreateVpcResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
          <requestId>7a62c49f-example</requestId>
          <vpc><vpcId>vpc-0new</vpcId><state>pending</state><cidrBlock>10.0.0.0/16</cidrBlock></vpc>
        </CreateVpcResponse>
        """)

    static let describeVpcs = Response.xml(
        200,
        """
        <DescribeVpcsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
          <requestId>7a62c49f-example</requestId>
          <vpcSet><item><vpcId>vpc-1</vpcId><cidrBlock>10.0.0.0/16</cidrBlock>\
        <tagSet><item><key>Name</key><value>main</value></item></tagSet></item></vpcSet>
        </DescribeVpcsResponse>
        """)

    static let listRoles = Response.xml(
        200,
        """
        <ListRolesResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">
          <ListRolesResult>
            <IsTruncated>false</IsTruncated>
            <Roles>
              <member><Path>/ci/</Path><RoleName>deployer</RoleName><RoleId>AROA1</RoleId></member>
              <member><Path>/</Path><RoleName>reader</RoleName><RoleId>AROA2</RoleId></member>
            </Roles>
          </ListRolesResult>
          <ResponseMetadata><RequestId>r</RequestId></ResponseMetadata>
        </ListRolesResponse>
        """)

    static let ok = Response.xml(
        200,
        """
        <RevokeSecurityGroupIngressResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
          <requestId>r</requestId><return>true</return>
        </RevokeSecurityGroupIngressResponse>
        """)
}

/// Asserts the request was signed with SigV4 for `service` in us-east-1 by AKIDEXAMPLE, and
/// that the signature covers what arrived: the signature recomputed from the received
/// method, target, signed headers and body is the one sent.
private func expectSigned(
    _ request: ScriptedHTTPServer.Request, service: String, server: ScriptedHTTPServer, sourceLocation: Testing.SourceLocation = #_sourceLocation
) throws {
    let amzDate = try #require(request.header("X-Amz-Date"), "no X-Amz-Date", sourceLocation: sourceLocation)
    #expect(amzDate.wholeMatch(of: /\d{8}T\d{6}Z/) != nil, "X-Amz-Date \(amzDate)", sourceLocation: sourceLocation)
    let authorization = try #require(request.header("Authorization"), "no Authorization", sourceLocation: sourceLocation)
    let scope = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/\(amzDate.prefix(8))/us-east-1/\(service)/aws4_request, SignedHeaders="
    #expect(authorization.hasPrefix(scope), "\(authorization)", sourceLocation: sourceLocation)

    // Signed now, give or take a clock's worth.
    let signedAt = try #require(parseAmzDate(amzDate), sourceLocation: sourceLocation)
    #expect(abs(signedAt.timeIntervalSinceNow) < 300, sourceLocation: sourceLocation)

    let signedNames = try #require(
        authorization.firstMatch(of: /SignedHeaders=([^,]+),/).map { String($0.1).split(separator: ";").map(String.init) },
        sourceLocation: sourceLocation)
    #expect(signedNames.contains("host") && signedNames.contains("x-amz-date"), sourceLocation: sourceLocation)
    var headers: [(name: String, value: String)] = []
    for name in signedNames {
        let value = try #require(request.header(name), "signed header \(name) did not arrive", sourceLocation: sourceLocation)
        headers.append((name: name, value: value))
    }
    let received = HTTPRequest(
        method: request.method, url: server.url + request.target, headers: headers,
        body: request.body.isEmpty ? nil : Data(request.body.utf8))
    let signer = SigV4Signer(
        credentials: AWSCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "secret"), region: "us-east-1", service: service)
    // The request carries X-Amz-Date, so the signer uses it, not the date passed.
    let resigned = signer.sign(received, date: .distantPast)
    #expect(resigned.headers.last?.value == authorization, "the signature does not cover what arrived", sourceLocation: sourceLocation)
}

private func parseAmzDate(_ text: String) -> Date? {
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "en_US_POSIX")
    formatter.timeZone = TimeZone(identifier: "UTC")
    formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
    return formatter.date(from: text)
}

private func elapsed(_ body: () async throws -> Void) async rethrows -> Duration {
    let start = ContinuousClock.now
    try await body()
    return ContinuousClock.now - start
}

@Suite("AWS over a scripted HTTP server: retries, throttling, signing, pagination, fallbacks")
struct AWSTransportTests {
    // MARK: Throttling and retries

    @Test("IAM 400 Throttling twice, then an answer: the query succeeds on the third request")
    func iamThrottling() async throws {
        let harness = try Harness(
            [Answers.queryError(400, "Throttling"), Answers.queryError(400, "Throttling")], default: Answers.listRoles)
        let roles = try await harness.iam.listRoles()
        #expect(roles.map(\.name) == ["deployer", "reader"])
        #expect(roles.map(\.path) == ["/ci/", "/"])

        let requests = try harness.requests()
        #expect(requests.count == 3)
        #expect(requests.map(\.scripted) == [0, 1, nil])
        for request in requests {
            #expect(request.method == "POST" && request.path == "/")
            #expect(request.formValue("Action") == "ListRoles")
            #expect(request.formValue("Version") == "2010-05-08")
            #expect(request.header("Content-Type") == "application/x-www-form-urlencoded; charset=utf-8")
            try expectSigned(request, service: "iam", server: harness.server)
        }
        #expect(harness.transport.requestsSent == 3)
        #expect(harness.transport.retriesSent == 2)
        #expect(harness.transport.operationCounts == ["ListRoles": 3])
    }

    @Test("throttling that never ends fails as throttled after every attempt")
    func throttlingExhausted() async throws {
        let harness = try Harness([], default: Answers.queryError(400, "Throttling"))
        let error = try await #require(throws: ProviderError.self) { _ = try await harness.iam.listRoles() }
        #expect(error.code == .throttled)
        #expect(error.message.contains("ListRoles"))
        #expect(try harness.requests().count == 4)
        #expect(harness.transport.requestsSent == 4)
        #expect(harness.transport.retriesSent == 3)
    }

    @Test("EC2 503 RequestLimitExceeded on CreateVpc (not safe to repeat) is retried: AWS did not run it")
    func ec2ThrottledCreate() async throws {
        let harness = try Harness([Answers.ec2Error(503, "RequestLimitExceeded", "Request limit exceeded.")], default: Answers.createVpc)
        let id = try await harness.ec2.createVPC(cidr: "10.0.0.0/16", tags: ["Name": "main"])
        #expect(id == "vpc-0new")
        let requests = try harness.requests()
        #expect(requests.count == 2)
        for request in requests {
            #expect(request.formValue("Action") == "CreateVpc")
            #expect(request.formValue("CidrBlock") == "10.0.0.0/16")
            #expect(request.formValue("TagSpecification.1.ResourceType") == "vpc")
            #expect(request.formValue("TagSpecification.1.Tag.1.Key") == "Name")
        }
        #expect(harness.transport.retriesSent == 1)
    }

    @Test("a plain 500 InternalError on CreateVpc is not retried and fails as unavailable")
    func createNotRetriedOn500() async throws {
        let harness = try Harness([Answers.ec2Error(500, "InternalError", "An internal error has occurred")], default: Answers.createVpc)
        let error = try await #require(throws: ProviderError.self) {
            _ = try await harness.ec2.createVPC(cidr: "10.0.0.0/16", tags: [:])
        }
        #expect(error.code == .unavailable)
        #expect(error.message.contains("CreateVpc: HTTP 500"))
        #expect(try harness.requests().count == 1)
        #expect(harness.transport.requestsSent == 1)
        #expect(harness.transport.retriesSent == 0)
    }

    @Test("the same 500 on a Describe call is retried until the attempts run out, then fails as unavailable")
    func describeRetriedOn500() async throws {
        let harness = try Harness([], default: Answers.ec2Error(500, "InternalError", "An internal error has occurred"))
        let error = try await #require(throws: ProviderError.self) { _ = try await harness.ec2.describeVPCs([]) }
        #expect(error.code == .unavailable)
        #expect(error.message.contains("DescribeVpcs: HTTP 500"))
        let requests = try harness.requests()
        #expect(requests.count == 4)
        #expect(requests.allSatisfy { $0.formValue("Action") == "DescribeVpcs" && $0.formValue("MaxResults") == "1000" })
        #expect(harness.transport.requestsSent == 4)
        #expect(harness.transport.retriesSent == 3)
    }

    @Test("a Describe call that gets one 500 succeeds on the retry")
    func describeRecovers() async throws {
        let harness = try Harness([Answers.ec2Error(500, "InternalError")], default: Answers.describeVpcs)
        let vpcs = try await harness.ec2.describeVPCs([("tag:Name", ["main"])])
        #expect(vpcs == [EC2VPC(id: "vpc-1", cidr: "10.0.0.0/16", tags: ["Name": "main"])])
        let requests = try harness.requests()
        #expect(requests.count == 2)
        #expect(requests.allSatisfy { $0.formValue("Filter.1.Name") == "tag:Name" && $0.formValue("Filter.1.Value.1") == "main" })
    }

    @Test("a dropped connection: a Describe call is retried, CreateVpc is not")
    func droppedConnection() async throws {
        let describe = try Harness([.drop()], default: Answers.describeVpcs)
        #expect(try await describe.ec2.describeVPCs([]).map(\.id) == ["vpc-1"])
        #expect(try describe.requests().count == 2)
        #expect(describe.transport.retriesSent == 1)

        let create = try Harness([.drop()], default: Answers.createVpc)
        let error = try await #require(throws: ProviderError.self) {
            _ = try await create.ec2.createVPC(cidr: "10.0.0.0/16", tags: [:])
        }
        #expect(error.code == .unavailable)
        // It may have run: a second create could make a second VPC.
        #expect(try create.requests().count == 1)
        #expect(create.transport.requestsSent == 1)
    }

    // MARK: Retry-After

    @Test("429 with Retry-After: 1 waits about a second before the retry, even on CreateVpc")
    func retryAfterHonoured() async throws {
        let harness = try Harness(
            [Response(status: 429, headers: ["Retry-After": "1"], body: "slow down")], default: Answers.createVpc,
            retry: RetryPolicy(attempts: 4, base: .milliseconds(5), cap: .seconds(5)))
        var id = ""
        let took = try await elapsed { id = try await harness.ec2.createVPC(cidr: "10.0.0.0/16", tags: [:]) }
        #expect(id == "vpc-0new")
        #expect(try harness.requests().count == 2)
        // Without the header the backoff would be at most 10 ms.
        #expect(took >= .milliseconds(950), "\(took)")
    }

    @Test("a Retry-After longer than the cap waits only the cap")
    func retryAfterCapped() async throws {
        let harness = try Harness([Response(status: 429, headers: ["Retry-After": "3600"])], default: Answers.describeVpcs)
        let took = try await elapsed { _ = try await harness.ec2.describeVPCs([]) }
        #expect(try harness.requests().count == 2)
        // Honoured in full it would take an hour; the bound is loose for a loaded machine.
        #expect(took < .seconds(120), "\(took)")
    }

    @Test(
        "a Retry-After that is no number of seconds is ignored, never fatal",
        arguments: [
            "Wed, 21 Oct 2015 07:28:00 GMT", "soon", "-3", "nan", "inf", "1e300", "99999999999999999999",
        ])
    func retryAfterGarbage(value: String) async throws {
        let harness = try Harness([Response(status: 429, headers: ["Retry-After": value])], default: Answers.describeVpcs)
        // The process survives (a trap here was the bug), and the retry happens.
        _ = try await harness.ec2.describeVPCs([])
        #expect(try harness.requests().count == 2)
    }

    // MARK: Signing

    @Test("every attempt is signed again: a retry a second later carries its own date and signature")
    func signedOnEveryAttempt() async throws {
        // The first answer takes 1.1 s, so the retry is signed in a later second.
        let harness = try Harness([Answers.ec2Error(503, "RequestLimitExceeded", delay: 1100)], default: Answers.describeVpcs)
        _ = try await harness.ec2.describeVPCs([])
        let requests = try harness.requests()
        try #require(requests.count == 2)
        for request in requests {
            try expectSigned(request, service: "ec2", server: harness.server)
            #expect(request.header("Host") == "127.0.0.1:\(harness.server.port)")
        }
        #expect(requests[0].header("X-Amz-Date") != requests[1].header("X-Amz-Date"))
        #expect(requests[0].header("Authorization") != requests[1].header("Authorization"))
        // One Authorization each: a re-signed request does not keep the old one.
        #expect(requests.allSatisfy { $0.headers.filter { $0.name.lowercased() == "authorization" }.count == 1 })
    }

    // MARK: Errors that are not retried

    @Test("400 InvalidParameterValue is not retried and surfaces as that AWSError")
    func invalidParameterNotRetried() async throws {
        let harness = try Harness([Answers.ec2Error(400, "InvalidParameterValue", "Value (10.0.0.0/33) for parameter cidrBlock is invalid.")])
        let error = try await #require(throws: AWSError.self) {
            _ = try await harness.ec2.createVPC(cidr: "10.0.0.0/33", tags: [:])
        }
        #expect(error.code == "InvalidParameterValue")
        #expect(error.status == 400)
        #expect(error.operation == "CreateVpc")
        #expect(error.message.contains("cidrBlock is invalid"))
        #expect(error.providerCode == .invalid)
        #expect(try harness.requests().count == 1)
        #expect(harness.transport.retriesSent == 0)
    }

    @Test("a 200 that is not XML is a MalformedResponse, an empty 200 is an empty answer")
    func malformedAnswer() async throws {
        let harness = try Harness([Response(status: 200, body: "<html><b>proxy</html>"), Response(status: 200)])
        let error = try await #require(throws: AWSError.self) { _ = try await harness.client.query(.ec2, "DescribeVpcs") }
        #expect(error.code == "MalformedResponse")
        let empty = try await harness.client.query(.ec2, "DeleteVpc", [("VpcId", "vpc-1")])
        #expect(empty.name == "DeleteVpcResponse")
        #expect(try harness.requests().count == 2)
    }

    // MARK: Route 53 pagination

    fileprivate static func recordSetsPage(_ sets: String, next: (name: String, type: String, identifier: String?)?) -> Response {
        var tail = "<IsTruncated>\(next == nil ? "false" : "true")</IsTruncated><MaxItems>300</MaxItems>"
        if let next {
            tail += "<NextRecordName>\(next.name)</NextRecordName><NextRecordType>\(next.type)</NextRecordType>"
            if let identifier = next.identifier { tail += "<NextRecordIdentifier>\(identifier)</NextRecordIdentifier>" }
        }
        return .xml(
            200,
            """
            <?xml version="1.0" encoding="UTF-8"?>
            <ListResourceRecordSetsResponse xmlns="https://route53.amazonaws.com/doc/2013-04-01/">
            <ResourceRecordSets>\(sets)</ResourceRecordSets>\(tail)</ListResourceRecordSetsResponse>
            """)
    }

    static func recordSet(_ name: String, _ type: String, ttl: Int, _ values: [String]) -> String {
        let records = values.map { "<ResourceRecord><Value>\($0)</Value></ResourceRecord>" }.joined()
        return
            "<ResourceRecordSet><Name>\(name)</Name><Type>\(type)</Type><TTL>\(ttl)</TTL><ResourceRecords>\(records)</ResourceRecords></ResourceRecordSet>"
    }

    @Test("listRecordSets follows IsTruncated with NextRecordName, NextRecordType and NextRecordIdentifier")
    func route53Pagination() async throws {
        let page1 = Self.recordSetsPage(
            Self.recordSet("example.com.", "A", ttl: 300, ["192.0.2.1"]) + Self.recordSet(#"\052.dev.example.com."#, "A", ttl: 60, ["192.0.2.250"]),
            next: (#"\052.mail.example.com."#, "MX", nil))
        let page2 = Self.recordSetsPage(
            Self.recordSet("*.mail.example.com.", "MX", ttl: 300, ["10 mx1.example.com.", "20 mx2.example.com."])
                + """
                <ResourceRecordSet><Name>www.example.com.</Name><Type>A</Type><SetIdentifier>blue</SetIdentifier><Weight>10</Weight>\
                <TTL>60</TTL><ResourceRecords><ResourceRecord><Value>192.0.2.10</Value></ResourceRecord></ResourceRecords></ResourceRecordSet>
                """,
            next: ("www.example.com.", "A", "green"))
        let page3 = Self.recordSetsPage(
            """
            <ResourceRecordSet><Name>www.example.com.</Name><Type>A</Type><SetIdentifier>green</SetIdentifier><Weight>90</Weight>\
            <TTL>60</TTL><ResourceRecords><ResourceRecord><Value>192.0.2.11</Value></ResourceRecord></ResourceRecords></ResourceRecordSet>\
            <ResourceRecordSet><Name>zz.example.com.</Name><Type>A</Type>\
            <AliasTarget><HostedZoneId>Z2FDTNDATAQYW2</HostedZoneId><DNSName>d111111abcdef8.cloudfront.net.</DNSName>\
            <EvaluateTargetHealth>false</EvaluateTargetHealth></AliasTarget></ResourceRecordSet>
            """,
            next: nil)
        let harness = try Harness([page1, page2, page3], default: Response(status: 500))
        let sets = try await harness.route53.listRecordSets(zoneID: "Z123EXAMPLE")
        #expect(
            sets == [
                Route53RecordSet(name: "example.com.", type: "A", ttl: 300, values: ["192.0.2.1"], isSpecial: false),
                Route53RecordSet(name: "*.dev.example.com.", type: "A", ttl: 60, values: ["192.0.2.250"], isSpecial: false),
                Route53RecordSet(
                    name: "*.mail.example.com.", type: "MX", ttl: 300, values: ["10 mx1.example.com.", "20 mx2.example.com."], isSpecial: false),
                Route53RecordSet(name: "www.example.com.", type: "A", ttl: 60, values: ["192.0.2.10"], isSpecial: true),
                Route53RecordSet(name: "www.example.com.", type: "A", ttl: 60, values: ["192.0.2.11"], isSpecial: true),
                Route53RecordSet(name: "zz.example.com.", type: "A", ttl: nil, values: [], isSpecial: true),
            ])

        let requests = try harness.requests()
        try #require(requests.count == 3)
        for request in requests {
            #expect(request.method == "GET")
            #expect(request.path == "/2013-04-01/hostedzone/Z123EXAMPLE/rrset")
            #expect(request.queryValue("maxitems") == "300")
            #expect(request.body.isEmpty)
            try expectSigned(request, service: "route53", server: harness.server)
        }
        #expect(requests[0].query.map(\.name) == ["maxitems"])
        // The name goes back as Route 53 wrote it, escape and all.
        #expect(requests[1].queryValue("name") == #"\052.mail.example.com."#)
        #expect(requests[1].queryValue("type") == "MX")
        #expect(requests[1].queryValue("identifier") == nil)
        #expect(requests[1].target.contains("name=%5C052.mail.example.com."))
        #expect(requests[2].queryValue("name") == "www.example.com.")
        #expect(requests[2].queryValue("type") == "A")
        #expect(requests[2].queryValue("identifier") == "green")
    }

    @Test("Route 53 PriorRequestNotComplete (400) is throttling: retried")
    func route53Throttling() async throws {
        let harness = try Harness(
            [Answers.queryError(400, "PriorRequestNotComplete", service: "route53", version: "2013-04-01")],
            default: Self.recordSetsPage(Self.recordSet("a.example.com.", "A", ttl: 300, ["192.0.2.1"]), next: nil))
        let sets = try await harness.route53.listRecordSets(zoneID: "Z1")
        #expect(sets.map(\.name) == ["a.example.com."])
        #expect(try harness.requests().count == 2)
        #expect(harness.transport.retriesSent == 1)
    }

    // MARK: EC2 rule fallbacks

    static let twoPermissions = [
        EC2Permission(ipProtocol: "tcp", fromPort: 443, toPort: 443, peer: .cidr("0.0.0.0/0")),
        EC2Permission(ipProtocol: "tcp", fromPort: 8000, toPort: 8010, peer: .group(id: "sg-0lb")),
    ]

    @Test("revoke: InvalidPermission.NotFound for the combined call falls back to one call per rule")
    func revokeFallback() async throws {
        let harness = try Harness(
            [Answers.ec2Error(400, "InvalidPermission.NotFound", "The specified rule does not exist in this security group.")], default: Answers.ok)
        try await harness.ec2.revoke(groupID: "sg-0web", ingress: true, Self.twoPermissions)

        let requests = try harness.requests()
        try #require(requests.count == 3)
        #expect(requests.allSatisfy { $0.formValue("Action") == "RevokeSecurityGroupIngress" && $0.formValue("GroupId") == "sg-0web" })
        let combined = requests[0].form.map(\.name).filter { $0.hasPrefix("IpPermissions.") }
        #expect(combined.contains("IpPermissions.1.IpRanges.1.CidrIp") && combined.contains("IpPermissions.2.Groups.1.GroupId"))
        // One rule each, in order, numbered 1.
        #expect(
            requests[1].form.filter { $0.name.hasPrefix("IpPermissions.") }.map { "\($0.name)=\($0.value)" } == [
                "IpPermissions.1.IpProtocol=tcp", "IpPermissions.1.FromPort=443", "IpPermissions.1.ToPort=443",
                "IpPermissions.1.IpRanges.1.CidrIp=0.0.0.0/0",
            ])
        #expect(
            requests[2].form.filter { $0.name.hasPrefix("IpPermissions.") }.map { "\($0.name)=\($0.value)" } == [
                "IpPermissions.1.IpProtocol=tcp", "IpPermissions.1.FromPort=8000", "IpPermissions.1.ToPort=8010",
                "IpPermissions.1.Groups.1.GroupId=sg-0lb",
            ])
        #expect(harness.transport.retriesSent == 0)
    }

    @Test("revoke: a rule already gone in the per-rule pass is skipped; another error is not")
    func revokeFallbackErrors() async throws {
        let notFound = Answers.ec2Error(400, "InvalidPermission.NotFound")
        let gone = try Harness([notFound, notFound], default: Answers.ok)
        try await gone.ec2.revoke(groupID: "sg-0web", ingress: false, Self.twoPermissions)
        let requests = try gone.requests()
        #expect(requests.count == 3)
        #expect(requests.allSatisfy { $0.formValue("Action") == "RevokeSecurityGroupEgress" })

        let denied = try Harness([notFound, Answers.ec2Error(403, "UnauthorizedOperation")], default: Answers.ok)
        let error = try await #require(throws: AWSError.self) {
            try await denied.ec2.revoke(groupID: "sg-0web", ingress: true, Self.twoPermissions)
        }
        #expect(error.code == "UnauthorizedOperation")
        #expect(error.providerCode == .unauthorized)
        #expect(try denied.requests().count == 2)
    }

    @Test("authorize: InvalidPermission.Duplicate for the combined call adds the rules one by one, skipping those that exist")
    func authorizeFallback() async throws {
        let duplicate = Answers.ec2Error(400, "InvalidPermission.Duplicate", "the specified rule already exists")
        let harness = try Harness([duplicate, duplicate], default: Answers.ok)
        try await harness.ec2.authorize(groupID: "sg-0web", ingress: true, Self.twoPermissions)
        let requests = try harness.requests()
        try #require(requests.count == 3)
        #expect(requests.allSatisfy { $0.formValue("Action") == "AuthorizeSecurityGroupIngress" })
        #expect(requests[2].formValue("IpPermissions.1.Groups.1.GroupId") == "sg-0lb")
        #expect(requests[2].formValue("IpPermissions.2.IpProtocol") == nil)
    }

    // MARK: The scripted server itself

    @Test("the scripted server reports over GET /_log what requests() reads, and /_log uses up no answer")
    func scriptedServerLog() async throws {
        let harness = try Harness([Response(status: 201, body: "first")], default: Response(status: 204))
        let http = HTTPClient(maxConcurrent: 1)
        let log0 = try await http.send(HTTPRequest(url: harness.server.url + "/_log"))
        #expect(log0.status == 200 && log0.text == "[]")
        let first = try await http.send(
            HTTPRequest(method: "PUT", url: harness.server.url + "/a?x=%20y", headers: [(name: "X-Test", value: "1")], body: Data("body".utf8)))
        #expect(first.status == 201 && first.text == "first")
        #expect(try await http.send(HTTPRequest(url: harness.server.url + "/b")).status == 204)

        let log = try await http.send(HTTPRequest(url: harness.server.url + "/_log"))
        let entries = try #require(try JSONSerialization.jsonObject(with: log.body) as? [[String: Any]])
        #expect(entries.map { $0["target"] as? String } == ["/a?x=%20y", "/b"])
        let requests = try harness.requests()
        #expect(requests.map(\.target) == ["/a?x=%20y", "/b"])
        #expect(requests.map(\.method) == ["PUT", "GET"])
        #expect(requests.map(\.scripted) == [0, nil])
        #expect(requests[0].body == "body" && requests[0].header("x-test") == "1" && requests[0].queryValue("x") == " y")
        #expect(requests[0].path == "/a")
    }

    // MARK: IAM read path

    @Test("getRole: a URL-encoded trust policy with shuffled keys reads back as the desired-state shape")
    func getRoleTrust() async throws {
        let encoded = AWSQuery.percentEncode(IAMMappingTests.liveTrustJSON)
        let harness = try Harness([.xml(200, IAMMappingTests.getRoleAnswer(encoded))])
        let role = try #require(try await harness.iam.getRole("deployer"))
        #expect(role.trust == RoleSpec(trust: IAMMappingTests.desiredTrust).trust)
        #expect(role.name == "deployer")
        #expect(role.id == "AROADBQP57FF2AEXAMPLE")
        #expect(role.path == "/ci/")
        #expect(role.description == "Deploys from CI")
        #expect(role.tags == ["plumb:stack": "test", "team": "platform"])
        let request = try #require(try harness.requests().first)
        #expect(request.formValue("Action") == "GetRole")
        #expect(request.formValue("RoleName") == "deployer")
    }

    @Test("getRole: NoSuchEntity is no role, not an error")
    func getRoleMissing() async throws {
        let harness = try Harness([Answers.queryError(404, "NoSuchEntity")])
        #expect(try await harness.iam.getRole("ghost") == nil)
        #expect(try harness.requests().count == 1)
    }
}
