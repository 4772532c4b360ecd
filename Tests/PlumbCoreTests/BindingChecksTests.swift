import PlumbTestSupport
import Testing

@testable import PlumbCore

/// Binding values `validate` can check without the network (#23): each refused at its
/// position, by code, instead of failing later at `plan` with no position.
@Suite("Binding checks")
struct BindingChecksTests {
    static let zone = ["Desired/z.yaml": "provider: dns\nzone: example.com.\nrecords: {www: {type: A, value: 192.0.2.1}}\n"]

    static func input(_ id: String, _ binding: String, _ expected: [Pinned], suggestion: String? = nil) -> BrokenInput {
        var files = zone
        files["Providers/dns.yaml"] = binding
        return BrokenInput(id: id, files: files, expected: expected, suggestion: suggestion.map { (.invalidValue, $0) })
    }

    static let cases: [BrokenInput] = [
        input(
            "powerdns-empty-api-key", "kind: powerdns\nurl: http://127.0.0.1:8081\napi_key: \"\"\n",
            [Pinned(.invalidValue, "Providers/dns.yaml", 3, 10)]),
        input(
            "powerdns-empty-api-key-from-env-default", "kind: powerdns\nurl: http://127.0.0.1:8081\napi_key: ${TEST_UNSET_PDNS_KEY:-}\n",
            [Pinned(.invalidValue, "Providers/dns.yaml", 3, 10)]),
        input("powerdns-url-not-a-url", "kind: powerdns\nurl: htp:/bad\napi_key: k\n", [Pinned(.invalidValue, "Providers/dns.yaml", 2, 6)]),
        input("powerdns-url-without-host", "kind: powerdns\nurl: http://\napi_key: k\n", [Pinned(.invalidValue, "Providers/dns.yaml", 2, 6)]),
        input("aws-region-typo", "kind: aws\nregion: us-esat-1\n", [Pinned(.invalidValue, "Providers/dns.yaml", 2, 9)], suggestion: "us-east-1"),
        input("aws-region-nonsense", "kind: aws\nregion: mars\n", [Pinned(.invalidValue, "Providers/dns.yaml", 2, 9)]),
        input(
            "aws-endpoint-not-a-url", "kind: aws\nregion: us-east-1\nendpoint: localhost:5000\n", [Pinned(.invalidValue, "Providers/dns.yaml", 3, 11)]
        ),
    ]

    @Test("a binding value that cannot work is refused at its position", arguments: cases)
    func refused(_ input: BrokenInput) throws {
        let diagnostics = try CoreFixtures.diagnostics(input.tree, environment: input.environment)
        #expect(diagnostics.map(Pinned.init) == input.expected)
        if let (code, word) = input.suggestion {
            #expect(diagnostics.first { $0.code == code }?.hint?.contains(word) == true)
        }
    }

    @Test("values that work pass: an empty endpoint (AWS itself), a region newer than the list, https")
    func accepted() throws {
        for binding in [
            "kind: aws\nregion: us-east-1\nendpoint: \"\"\n", "kind: aws\nregion: xx-newplace-7\n",
            "kind: powerdns\nurl: https://dns.example.net:8443/\napi_key: k\nserver: localhost\n",
        ] {
            var files = Self.zone
            files["Providers/dns.yaml"] = binding
            #expect(try CoreFixtures.diagnostics(BrokenInput(id: "ok", files: files, expected: []).tree).isEmpty, "\(binding)")
        }
    }
}

/// One root cause, one error (#23): what depends on a declaration that has errors of its own,
/// or names a binding that failed to load, is not also reported as missing.
@Suite("No cascades")
struct CascadeTests {
    @Test("an invalid VPC CIDR is one error, not one more for every subnet and group in it")
    func invalidVPC() throws {
        let tree = Fixtures.tree([
            "net.yaml": """
            provider: main
            vpcs:
              main: {cidr: 10.0.0.0/33}
            subnets:
              a: {vpc: main, cidr: 10.0.1.0/24, zone: us-east-1a}
              b: {vpc: main, cidr: 10.0.2.0/24, zone: us-east-1a}
            security_groups:
              web: {vpc: main, ingress: [{protocol: tcp, ports: 443, from: subnet/a}]}

            """
        ])
        let diagnostics = try CoreFixtures.diagnostics(tree)
        #expect(diagnostics.map(Pinned.init) == [Pinned(.cidr, "Desired/net.yaml", 3, 16)], "\(diagnostics)")
    }

