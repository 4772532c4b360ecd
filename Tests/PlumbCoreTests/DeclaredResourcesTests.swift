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
        #expect(now.touched(since: before) == [Self.record("a.example.", "api")])
    }

    @Test("an added and a removed declaration are both touched (a create and a delete)")
    func addedAndRemoved() throws {
        let before = DeclaredResources(try Fixtures.load(["a.yaml": Self.zone]))
        let edited = Self.zone.replacingOccurrences(of: "  old: {type: A, value: 192.0.2.3}\n", with: "  new: {type: A, value: 192.0.2.4}\n")
        let now = DeclaredResources(try Fixtures.load(["a.yaml": edited]))
        #expect(now.touched(since: before) == [Self.record("a.example.", "old"), Self.record("a.example.", "new")])
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
        #expect(now.touched(since: before).isEmpty)
    }

    @Test("a zone-wide default that changes touches every record it reaches; protect alone is a change too")
    func defaultsAndProtect() throws {
        let before = DeclaredResources(try Fixtures.load(["a.yaml": Self.zone]))
        let ttl = Self.zone.replacingOccurrences(of: "zone: a.example.\n", with: "zone: a.example.\nttl: 60\n")
        #expect(DeclaredResources(try Fixtures.load(["a.yaml": ttl])).touched(since: before).count == 3)
        let protected = Self.zone.replacingOccurrences(
            of: "www: {type: A, value: 192.0.2.1}", with: "www: {type: A, value: 192.0.2.1, protect: true}")
        #expect(
            DeclaredResources(try Fixtures.load(["a.yaml": protected])).touched(since: before) == [
                Self.record("a.example.", "www")
            ])
    }

    @Test("a declaration whose own document did not change but that resolves another's value is touched")
    func resolvedAcrossDocuments() throws {
        let subnets = "provider: main\nvpcs:\n  main: {cidr: 10.0.0.0/16}\nsubnets:\n  a: {vpc: main, cidr: 10.0.1.0/24, zone: us-east-1a}\n"
        let groups = "provider: main\nsecurity_groups:\n  web: {vpc: main, ingress: [{protocol: tcp, ports: 443, from: subnet/a}]}\n"
        let before = DeclaredResources(try Fixtures.load(["subnets.yaml": subnets, "groups.yaml": groups]))
        let moved = subnets.replacingOccurrences(of: "10.0.1.0/24", with: "10.0.9.0/24")
        let now = DeclaredResources(try Fixtures.load(["subnets.yaml": moved, "groups.yaml": groups]))
        #expect(now.touched(since: before) == [Address(kind: .subnet, name: "a"), Address(kind: .securityGroup, name: "web")])
    }
}
