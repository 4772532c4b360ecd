import Foundation
import PlumbChecks
import PlumbCore
import PlumbProviderRFC2136
import PlumbTestSupport
import Testing

/// `kind: rfc2136` against real BIND 9, Knot and PowerDNS servers started by the test.
@Suite("rfc2136 provider against BIND, Knot and PowerDNS", .serialized)
struct RFC2136ProviderTests {
    static func desired(_ server: DNSUpdateServer, records: Int, chunk: Int = 1000, value: (Int) -> String = { "10.0.\($0 / 256).\($0 % 256)" })
        throws -> DesiredState
    {
        let lines = (0..<records).map { "  h\($0): {type: A, value: \(value($0))}\n" }.joined()
        var desired = try Fixtures.load(["zone.yaml": "provider: main\nzone: \(server.zone)\nrecords:\n\(lines)"])
        desired.providers["main"] = server.binding(name: "main")
        desired.settings.chunkSize = chunk
        desired.settings.safety.maxChanges = 100_000
        desired.settings.safety.maxDeletes = 100_000
        return desired
    }

    @Test("a 1,000-record zone applied in chunks: one UPDATE per chunk, then the plan is empty", arguments: DNSUpdateServer.Kind.allCases)
    func thousandInChunks(_ kind: DNSUpdateServer.Kind) async throws {
        let server = try DNSUpdateServer(kind)
        let provider = try RFC2136Provider(binding: server.binding(name: "main"))
        let harness = ProviderHarness(desired: try Self.desired(server, records: 1000, chunk: 250), provider: provider)
        let (plan, scope) = try await harness.plan()
        #expect(plan.summary.create == 1000)
        let chunks = plan.chunks.filter { $0.changes.contains { $0.address.kind == .record } }.count
        let result = await harness.apply(plan, scope: scope)
        #expect(result.status == .succeeded, "\(result.error ?? "")")
        // Progressive chunks (1, 2, 4, … up to 250): each one UPDATE, whatever its size.
        #expect(chunks > 4)
        #expect(provider.operationCounts["UPDATE \(server.zone)"] == chunks)
        #expect(try await harness.plan().plan.changes.isEmpty)
        #expect(try server.dig("h999.\(server.zone)", "A") == ["10.0.3.231"])
    }

    @Test("a record changed with nsupdate is drift; one apply heals it", arguments: DNSUpdateServer.Kind.allCases)
    func driftHealed(_ kind: DNSUpdateServer.Kind) async throws {
        let server = try DNSUpdateServer(kind)
        let provider = try RFC2136Provider(binding: server.binding(name: "main"))
        let harness = ProviderHarness(desired: try Self.desired(server, records: 5), provider: provider)
        #expect(try await harness.converge().result.status == .succeeded)
        try server.nsupdate(["update delete h1.\(server.zone) A", "update add h1.\(server.zone) 3600 A 192.0.2.99"])
        let (drift, scope) = try await harness.plan()
        #expect(drift.changes.map(\.address) == [Address.record(zone: server.zone, name: "h1", type: .A)])
        #expect(await harness.apply(drift, scope: scope).status == .succeeded)
        #expect(try await harness.plan().plan.changes.isEmpty)
        #expect(try server.dig("h1.\(server.zone)", "A") == ["10.0.0.1"])
    }

    @Test(
        "a record changed between plan and apply fails the UPDATE's prerequisite, naming it; nothing else changes",
        arguments: DNSUpdateServer.Kind.allCases)
    func prerequisiteFails(_ kind: DNSUpdateServer.Kind) async throws {
        let server = try DNSUpdateServer(kind)
        let provider = try RFC2136Provider(binding: server.binding(name: "main"))
        #expect(try await ProviderHarness(desired: try Self.desired(server, records: 4), provider: provider).converge().result.status == .succeeded)
        // The plan changes every record; then someone changes h2 by hand.
        // One chunk, so one UPDATE holds all four changes.
        var changed = try Self.desired(server, records: 4) { "192.0.2.\($0 + 10)" }
        changed.settings.chunkStrategy = .fixed
        let harness = ProviderHarness(desired: changed, provider: provider)
        let (plan, scope) = try await harness.plan()
        #expect(plan.summary.update == 4)
        try server.nsupdate(["update delete h2.\(server.zone) A", "update add h2.\(server.zone) 3600 A 198.51.100.2"])
        let result = await harness.apply(plan, scope: scope)
        #expect(result.status != .succeeded)
        let h2 = Address.record(zone: server.zone, name: "h2", type: .A)
        let failed = result.chunks.flatMap(\.changes).filter { $0.status == .failed }
        #expect(failed.count == 4)
        let reason = failed.first { $0.address == h2 }?.error ?? ""
        #expect(reason.contains("prerequisites failed") && reason.contains("dns.record/\(server.zone)/h2/A changed on the server"), "\(reason)")
        // The server applied nothing of the UPDATE: h0, h1, h3 keep their old values, h2 the hand-made one.
        #expect(try server.dig("h0.\(server.zone)", "A") == ["10.0.0.0"])
        #expect(try server.dig("h3.\(server.zone)", "A") == ["10.0.0.3"])
        #expect(try server.dig("h2.\(server.zone)", "A") == ["198.51.100.2"])
        // The next plan sees the server's state.
        let next = try await harness.plan().plan
        #expect(next.changes.first { $0.address == h2 }?.before == .record(RecordSpec(ttl: 3600, values: ["198.51.100.2"])))
    }

