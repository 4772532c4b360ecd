import Foundation
import PlumbCore
import PlumbProviderEmbedded
import PlumbTestSupport
import Testing

@Suite("new record types on the embedded provider")
struct NewRecordTypesEmbeddedTests {
    @Test("every new type applies, survives a reopen, and a second plan is empty")
    func roundTrip() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("plumb-types-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let desired = try Fixtures.load(["types.yaml": NewRecordTypes.document()])
        let binding = try #require(desired.providers["main"])
        let harness = ProviderHarness(desired: desired, provider: try EmbeddedProvider(binding: binding, stateDirectory: directory))
        let (plan, result) = try await harness.converge()
        #expect(plan.summary.create == NewRecordTypes.cases.count + 1)
        #expect(result.status == .succeeded, "\(result.error ?? "")")
        let reopened = ProviderHarness(desired: desired, provider: try EmbeddedProvider(binding: binding, stateDirectory: directory))
        #expect(try await reopened.plan().plan.changes.isEmpty)
    }
}