    @Test("an invalid subnet is one error, not one more at every rule naming it")
    func invalidSubnet() throws {
        let tree = Fixtures.tree([
            "net.yaml": """
            provider: main
            vpcs:
              main: {cidr: 10.0.0.0/16}
            subnets:
              a: {vpc: main, cidr: 10.0.1.0/24}
            security_groups:
              web: {vpc: main, ingress: [{protocol: tcp, ports: 443, from: subnet/a}]}

            """
        ])
        let diagnostics = try CoreFixtures.diagnostics(tree)
        #expect(diagnostics.map(\.code) == [.missingKey], "\(diagnostics)")
    }

    @Test("a binding kind typo is one error at the kind, not 'provider is not defined' at every document")
    func bindingKindTypo() throws {
        let tree = MemoryTree([
            "Providers/dns.yaml": "kind: embeded\n",
            "Desired/a.yaml": "provider: dns\nzone: a.example.\nrecords: {www: {type: A, value: 192.0.2.1}}\n",
            "Desired/b.yaml": "provider: dns\nzone: b.example.\nrecords: {www: {type: A, value: 192.0.2.1}}\n",
        ])
        let diagnostics = try CoreFixtures.diagnostics(tree)
        #expect(diagnostics.map(Pinned.init) == [Pinned(.invalidValue, "Providers/dns.yaml", 1, 7)], "\(diagnostics)")
        #expect(diagnostics.first?.hint?.contains("embedded") == true)
    }

    @Test("a duplicate key in a binding is one error at the repeat, not also 'binding is empty'")
    func bindingDuplicateKey() throws {
        let tree = MemoryTree([
            "Providers/dns.yaml": "kind: embedded\npath: dns.sqlite\npath: other.sqlite\n",
            "Desired/a.yaml": "provider: dns\nzone: a.example.\nrecords: {www: {type: A, value: 192.0.2.1}}\n",
        ])
        let diagnostics = try CoreFixtures.diagnostics(tree)
        #expect(diagnostics.map(Pinned.init) == [Pinned(.duplicate, "Providers/dns.yaml", 3, 1)], "\(diagnostics)")
        #expect(diagnostics.first?.message.contains("first at line 2") == true)
    }

    @Test(
        "an unclosed flow collection is one error at its bracket, not at the line libyaml stopped on",
        arguments: [
            ("zone: a.example.\nrecords:\n  www: {type: A, value: 192.0.2.1\n  mail: {type: A, value: 192.0.2.2}\n", 3, 8),
            ("zone: a.example.\nrecords:\n  www:\n    - type: A\n      values: [192.0.2.1, 192.0.2.2\n    - type: TXT\n", 5, 15),
        ])
    func unclosedFlow(_ document: String, _ line: Int, _ column: Int) throws {
        let tree = Fixtures.tree(["dns.yaml": "provider: main\n" + document])
        let diagnostics = try CoreFixtures.diagnostics(tree)
        #expect(diagnostics.map(Pinned.init) == [Pinned(.syntax, "Desired/dns.yaml", line + 1, column)], "\(diagnostics)")
        #expect(diagnostics.first?.message.contains("never closed") == true)
    }

    @Test("a reference to a name nobody declares is still reported")
    func stillMissing() throws {
        let tree = Fixtures.tree(["net.yaml": "provider: main\nsubnets:\n  a: {vpc: nowhere, cidr: 10.0.1.0/24, zone: us-east-1a}\n"])
        #expect(try CoreFixtures.diagnostics(tree).map(\.code) == [.unresolvedReference])
    }
}
