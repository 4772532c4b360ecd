import PlumbCore
import PlumbTestSupport
import Testing

@Suite("kind: rfc2136 bindings")
struct RFC2136BindingTests {
    static let binding = """
        kind: rfc2136
        server: 127.0.0.1:5353
        tsig:
          name: plumb.
          algorithm: hmac-sha512
          secret: ${TSIG_SECRET}
        zones: [Example.com., example.org]
        """

    static func load(_ documents: [String: String], binding: String = binding) throws -> DesiredState {
        var files = ["Providers/dns.yaml": binding]
        for (path, text) in documents { files["Desired/\(path)"] = text }
        return try DesiredStateLoader(environment: ["TSIG_SECRET": "c2VjcmV0"]).load(MemoryTree(files, stack: "test"))
    }

    @Test("the tsig mapping and the zones list load; the secret is a secret")
    func loads() throws {
        let state = try Self.load(["zone.yaml": "provider: dns\nzone: example.com.\nrecords:\n  www: {type: A, value: 192.0.2.1}\n"])
        let binding = try #require(state.providers["dns"])
        #expect(binding.type == .rfc2136)
        #expect(binding.settings["tsig.name"] == "plumb.")
        #expect(binding.settings["tsig.algorithm"] == "hmac-sha512")
        #expect(binding.settings["tsig.secret"] == "c2VjcmV0")
        #expect(binding.settings["zones"] == "example.com.,example.org.")
        #expect(binding.secretKeys.contains("tsig.secret"))
        #expect(binding.type.servedRecordTypes.contains(.LOC))
    }

    @Test("a zone the binding does not list is refused at its zone line, with the way out")
    func unlistedZone() throws {
        #expect {
            _ = try Self.load(["zone.yaml": "provider: dns\nzone: other.example.\nrecords:\n  www: {type: A, value: 192.0.2.1}\n"])
        } throws: { error in
            guard let error = error as? DiagnosticsError, let first = error.diagnostics.first else { return false }
            return first.message.contains("zone other.example. is not in the zones: of provider 'dns' (kind rfc2136)")
                && first.location?.line == 2 && (first.hint ?? "").contains("Providers/dns.yaml")
        }
    }

    @Test("a binding without its tsig secret names what is missing")
    func missingSecret() throws {
        let binding = Self.binding.replacingOccurrences(of: "  secret: ${TSIG_SECRET}\n", with: "")
        #expect {
            _ = try Self.load([:], binding: binding)
        } throws: { error in
            (error as? DiagnosticsError)?.diagnostics.contains { $0.message.contains("needs 'tsig.secret:'") } ?? false
        }
    }
}
