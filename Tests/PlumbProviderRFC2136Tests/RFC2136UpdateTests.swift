import PlumbChecks
import PlumbCore
import Testing

@testable import PlumbProviderRFC2136

@Suite("rfc2136 UPDATE messages")
struct RFC2136UpdateTests {
    static let zone = "example.com."

    static func change(_ name: String, before: [String]?, after: [String]?) -> Change {
        let action: Change.Action = before == nil ? .create : after == nil ? .delete : .update
        return Change(
            action: action, address: .record(zone: zone, name: name, type: .A), provider: "dns",
            before: before.map { .record(RecordSpec(ttl: 300, values: $0)) }, after: after.map { .record(RecordSpec(ttl: 60, values: $0)) })
    }

    @Test("prerequisites say what the plan saw: absent for a create, exactly the old values for an update or delete")
    func prerequisites() throws {
        let parts = try RFC2136Update.build(
            zone: Self.zone,
            changes: [
                Self.change("new", before: nil, after: ["192.0.2.1"]),
                Self.change("old", before: ["192.0.2.2", "192.0.2.3"], after: ["192.0.2.4"]),
                Self.change("gone", before: ["192.0.2.5"], after: nil),
            ])
        #expect(parts.count == 1)
        let update = try #require(parts.first).update
        #expect(
            update.prerequisites == [
                .absent("new.example.com.", .a),
                .exists("old.example.com.", .a, rdata: [192, 0, 2, 2]), .exists("old.example.com.", .a, rdata: [192, 0, 2, 3]),
                .exists("gone.example.com.", .a, rdata: [192, 0, 2, 5]),
            ])
        #expect(
            update.updates == [
                .add("new.example.com.", .a, ttl: 60, rdata: [192, 0, 2, 1]),
                .deleteRRSet("old.example.com.", .a), .add("old.example.com.", .a, ttl: 60, rdata: [192, 0, 2, 4]),
                .deleteRRSet("gone.example.com.", .a),
            ])
    }

    @Test("a chunk too large for one DNS message becomes several UPDATEs in order, none over the limit")
    func split() throws {
        let changes = (0..<3000).map { Self.change("host-\($0)", before: nil, after: ["192.0.2.\($0 % 250)"]) }
        let parts = try RFC2136Update.build(zone: Self.zone, changes: changes)
        #expect(parts.count > 1)
        #expect(parts.flatMap(\.changes).map(\.address) == changes.map(\.address))
        for part in parts { #expect(try part.update.message(id: 1).count <= RFC2136Update.byteLimit + 100) }
        #expect(try RFC2136Update.build(zone: Self.zone, changes: Array(changes.prefix(250))).count == 1)
    }
}
