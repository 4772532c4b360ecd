import Foundation
import OrderedCollections
import PlumbTestSupport
import Testing

@testable import PlumbCore

/// Desired states and inventories keep their resources in ordered dictionaries (decision 34):
/// order is reproducible, and never part of what makes two inventories equal.
@Suite("Resource maps")
struct ResourceMapTests {
    typealias F = CoreFixtures

    static let records: [LiveResource] = (0..<5).map { index in
        let address = Address.record(zone: "example.com.", name: "h\(index)", type: .A)
        return LiveResource(address: address, spec: .record(RecordSpec(ttl: 300, values: ["192.0.2.\(index)"])))
    }

    @Test("inventories that hold the same resources are equal in whatever order they were listed")
    func equalityIgnoresOrder() {
        let listed = F.inventory(Self.records)
        let reversed = F.inventory(Self.records.reversed())
        #expect(Array(listed.resources.keys) != Array(reversed.resources.keys), "the fixture lists them in two orders")
        #expect(listed == reversed)

        var changed = Self.records
        changed[2].spec = .record(RecordSpec(ttl: 300, values: ["198.51.100.2"]))
        #expect(listed != F.inventory(changed), "one value differs")
        #expect(listed != F.inventory(Array(Self.records.dropLast())), "one resource fewer")
        #expect(
            listed
                != F.inventory(
                    Self.records,
                    unmodeled: [
                        UnmodeledRecord(zone: "example.com.", name: "h0", type: "DS", ttl: 300, values: ["1 2 3 ABCD"])
                    ]), "an unmodelled record more")
    }

    @Test("an inventory encodes the same bytes whatever its order, and decodes to an equal one")
    func codingIgnoresOrder() throws {
        let listed = F.inventory(Self.records)
        let text = try JSONOutput.encode(listed)
        #expect(try JSONOutput.encode(F.inventory(Self.records.reversed())) == text)
        #expect(try JSONDecoder().decode(Inventory.self, from: Data(text.utf8)) == listed)
    }

    @Test("a desired state holds its resources in declaration order")
    func declarationOrder() throws {
        let tree = Fixtures.tree(["a.yaml": LoaderTests.zone])
        let desired = try DesiredStateLoader(environment: [:]).load(tree)
        #expect(
            desired.resources.keys.map(\.description) == [
                "dns.zone/example.com.",
                "dns.record/example.com./@/MX", "dns.record/example.com./@/TXT",
                "dns.record/example.com./www/A", "dns.record/example.com./www/AAAA",
                "dns.record/example.com./api/CNAME", "dns.record/example.com./*.dev/A",
                "dns.record/example.com./_sip._tcp/SRV",
            ])
    }
}
