import PlumbTestSupport
import Testing

@testable import PlumbCore

/// One diagnostic as the tests pin it down: code and position, never the message.
struct Pinned: Equatable, Sendable, CustomStringConvertible {
    var code: Diagnostic.Code
    var file: String
    var line: Int
    var column: Int

    init(_ code: Diagnostic.Code, _ file: String, _ line: Int, _ column: Int) {
        self.code = code
        self.file = file
        self.line = line
        self.column = column
    }

    init(_ diagnostic: Diagnostic) {
        self.init(diagnostic.code, diagnostic.location?.file ?? "-", diagnostic.location?.line ?? 0, diagnostic.location?.column ?? 0)
    }

    var description: String { "\(code) at \(file):\(line):\(column)" }
}

/// A repository with one defect, named for it.
struct BrokenInput: CustomTestStringConvertible, Sendable {
    var id: String
    /// Repository files; `Providers/main.yaml` (embedded) is added unless given.
    var files: [String: String]
    var environment: [String: String] = [:]
    /// Every diagnostic expected, sorted by position.
    var expected: [Pinned]
    /// A "did you mean" hint: the diagnostic of this code must suggest this word.
    var suggestion: (code: Diagnostic.Code, word: String)?
    /// A hint (not a guess) the diagnostic of this code must hold, e.g. the fixed value.
    var hint: (code: Diagnostic.Code, text: String)?

    var testDescription: String { id }

    var tree: MemoryTree {
        var all = ["Providers/main.yaml": "kind: embedded\n"]
        all.merge(files) { _, new in new }
        return MemoryTree(all)
    }

    static let vpcMain = "provider: main\nvpcs:\n  main: {cidr: 10.0.0.0/16}\n"
}

