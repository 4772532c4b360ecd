import Foundation
import PlumbCore
import PlumbTestSupport
import Testing

@Suite("Change reasons")
struct ChangeReasonTests {
    @Test(
        "each reason reads back from the text plumb.plan/v1 carries",
        arguments: [
            (ChangeReason.differs(["ingress", "tags"]), "ingress, tags"),
            (.adopt([]), "adopt"),
            (.adopt(["tags"]), "adopt, tags"),
            (.immutable(["cidr", "zone"]), "cidr, zone cannot change in place"),
            (.notDesired, "not in the desired state"),
            (.revert(.update), "revert update"),
            (.other("something a later version says"), "something a later version says"),
        ])
    func roundTrip(_ why: ChangeReason, _ text: String) throws {
        #expect(why.text == text)
        #expect(ChangeReason(text: text) == why)
        let change = Change(action: .update, address: Address(kind: .vpc, name: "main"), provider: "cloud", before: nil, after: nil, why: why)
        let decoded = try JSONDecoder().decode(Change.self, from: try JSONEncoder().encode(change))
        #expect(decoded.why == why && decoded.reason == text)
    }

    @Test("an adoption is known by its value, with or without differing fields; nothing else is one")
    func adoption() {
        let change = { (why: ChangeReason?) in
            Change(action: .update, address: Address(kind: .vpc, name: "main"), provider: "cloud", before: nil, after: nil, why: why)
        }
        #expect(change(.adopt([])).isAdoption && change(.adopt(["tags"])).isAdoption)
        #expect(!change(.differs(["adopt"])).isAdoption && !change(nil).isAdoption && !change(.other("adopt it")).isAdoption)
    }
}
