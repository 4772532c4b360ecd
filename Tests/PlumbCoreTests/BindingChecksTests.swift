import Testing
@testable import PlumbCore
import PlumbTestSupport

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
        input("powerdns-empty-api-key", "kind: powerdns\nurl: http://127.0.0.1:8081\napi_key: \"\"\n", [Pinned(.invalidValue, "Providers/dns.yaml", 3, 10)]),
        input("powerdns-empty-api-key-from-env-default", "kind: powerdns\nurl: http://127.0.0.1:8081\napi_key: ${PLUMB_TEST_UNSET_KEY:-}\n", [Pinned(.invalidValue, "Providers/dns.yaml", 3, 10)]),
        input("powerdns-url-not-a-url", "kind: powerdns\nurl: htp:/bad\napi_key: k\n", [Pinned(.invalidValue, "Providers/dns.yaml", 2, 6)]),
        input("powerdns-url-without-host", "kind: powerdns\nurl: http://\napi_key: k\n", [Pinned(.invalidValue, "Providers/dns.yaml", 2, 6)]),
        input("aws-region-typo", "kind: aws\nregion: us-esat-1\n", [Pinned(.invalidValue, "Providers/dns.yaml", 2, 9)], suggestion: "us-east-1"),
        input("aws-region-nonsense", "kind: aws\nregion: mars\n", [Pinned(.invalidValue, "Providers/dns.yaml", 2, 9)]),
        input("aws-endpoint-not-a-url", "kind: aws\nregion: us-east-1\nendpoint: localhost:5000\n", [Pinned(.invalidValue, "Providers/dns.yaml", 3, 11)]),
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