@Suite("Broken inputs")
struct BrokenInputTests {
    static let cases: [BrokenInput] = [
        BrokenInput(
            id: "cname-beside-a",
            files: [
                "Desired/dns.yaml": """
                provider: main
                zone: example.com.
                records:
                  www:
                    - type: A
                      value: 192.0.2.1
                    - type: CNAME
                      value: other.example.com.
                """
            ], expected: [Pinned(.cnameConflict, "Desired/dns.yaml", 7, 7)]),
        BrokenInput(
            id: "cname-at-apex",
            files: [
                "Desired/dns.yaml": """
                provider: main
                zone: example.com.
                records:
                  "@":
                    type: CNAME
                    value: other.example.net.
                """
            ], expected: [Pinned(.cnameConflict, "Desired/dns.yaml", 5, 5)]),
        BrokenInput(
            id: "cname-with-two-targets",
            files: [
                "Desired/dns.yaml": """
                provider: main
                zone: example.com.
                records:
                  www:
                    type: CNAME
                    values: [a.example.com., b.example.com.]
                """
            ], expected: [Pinned(.cnameConflict, "Desired/dns.yaml", 5, 5)]),
        BrokenInput(
            id: "apex-ns",
            files: [
                "Desired/dns.yaml": """
                provider: main
                zone: example.com.
                records:
                  "@":
                    type: NS
                    value: ns1.example.net.
                """
            ], expected: [Pinned(.invalidValue, "Desired/dns.yaml", 5, 5)]),
        BrokenInput(
            id: "dangling-subnet-ref",
            files: [
                "Desired/net.yaml": """
                provider: main
                vpcs:
                  main:
                    cidr: 10.0.0.0/16
                security_groups:
                  web:
                    vpc: main
                    ingress:
                      - protocol: tcp
                        ports: 443
                        from: subnet/web-z
                """
            ], expected: [Pinned(.unresolvedReference, "Desired/net.yaml", 11, 15)]),
        BrokenInput(
            id: "dangling-vpc-ref-mian",
            files: [
                "Desired/net.yaml": """
                provider: main
                vpcs:
                  main:
                    cidr: 10.0.0.0/16
                subnets:
                  web-a:
                    vpc: mian
                    cidr: 10.0.1.0/24
                    zone: us-east-1a
                """
            ], expected: [Pinned(.unresolvedReference, "Desired/net.yaml", 7, 10)],
            suggestion: (.unresolvedReference, "main")),
        BrokenInput(
            id: "group-references-group-in-other-vpc",
            files: [
                "Desired/net.yaml": """
                provider: main
                vpcs:
                  a: {cidr: 10.0.0.0/16}
                  b: {cidr: 10.1.0.0/16}
                security_groups:
                  db: {vpc: b}
                  web:
                    vpc: a
                    ingress:
                      - protocol: tcp
                        ports: 443
                        from: security_group/db
                """
            ], expected: [Pinned(.unresolvedReference, "Desired/net.yaml", 12, 15)]),
        BrokenInput(
            id: "unknown-key-valeus",
            files: [
                "Desired/dns.yaml": """
                provider: main
                zone: example.com.
                records:
                  www:
                    type: A
                    valeus: [192.0.2.1]
                """
            ],
            expected: [
                // The key is dropped, so the record also has no value left.
                Pinned(.missingKey, "Desired/dns.yaml", 5, 5),
                Pinned(.unknownKey, "Desired/dns.yaml", 6, 5),
            ], suggestion: (.unknownKey, "values")),
        BrokenInput(
            id: "unknown-top-level-key-recrods",
            files: [
                "Desired/dns.yaml": """
                provider: main
                zone: example.com.
                recrods:
                  www: {type: A, value: 192.0.2.1}
                """
            ], expected: [Pinned(.unknownKey, "Desired/dns.yaml", 3, 1)], suggestion: (.unknownKey, "records")),
        BrokenInput(
            id: "bad-a-value",
            files: [
                "Desired/dns.yaml": """
                provider: main
                zone: example.com.
                records:
                  www:
                    type: A
                    values:
                      - 192.0.2.1
                      - 192.0.2.300
                """
            ], expected: [Pinned(.invalidValue, "Desired/dns.yaml", 8, 9)]),
        BrokenInput(
            id: "unqualified-cname-target",
            files: [
                "Desired/dns.yaml": """
                provider: main
                zone: example.com.
                records:
                  api:
                    type: CNAME
                    value: www.example.com
                """
            ], expected: [Pinned(.invalidValue, "Desired/dns.yaml", 6, 12)], hint: (.invalidValue, "'www.example.com.'")),
        BrokenInput(
            id: "mx-without-preference",
            files: [
                "Desired/dns.yaml": """
                provider: main
                zone: example.com.
                records:
                  "@":
                    type: MX
                    value: mail.example.com.
                """
            ], expected: [Pinned(.invalidValue, "Desired/dns.yaml", 6, 12)]),
        // SPF is a known type since #20: HINFO is still one Plumb does not know.
        BrokenInput(
            id: "unknown-record-type-hinfo",
            files: [
                "Desired/dns.yaml": """
                provider: main
                zone: example.com.
                records:
                  "@":
                    type: HINFO
                    value: PC Linux
                """
            ], expected: [Pinned(.invalidValue, "Desired/dns.yaml", 5, 11)]),
        BrokenInput(
            id: "both-value-and-values",
            files: [
                "Desired/dns.yaml": """
                provider: main
                zone: example.com.
                records:
                  www:
                    type: A
                    value: 192.0.2.1
                    values: [192.0.2.2]
                """
            ], expected: [Pinned(.invalidValue, "Desired/dns.yaml", 7, 5)]),
        BrokenInput(
            id: "record-name-fully-qualified",
            files: [
                "Desired/dns.yaml": """
                provider: main
                zone: example.com.
                records:
                  www.example.com.:
                    type: A
                    value: 192.0.2.1
                """
            ], expected: [Pinned(.invalidValue, "Desired/dns.yaml", 4, 3)], hint: (.invalidValue, "'www'")),
        BrokenInput(
            id: "records-as-a-list",
            files: [
                "Desired/dns.yaml": """
                provider: main
                zone: example.com.
                records:
                  - www: {type: A, value: 192.0.2.1}
                """
            ], expected: [Pinned(.wrongType, "Desired/dns.yaml", 4, 3)]),
        BrokenInput(
            id: "record-name-not-a-string",
            files: [
                "Desired/dns.yaml": """
                provider: main
                zone: example.com.
                records:
                  www: {type: A, value: 192.0.2.1}
                  [a, b]: {type: A, value: 192.0.2.2}
                  api: {type: A, value: 192.0.2.3}
                """
            ], expected: [Pinned(.wrongType, "Desired/dns.yaml", 5, 3)]),
        BrokenInput(
            id: "zone-not-fully-qualified",
            files: [
                "Desired/dns.yaml": """
                provider: main
                zone: example.com
                """
            ], expected: [Pinned(.invalidValue, "Desired/dns.yaml", 2, 7)], hint: (.invalidValue, "'example.com.'")),
        BrokenInput(
            id: "subnet-outside-vpc",
            files: [
                "Desired/net.yaml": """
                provider: main
                vpcs:
                  main:
                    cidr: 10.0.0.0/16
                subnets:
                  web-b:
                    vpc: main
                    cidr: 10.1.0.0/24
                    zone: us-east-1a
                """
            ], expected: [Pinned(.cidr, "Desired/net.yaml", 6, 3)]),
        BrokenInput(
            id: "overlapping-subnets",
            files: [
                "Desired/net.yaml": """
                provider: main
                vpcs:
                  main:
                    cidr: 10.0.0.0/16
                subnets:
                  a: {vpc: main, cidr: 10.0.1.0/24, zone: z}
                  b: {vpc: main, cidr: 10.0.1.128/25, zone: z}
                """
            ], expected: [Pinned(.cidr, "Desired/net.yaml", 7, 3)]),
        BrokenInput(
            id: "host-bits-set",
            files: [
                "Desired/net.yaml": """
                provider: main
                vpcs:
                  main:
                    cidr: 10.0.0.5/16
                """
            ], expected: [Pinned(.cidr, "Desired/net.yaml", 4, 11)]),
        BrokenInput(
            id: "vpc-prefix-too-wide",
            files: [
                "Desired/net.yaml": """
                provider: main
                vpcs:
                  main:
                    cidr: 10.0.0.0/8
                """
            ], expected: [Pinned(.cidr, "Desired/net.yaml", 4, 11)]),
        BrokenInput(
            id: "tcp-rule-without-ports",
            files: [
                "Desired/net.yaml": """
                provider: main
                vpcs:
                  main: {cidr: 10.0.0.0/16}
                security_groups:
                  web:
                    vpc: main
                    ingress:
                      - protocol: tcp
                        from: 0.0.0.0/0
                """
            ], expected: [Pinned(.missingKey, "Desired/net.yaml", 8, 9)]),
        BrokenInput(
            id: "ports-on-icmp",
            files: [
                "Desired/net.yaml": """
                provider: main
                vpcs:
                  main: {cidr: 10.0.0.0/16}
                security_groups:
                  web:
                    vpc: main
                    ingress:
                      - protocol: icmp
                        ports: 8
                        from: 0.0.0.0/0
                """
            ], expected: [Pinned(.invalidValue, "Desired/net.yaml", 9, 16)]),
        BrokenInput(
            id: "tag-managed-by-plumb",
            files: [
                "Desired/net.yaml": """
                provider: main
                vpcs:
                  main:
                    cidr: 10.0.0.0/16
                    tags: {Name: main}
                """
            ], expected: [Pinned(.invalidValue, "Desired/net.yaml", 5, 11)]),
        BrokenInput(
            id: "zone-and-vpcs-in-one-document",
            files: [
                "Desired/mixed.yaml": """
                provider: main
                zone: example.com.
                vpcs:
                  main: {cidr: 10.0.0.0/16}
                """
            ], expected: [Pinned(.invalidValue, "Desired/mixed.yaml", 1, 1)]),
        BrokenInput(
            id: "policy-without-statement",
            files: [
                "Desired/iam.yaml": """
                provider: main
                roles:
                  ci:
                    trust:
                      Version: "2012-10-17"
                """
            ], expected: [Pinned(.missingKey, "Desired/iam.yaml", 5, 7)]),
        BrokenInput(
            id: "bad-policy-version",
            files: [
                "Desired/iam.yaml": """
                provider: main
                roles:
                  ci:
                    trust:
                      Version: "2012-10-18"
                      Statement: []
                """
            ], expected: [Pinned(.invalidValue, "Desired/iam.yaml", 5, 16)]),
        BrokenInput(
            id: "role-path-without-slashes",
            files: [
                "Desired/iam.yaml": """
                provider: main
                roles:
                  ci:
                    path: ci
                    trust:
                      Statement: []
                """
            ], expected: [Pinned(.invalidValue, "Desired/iam.yaml", 4, 11)]),
        BrokenInput(
            id: "check-with-two-probes",
            files: [
                "Desired/checks.yaml": """
                checks:
                  smoke:
                    command: [true]
                    tcp: {host: h, port: 1}
                """
            ], expected: [Pinned(.missingKey, "Desired/checks.yaml", 3, 5)]),
        BrokenInput(
            id: "bad-check-timeout",
            files: [
                "Desired/checks.yaml": """
                checks:
                  smoke:
                    command: [true]
                    timeout: soon
                """
            ], expected: [Pinned(.invalidValue, "Desired/checks.yaml", 4, 14)]),
        BrokenInput(
            id: "duplicate-check-across-files",
            files: [
                "Desired/a.yaml": "checks:\n  smoke:\n    command: [true]\n",
                "Desired/b.yaml": "checks:\n  smoke:\n    command: [true]\n",
            ], expected: [Pinned(.duplicate, "Desired/b.yaml", 2, 3)]),
        BrokenInput(
            id: "duplicate-address-across-files",
            files: [
                "Desired/a.yaml": BrokenInput.vpcMain,
                "Desired/b.yaml": BrokenInput.vpcMain,
            ], expected: [Pinned(.duplicate, "Desired/b.yaml", 3, 3)]),
        BrokenInput(
            id: "yaml-syntax-error",
            files: [
                "Desired/dns.yaml": """
                provider: main
                zone: example.com.
                records:
                  www:
                    type: A
                   value: 192.0.2.1
                """
            ], expected: [Pinned(.syntax, "Desired/dns.yaml", 6, 4)]),
        BrokenInput(
            id: "missing-provider",
            files: [
                "Providers/cloud.yaml": "kind: embedded\n",
                "Desired/net.yaml": "provider: clod\nvpcs:\n  main: {cidr: 10.0.0.0/16}\n",
            ], expected: [Pinned(.unresolvedReference, "Desired/net.yaml", 1, 11)], suggestion: (.unresolvedReference, "cloud")),
        BrokenInput(
            id: "no-provider-key", files: ["Desired/net.yaml": "vpcs:\n  main: {cidr: 10.0.0.0/16}\n"],
            expected: [Pinned(.missingKey, "Desired/net.yaml", 1, 1)]),
        BrokenInput(
            id: "provider-not-serving-kind",
            files: [
                "Providers/dns.yaml": "kind: powerdns\nurl: http://127.0.0.1:8081\napi_key: literal\n",
                "Desired/net.yaml": "provider: dns\nvpcs:\n  main: {cidr: 10.0.0.0/16}\n",
            ], expected: [Pinned(.unsupportedKind, "Desired/net.yaml", 1, 11)]),
        BrokenInput(
            id: "unset-env-var",
            files: [
                "Providers/pdns.yaml": "kind: powerdns\nurl: http://127.0.0.1:8081\napi_key: ${PDNS_API_KEY}\n",
                "Desired/net.yaml": BrokenInput.vpcMain,
            ], expected: [Pinned(.environment, "Providers/pdns.yaml", 3, 10)]),
        BrokenInput(
            id: "binding-reads-plumb-secret",
            files: [
                "Providers/pdns.yaml": "kind: powerdns\nurl: http://127.0.0.1:8081\napi_key: ${PLUMB_WEBHOOK_SECRET}\n",
                "Desired/net.yaml": BrokenInput.vpcMain,
            ], expected: [Pinned(.forbidden, "Providers/pdns.yaml", 3, 10)]),
        BrokenInput(
            id: "binding-reads-plumb-secret-with-default",
            files: [
                "Providers/pdns.yaml": "kind: powerdns\nurl: http://x/${plumb_github_token:-none}\napi_key: k\n",
                "Desired/net.yaml": BrokenInput.vpcMain,
            ], expected: [Pinned(.forbidden, "Providers/pdns.yaml", 2, 6)]),
        BrokenInput(
            id: "embedded-path-absolute",
            files: [
                "Providers/main.yaml": "kind: embedded\npath: /tmp/elsewhere/evil.sqlite\n",
                "Desired/net.yaml": BrokenInput.vpcMain,
            ], expected: [Pinned(.forbidden, "Providers/main.yaml", 2, 7)]),
        BrokenInput(
            id: "embedded-path-climbs-out",
            files: [
                "Providers/main.yaml": "kind: embedded\npath: inventories/../../evil.sqlite\n",
                "Desired/net.yaml": BrokenInput.vpcMain,
            ], expected: [Pinned(.forbidden, "Providers/main.yaml", 2, 7)]),
        BrokenInput(
            id: "malformed-env-reference",
            files: [
                "Providers/pdns.yaml": "kind: powerdns\nurl: http://127.0.0.1:8081\napi_key: ${PDNS KEY}\n",
                "Desired/net.yaml": BrokenInput.vpcMain,
            ], expected: [Pinned(.invalidValue, "Providers/pdns.yaml", 3, 10)]),
        BrokenInput(
            id: "unknown-provider-kind-powrdns",
            files: [
                "Providers/dns.yaml": "kind: powrdns\n",
                "Desired/net.yaml": BrokenInput.vpcMain,
            ], expected: [Pinned(.invalidValue, "Providers/dns.yaml", 1, 7)], suggestion: (.invalidValue, "powerdns")),
        BrokenInput(
            id: "powerdns-without-api-key",
            files: [
                "Providers/dns.yaml": "kind: powerdns\nurl: http://127.0.0.1:8081\n",
                "Desired/net.yaml": BrokenInput.vpcMain,
            ], expected: [Pinned(.missingKey, "Providers/dns.yaml", 1, 1)]),
        BrokenInput(
            id: "unknown-binding-key-pth",
            files: [
                "Providers/main.yaml": "kind: embedded\npth: inventory.sqlite\n",
                "Desired/net.yaml": BrokenInput.vpcMain,
            ], expected: [Pinned(.unknownKey, "Providers/main.yaml", 2, 1)], suggestion: (.unknownKey, "path")),
        BrokenInput(
            id: "bad-chunking-by",
            files: [
                "plumb.yaml": "chunking:\n  by: size\n",
                "Desired/net.yaml": BrokenInput.vpcMain,
            ], expected: [Pinned(.invalidValue, "plumb.yaml", 2, 7)]),
    ]

