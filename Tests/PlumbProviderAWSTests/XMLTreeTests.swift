import Foundation
import Testing

@testable import PlumbProviderAWS

/// Spelled with the module: on macOS Foundation has an `XMLElement` class of its own.
private typealias Tree = PlumbProviderAWS.XMLElement

private func parse(_ text: String) -> Tree? { Tree.parse(Data(text.utf8)) }

@Suite("XMLTree")
struct XMLTreeTests {
    static let describeVpcs = """
        <?xml version="1.0" encoding="UTF-8"?>
        <DescribeVpcsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
            <requestId>7a62c49f-347e-4fc4-9331-6e8eEXAMPLE</requestId>
            <vpcSet>
                <item>
                    <vpcId>vpc-0a60eb65b4EXAMPLE</vpcId>
                    <ownerId>111122223333</ownerId>
                    <state>available</state>
                    <cidrBlock>10.0.0.0/16</cidrBlock>
                    <cidrBlockAssociationSet>
                        <item>
                            <cidrBlock>10.0.0.0/16</cidrBlock>
                            <associationId>vpc-cidr-assoc-08f2e6e7d5EXAMPLE</associationId>
                            <cidrBlockState>
                                <state>associated</state>
                            </cidrBlockState>
                        </item>
                    </cidrBlockAssociationSet>
                    <dhcpOptionsId>dopt-19edf471</dhcpOptionsId>
                    <tagSet>
                        <item>
                            <key>Name</key>
                            <value>prod &amp; staging &lt;eu&gt;</value>
                        </item>
                        <item>
                            <key>plumb:managed</key>
                            <value>true</value>
                        </item>
                    </tagSet>
                    <instanceTenancy>default</instanceTenancy>
                    <isDefault>false</isDefault>
                </item>
                <item>
                    <vpcId>vpc-06e4ab6c6cEXAMPLE</vpcId>
                    <ownerId>111122223333</ownerId>
                    <state>available</state>
                    <cidrBlock>172.31.0.0/16</cidrBlock>
                    <tagSet/>
                    <isDefault>true</isDefault>
                </item>
            </vpcSet>
        </DescribeVpcsResponse>
        """

    @Test func describeVpcs() throws {
        let root = try #require(parse(Self.describeVpcs))
        #expect(root.name == "DescribeVpcsResponse")
        #expect(root.value("requestId") == "7a62c49f-347e-4fc4-9331-6e8eEXAMPLE")

        let vpcs = root.items("vpcSet")
        try #require(vpcs.count == 2)
        #expect(vpcs.map { $0.value("vpcId") } == ["vpc-0a60eb65b4EXAMPLE", "vpc-06e4ab6c6cEXAMPLE"])
        #expect(vpcs.map { $0.value("isDefault") } == ["false", "true"])
        #expect(vpcs[0].value("cidrBlock") == "10.0.0.0/16")

        // Nested lists: the association's own <item>, and a path through it.
        let associations = vpcs[0].items("cidrBlockAssociationSet")
        #expect(associations.count == 1)
        #expect(associations.first?.value("cidrBlockState", "state") == "associated")
        #expect(associations.first?.value("associationId") == "vpc-cidr-assoc-08f2e6e7d5EXAMPLE")

        // Tags, with entities decoded.
        let tags = vpcs[0].items("tagSet").map { ($0.value("key") ?? "?", $0.value("value") ?? "?") }
        #expect(tags.map(\.0) == ["Name", "plumb:managed"])
        #expect(tags.map(\.1) == ["prod & staging <eu>", "true"])
        #expect(vpcs[1].items("tagSet").isEmpty)
        #expect(vpcs[1].items("noSuchList").isEmpty)

        // A container's text is its own text, whitespace between children excluded.
        #expect(root.child("vpcSet")?.text == "")
        #expect(vpcs[0].value("tagSet") == "")
        #expect(vpcs[0].value("noSuchChild") == nil)
        #expect(vpcs[0].value("cidrBlockState", "state") == nil)

        // Depth first, nested items included.
        #expect(root.descendants("vpcId").map(\.text) == ["vpc-0a60eb65b4EXAMPLE", "vpc-06e4ab6c6cEXAMPLE"])
        #expect(root.descendants("cidrBlock").map(\.text) == ["10.0.0.0/16", "10.0.0.0/16", "172.31.0.0/16"])
        #expect(root.descendants("item").count == 5)
        #expect(root.child("vpcSet")?.children("item").count == 2)
    }

