import PlumbTestSupport
import Testing

@testable import PlumbCore

@Suite("What a push touched (DeclaredResources)")
struct DeclarationsTests {
    static let zone = """
        provider: main
        zone: a.example.
        records:
          www: {type: A, value: 192.0.2.1}
          api: {type: A, value: 192.0.2.2}
          old: {type: A, value: 192.0.2.3}

        """
    static let other = "provider: main\nzone: b.example.\nrecords:\n  www: {type: A, value: 192.0.2.9}\n"

    static func record(_ zone: String, _ name: String) -> Address { .record(zone: zone, name: name, type: .A) }

    @Test("an edited value is touched; the other declarations of the same document are not")
    func editedValue() throws {
        let before = DeclaredResources(try Fixtures.load(["a.yaml": Self.zone, "b.yaml": Self.other]))
        let edited = Self.zone.replacingOccurrences(of: "192.0.2.2", with: "192.0.2.20")
        let now = DeclaredResources(try Fixtures.load(["a.yaml": edited, "b.yaml": Self.other]))
        #expect(now.touched(since: before, in: ["Desired/a.yaml"]) == [Self.record("a.example.", "api")])
    }

    @Test("an added and a removed declaration are both touched (a create and a delete)")
    func addedAndRemoved() throws {
        let before = DeclaredResources(try Fixtures.load(["a.yaml": Self.zone]))
        let edited = Self.zone.replacingOccurrences(of: "  old: {type: A, value: 192.0.2.3}\n", with: "  new: {type: A, value: 192.0.2.4}\n")
        let now = DeclaredResources(try Fixtures.load(["a.yaml": edited]))
        #expect(now.touched(since: before, in: ["Desired/a.yaml"]) == [Self.record("a.example.", "old"), Self.record("a.example.", "new")])
    }

    @Test("a declaration that only moved to another line asks for nothing")
    func moved() throws {
        let before = DeclaredResources(try Fixtures.load(["a.yaml": Self.zone, "b.yaml": Self.other]))
        let shuffled = """
            provider: main
            zone: a.example.
            records:
              old: {type: A, value: 192.0.2.3}

              api: {type: A, value: 192.0.2.2}
              www: {type: A, value: 192.0.2.1}

            """
        let now = DeclaredResources(try Fixtures.load(["a.yaml": shuffled, "b.yaml": Self.other]))
        #expect(now.touched(since: before, in: ["Desired/a.yaml"]).isEmpty)
    }

    @Test("a zone-wide default that changes touches every record it reaches; protect alone is a change too")
    func defaultsAndProtect() throws {
        let before = DeclaredResources(try Fixtures.load(["a.yaml": Self.zone]))
        let ttl = Self.zone.replacingOccurrences(of: "zone: a.example.\n", with: "zone: a.example.\nttl: 60\n")
        #expect(DeclaredResources(try Fixtures.load(["a.yaml": ttl])).touched(since: before, in: ["Desired/a.yaml"]).count == 3)
        let protected = Self.zone.replacingOccurrences(
            of: "www: {type: A, value: 192.0.2.1}", with: "www: {type: A, value: 192.0.2.1, protect: true}")
        #expect(
            DeclaredResources(try Fixtures.load(["a.yaml": protected])).touched(since: before, in: ["Desired/a.yaml"]) == [
                Self.record("a.example.", "www")
            ])
    }

    @Test("without the applied commit's declarations, every declaration of the changed documents")
    func unknownBefore() throws {
        let now = DeclaredResources(try Fixtures.load(["a.yaml": Self.zone, "b.yaml": Self.other]))
        #expect(now.touched(since: nil, in: ["Desired/a.yaml"]).count == 4)  // the zone and its three records
    }
}