    @Test("a broken repository is refused with the defect's code and position", arguments: cases)
    func refused(_ input: BrokenInput) throws {
        let diagnostics = try CoreFixtures.diagnostics(input.tree, environment: input.environment)
        #expect(diagnostics.map(Pinned.init) == input.expected)
        if let (code, word) = input.suggestion {
            let hint = diagnostics.first { $0.code == code }?.hint
            #expect(hint?.contains("did you mean") == true && hint?.contains(word) == true, "hint: \(hint ?? "none")")
        }
        if let (code, text) = input.hint {
            let hint = diagnostics.first { $0.code == code }?.hint
            #expect(hint?.contains(text) == true, "hint: \(hint ?? "none")")
        }
    }

    @Test("a duplicate key inside one YAML mapping is reported at the key as a duplicate")
    func duplicateYAMLKey() throws {
        let tree = Fixtures.tree([
            "net.yaml": """
            provider: main
            vpcs:
              main: {cidr: 10.0.0.0/16}
              main: {cidr: 10.1.0.0/16}
            """
        ])
        let diagnostics = try CoreFixtures.diagnostics(tree)
        #expect(diagnostics.count == 1)
        #expect(diagnostics.first?.location?.file == "Desired/net.yaml")
        #expect(diagnostics.first?.code == .duplicate)
        #expect(diagnostics.first?.location?.line == 4, "at the repeat, which is the line to remove")
        #expect(diagnostics.first?.location?.column == 3)
    }

