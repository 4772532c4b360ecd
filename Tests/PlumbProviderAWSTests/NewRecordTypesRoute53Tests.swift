import Foundation
import PlumbCore
import PlumbProviderAWS
import PlumbTestSupport
import Testing

@Suite("new record types on Route 53 (moto)", .serialized)
struct NewRecordTypesRoute53Tests {
    @Test("the new types Route 53 serves apply and plan again to nothing")
    func roundTrip() async throws {
        let server = try MotoServer()
        let document = NewRecordTypes.document(provider: "cloud", without: NewRecordTypes.notOnRoute53)
        let desired = try AWSFixtures.load(server, ["types.yaml": document])
        let harness = ProviderHarness(desired: desired, provider: try AWSFixtures.provider(server, desired))
        let (plan, result) = try await harness.converge()
        #expect(plan.summary.create == NewRecordTypes.cases.count - NewRecordTypes.notOnRoute53.count + 1)
        #expect(result.status == .succeeded, "\(result.error ?? "")")
        let second = try await harness.plan().plan
        #expect(
            second.changes.isEmpty, "\(second.changes.map { "\($0.address): \(String(describing: $0.before)) → \(String(describing: $0.after))" })")
    }

    @Test("the validator says which types a Route 53 binding cannot hold, at the record")
    func refusedTypes() throws {
        let server = try MotoServer()
        #expect(throws: DiagnosticsError.self) {
            _ = try AWSFixtures.load(server, ["types.yaml": NewRecordTypes.document(provider: "cloud")])
        }
        do {
            _ = try AWSFixtures.load(server, ["types.yaml": NewRecordTypes.document(provider: "cloud")])
        } catch let error as DiagnosticsError {
            let messages = error.diagnostics.map(\.message).sorted()
            #expect(messages.count == 3)
            for type in NewRecordTypes.notOnRoute53 {
                #expect(messages.contains { $0.contains("provider 'cloud' (kind aws) cannot hold \(type) records") })
            }
            #expect(error.diagnostics.allSatisfy { $0.location?.line ?? 0 > 1 })
        }
    }
}
