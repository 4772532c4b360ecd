import Foundation
import PlumbCore
import PlumbProviderKit
import PlumbProviderPowerDNS
import PlumbTestSupport
import Testing

/// SPEC §8.5's record types on PowerDNS: applied, planned again to nothing, and served.
@Suite("new record types on PowerDNS", .serialized)
struct NewRecordTypesPowerDNSTests {
    @Test("every new type applies, a second plan is empty, and dig returns exactly the declared values")
    func roundTripAndDig() async throws {
        let server = try PowerDNSServer()
        let provider = try PowerDNSProvider(binding: binding(server))
        var desired = try Fixtures.load(["types.yaml": NewRecordTypes.document()])
        desired.providers["main"] = binding(server)
        let (first, scope) = try await plan(desired, provider)
        #expect(first.summary.create == NewRecordTypes.cases.count + 1)
        let result = await apply(first, provider, scope: scope)
        #expect(result.status == .succeeded, "\(result.error ?? "")")
        let (second, _) = try await plan(desired, provider)
        #expect(
            second.changes.isEmpty, "\(second.changes.map { "\($0.address): \(String(describing: $0.before)) → \(String(describing: $0.after))" })")
        for item in NewRecordTypes.cases {
            // A delegation's NS is a referral, not an answer.
            guard let type = RecordType(rawValue: item.type), type != .NS else { continue }
            let name = DNSName.absolute(item.name, zone: "types.example.")
            let served = try PowerDNSServer.dig(name, item.type, port: server.dnsPort).map { RecordContent.value($0, type: type) }
            let declared = item.values.map { try? RecordValues.canonical($0, type: type).get() }
            #expect(served.sorted() == declared.compactMap { $0 }.sorted(), "\(name) \(item.type)")
        }
    }
}