    @Test(
        "a duplicate key is found where it repeats: a flow mapping, a sequence item, a quoted key",
        arguments: [
            ("a: 1\nb: {x: 1, y: 2, x: 3}\n", "x", (2, 5), (2, 17)),
            ("- a: 1\n  b: 2\n- a: 1\n  a: 2\n", "a", (3, 3), (4, 3)),
            ("top:\n  \"k\": 1\n  other: 2\n  k: 3\n", "k", (2, 3), (4, 3)),
        ])
    func duplicateRepeat(_ text: String, _ key: String, _ first: (Int, Int), _ repeated: (Int, Int)) {
        let found = YAMLDuplicateKey.repeat(of: key, first: (first.0, first.1), in: text)
        #expect(found?.line == repeated.0 && found?.column == repeated.1, "\(String(describing: found))")
    }

    @Test("a key that does not repeat in its own mapping is not found in the next one")
    func duplicateNotInNextMapping() {
        #expect(YAMLDuplicateKey.repeat(of: "a", first: (1, 3), in: "- a: 1\n- a: 2\n") == nil)
    }

    @Test("a repository with several defects in several files reports all of them, sorted")
    func reportsEveryDefect() throws {
        let tree = MemoryTree([
            "plumb.yaml": "chunking:\n  by: size\n",
            "Providers/main.yaml": "kind: embedded\n",
            "Providers/pdns.yaml": "kind: powerdns\nurl: http://127.0.0.1:8081\napi_key: ${PDNS_API_KEY}\n",
            "Desired/dns.yaml": """
            provider: main
            zone: example.com.
            records:
              "@":
                type: CNAME
                value: other.example.net.
              www:
                type: A
                value: 192.0.2.300
            """,
            "Desired/net.yaml": """
            provider: main
            vpcs:
              main:
                cidr: 10.0.0.0/16
            subnets:
              web-b:
                vpc: main
                cidr: 10.1.0.0/24
                zone: us-east-1a
            """,
            "Desired/more/checks.yaml": "checks:\n  smoke:\n    command: [true]\n    timeout: soon\n",
        ])
        let diagnostics = try CoreFixtures.diagnostics(tree)
        #expect(
            diagnostics.map(Pinned.init) == [
                Pinned(.cnameConflict, "Desired/dns.yaml", 5, 5),
                Pinned(.invalidValue, "Desired/dns.yaml", 9, 12),
                Pinned(.invalidValue, "Desired/more/checks.yaml", 4, 14),
                Pinned(.cidr, "Desired/net.yaml", 6, 3),
                Pinned(.environment, "Providers/pdns.yaml", 3, 10),
                Pinned(.invalidValue, "plumb.yaml", 2, 7),
            ])
    }

    @Test("a diagnostic reads file:line:column: error: …")
    func descriptionNamesPosition() throws {
        let tree = Fixtures.tree(["net.yaml": "provider: main\nvpcs:\n  main:\n    cidr: 10.0.0.5/16\n"])
        let diagnostic = try #require(try CoreFixtures.diagnostics(tree).first)
        #expect(diagnostic.description.hasPrefix("Desired/net.yaml:4:11: error: "))
    }

    @Test("a repository without documents is refused")
    func noDocuments() throws {
        let diagnostics = try CoreFixtures.diagnostics(MemoryTree(["Providers/main.yaml": "kind: embedded\n"]))
        #expect(diagnostics.map(\.code) == [.io])
    }
}