    @Test("a wrong TSIG secret is one clear error, not a retry storm", arguments: DNSUpdateServer.Kind.allCases)
    func wrongSecret(_ kind: DNSUpdateServer.Kind) async throws {
        let server = try DNSUpdateServer(kind)
        let wrong = Data((0..<32).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
        let provider = try RFC2136Provider(binding: server.binding(name: "main", secret: wrong))
        let harness = ProviderHarness(desired: try Self.desired(server, records: 1), provider: provider)
        do {
            _ = try await harness.plan()
            Issue.record("a transfer with a wrong secret succeeded")
        } catch let error as ProviderError {
            #expect(error.code == .unauthorized, "\(error)")
            #expect(error.message.contains("plumb-test."))
            #expect(!error.message.contains(wrong) && !error.message.contains(server.secret))
        }
        #expect(provider.requestsSent == 1)
    }

    @Test("a transfer split over many TSIG-signed messages reads whole; a forged message is refused")
    func multiMessageTransfer() async throws {
        let server = try DNSUpdateServer(.bind, transferSize: 1024)
        let provider = try RFC2136Provider(binding: server.binding(name: "main"))
        let harness = ProviderHarness(desired: try Self.desired(server, records: 200), provider: provider)
        #expect(try await harness.converge().result.status == .succeeded)
        #expect(try await harness.plan().plan.changes.isEmpty)
        // The raw transfer: many messages, each verified; one byte changed in the third fails it.
        guard let key = TSIGKey(name: server.keyName, algorithm: .hmacSHA256, secret: server.secret) else {
            Issue.record("key")
            return
        }
        let (message, mac) = try key.sign(try DNSMessage.transferQuery(zone: server.zone, id: 7))
        let replies = try await DNSExchange.tcp(message, host: "127.0.0.1", port: server.port, timeout: .seconds(5)) { reply in
            try DNSMessage.parseResponse(reply).answers.last?.type != "SOA" || reply.count < 100
        }
        #expect(replies.count > 3)
        var verifier = TSIGVerifier(key: key, requestMAC: mac)
        for reply in replies { try verifier.verify(reply, tsig: try DNSMessage.parseResponse(reply).signature) }
        var forged = TSIGVerifier(key: key, requestMAC: mac)
        var tampered = replies
        tampered[2][20] ^= 0x01
        #expect(throws: DNSError.self) {
            for reply in tampered {
                guard let response = try? DNSMessage.parseResponse(reply) else { throw DNSError(code: .malformedMessage, message: "") }
                try forged.verify(reply, tsig: response.signature)
            }
        }
    }

    @Test("every new record type round-trips through UPDATE and AXFR", arguments: DNSUpdateServer.Kind.allCases)
    func newTypes(_ kind: DNSUpdateServer.Kind) async throws {
        let server = try DNSUpdateServer(kind, zone: "types.example.")
        let provider = try RFC2136Provider(binding: server.binding(name: "main"))
        var desired = try Fixtures.load(["types.yaml": NewRecordTypes.document()])
        desired.providers["main"] = server.binding(name: "main")
        let harness = ProviderHarness(desired: desired, provider: provider)
        let (plan, result) = try await harness.converge()
        #expect(plan.summary.create == NewRecordTypes.cases.count)
        #expect(result.status == .succeeded, "\(result.error ?? "")")
        #expect(try await harness.plan().plan.changes.isEmpty)
    }
}