    /// Prefixed names are local names; namespaces (AWS's or moto's) do not matter.
    @Test func prefixedNamespace() throws {
        let root = try #require(
            parse(
                """
                <ec2:DescribeVpcsResponse xmlns:ec2="http://ec2.amazonaws.com/doc/2016-11-15">\
                <ec2:vpcSet><ec2:item><ec2:vpcId>vpc-1</ec2:vpcId></ec2:item></ec2:vpcSet>\
                </ec2:DescribeVpcsResponse>
                """))
        #expect(root.name == "DescribeVpcsResponse")
        #expect(root.items("vpcSet").first?.value("vpcId") == "vpc-1")
    }

    @Test func iamListWithMembers() throws {
        let root = try #require(
            parse(
                """
                <ListRolesResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">
                  <ListRolesResult>
                    <IsTruncated>false</IsTruncated>
                    <Roles>
                      <member>
                        <Path>/plumb/</Path>
                        <RoleName>web</RoleName>
                        <AssumeRolePolicyDocument>%7B%22Version%22%3A%222012-10-17%22%7D</AssumeRolePolicyDocument>
                      </member>
                      <member><Path>/</Path><RoleName>db</RoleName></member>
                    </Roles>
                  </ListRolesResult>
                  <ResponseMetadata><RequestId>4a93ceee-9966-11e1-b624-b1aEXAMPLE7c</RequestId></ResponseMetadata>
                </ListRolesResponse>
                """))
        let result = try #require(root.child("ListRolesResult"))
        #expect(result.value("IsTruncated") == "false")
        #expect(result.items("Roles").map { $0.value("RoleName") } == ["web", "db"])
        #expect(result.items("Roles").first?.value("AssumeRolePolicyDocument") == "%7B%22Version%22%3A%222012-10-17%22%7D")
        #expect(root.value("ResponseMetadata", "RequestId") == "4a93ceee-9966-11e1-b624-b1aEXAMPLE7c")
    }

    @Test func iamErrorResponse() throws {
        let root = try #require(
            parse(
                """
                <?xml version="1.0" encoding="UTF-8"?>
                <ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">
                  <Error>
                    <Type>Sender</Type>
                    <Code>NoSuchEntity</Code>
                    <Message>The role with name plumb-web cannot be found.</Message>
                  </Error>
                  <RequestId>8b1ce2f6-6a3b-4cf1-9a6d-EXAMPLE</RequestId>
                </ErrorResponse>
                """))
        #expect(root.name == "ErrorResponse")
        #expect(root.value("Error", "Type") == "Sender")
        #expect(root.value("Error", "Code") == "NoSuchEntity")
        #expect(root.value("Error", "Message") == "The role with name plumb-web cannot be found.")
        #expect(root.value("RequestId") == "8b1ce2f6-6a3b-4cf1-9a6d-EXAMPLE")
    }

    @Test func ec2ErrorResponse() throws {
        let root = try #require(
            parse(
                """
                <?xml version="1.0" encoding="UTF-8"?>
                <Response><Errors><Error><Code>InvalidVpcID.NotFound</Code><Message>The vpc ID &apos;vpc-1&apos; does not exist</Message></Error></Errors><RequestID>ea966190-f9aa-478e-9ede-EXAMPLE</RequestID></Response>
                """))
        #expect(root.name == "Response")
        #expect(root.value("Errors", "Error", "Code") == "InvalidVpcID.NotFound")
        #expect(root.value("Errors", "Error", "Message") == "The vpc ID 'vpc-1' does not exist")
        #expect(root.value("RequestID") == "ea966190-f9aa-478e-9ede-EXAMPLE")
        #expect(root.descendants("Error").count == 1)
        #expect(root.descendants("Error").first?.value("Code") == "InvalidVpcID.NotFound")
    }

    @Test(arguments: [
        "",
        "not xml at all",
        "<a><b></a>",
        "<a>",
        // FoundationXML on Linux reports content after the root element through
        // parserError while parse() still returns true.
        "<a></a><b></b>",
        "<a></a>trailing",
        "<a x=\"1\" x=\"2\"/>",
        "<a>&undefined;</a>",
        "<DescribeVpcsResponse><vpcSet><item><vpcId>vpc-1</vpcId></item>",
    ])
    func malformedIsNil(text: String) {
        #expect(parse(text) == nil)
    }

    @Test func entitiesAndCharacterReferences() throws {
        let root = try #require(
            parse("<Message>a &amp; b &lt;c&gt; &quot;d&quot; &apos;e&apos; caf&#233; &#x41;&amp;&amp;</Message>"))
        #expect(root.text == "a & b <c> \"d\" 'e' caf\u{E9} A&&")
    }

    @Test func cdataAttributesAndLeafWhitespace() throws {
        let root = try #require(
            parse("<r kind=\"x &amp; y\"><c><![CDATA[x < y & z]]></c><s>  padded  </s><e/></r>"))
        #expect(root.attributes["kind"] == "x & y")
        #expect(root.value("c") == "x < y & z")
        // A leaf keeps its text as sent.
        #expect(root.value("s") == "  padded  ")
        #expect(root.value("e") == "")
    }

    @Test func nonASCII() throws {
        let root = try #require(parse("<v>gr\u{FC}\u{DF}e \u{1234} \u{1F600}</v>"))
        #expect(root.text == "gr\u{FC}\u{DF}e \u{1234} \u{1F600}")
    }
}
