import Foundation
import PlumbChecks
import PlumbCore
import PlumbProviderKit
import PlumbTestSupport
import Testing

@testable import PlumbProviderPowerDNS

/// Every record type SPEC names, with the awkward cases: long and quoted TXT, non-ASCII,
/// wildcards, upper case in the documents.
let everyType = """
    provider: main
    zone: Types.Example.
    ttl: 600
    records:
      "@":
        - {type: A, value: 192.0.2.1}
        - {type: MX, values: ["10 Mail.Types.Example.", "20 mail2.types.example."]}
        - {type: TXT, values: ["v=spf1 -all", "say \\"hi\\" \\\\ back", "grüße aus köln"]}
        - {type: CAA, values: ['0 issue "letsencrypt.org"', '128 iodef "mailto:sec@types.example"']}
      www:
        - {type: A, ttl: 60, values: [192.0.2.10, 192.0.2.11]}
        - {type: AAAA, values: ["2001:DB8:0:0::10"]}
      api: {type: CNAME, value: WWW.types.example.}
      long: {type: TXT, value: "\(String(repeating: "k", count: 300))-end"}
      _sip._tcp: {type: SRV, value: "10 60 5060 sip.types.example."}
      sub: {type: NS, values: [ns1.other.example., ns2.other.example.]}
      "*.dev": {type: A, value: 192.0.2.99}
      "1.2": {type: PTR, value: host.types.example.}
    """

func binding(_ server: PowerDNSServer, key: String? = nil, url: String? = nil) -> ProviderBinding {
    ProviderBinding(
        name: "main", type: .powerdns,
        settings: ["url": url ?? server.url, "api_key": key ?? server.apiKey, "nameservers": "ns1.types.example."],
        secretKeys: ["api_key"])
}

func plan(_ desired: DesiredState, _ provider: PowerDNSProvider, prior: PriorState = PriorState()) async throws -> (Plan, DescribeScope) {
    let planner = Planner(desired: desired, prior: prior)
    let scope = planner.scope(for: "main")
    let inventory = try await provider.describe(scope)
    return (planner.plan(inventories: ["main": inventory], source: PlanSource()), scope)
}

func apply(_ plan: Plan, _ provider: PowerDNSProvider, scope: DescribeScope, checks: [Check] = []) async -> ApplyResult {
    let applier = Applier(
        providers: ["main": provider], scopes: ["main": scope], context: ApplyContext(stack: "test"),
        checks: checks, executor: CheckExecutor(probe: SystemProbe(), workingDirectory: "/tmp"), recorder: MemoryRecorder())
    return await applier.apply(plan)
}

/// Serialized: each test starts and stops a server, which blocks its thread for a moment.
@Suite("PowerDNS provider against a real server", .serialized)
struct PowerDNSProviderTests {
    @Test("every record type round-trips: after apply, a second plan has no changes")
    func roundTrip() async throws {
        let server = try PowerDNSServer()
        let provider = try PowerDNSProvider(binding: binding(server))
        var desired = try Fixtures.load(["types.yaml": everyType])
        desired.providers["main"] = binding(server)
        let (first, scope) = try await plan(desired, provider)
        #expect(first.summary.create == 13)
        let result = await apply(first, provider, scope: scope)
        #expect(result.status == .succeeded, "\(result.error ?? "")")
        let (second, _) = try await plan(desired, provider)
        #expect(second.changes.isEmpty, "\(second.changes.map(\.address))")
        // PowerDNS holds the TXT split into 255-byte strings, quotes escaped.
        let (_, body) = try server.api("GET", "/zones/types.example.?rrset_name=long.types.example.&rrset_type=TXT")
        #expect(body.contains("\\\"\(String(repeating: "k", count: 255))\\\" \\\""))
        // A large chunk's read-back reads the zone's export: every type, the split TXT and a
        // disabled record (left out of both) map exactly as the zone's JSON does.
        _ = try server.api(
            "PATCH", "/zones/types.example.",
            body:
                #"{"rrsets":[{"name":"off.types.example.","type":"A","ttl":60,"changetype":"REPLACE","records":[{"content":"192.0.2.7","disabled":true},{"content":"192.0.2.8","disabled":false}]}]}"#
        )
        let exported = PowerDNSMapping.inventory(of: try await provider.api.zoneExport("types.example."))
        let (_, json) = try server.api("GET", "/zones/types.example.")
        #expect(exported == PowerDNSMapping.inventory(of: try ZoneJSON.decode(Data(json.utf8))))
        #expect(exported.resources.count == 13)  // 12 records of the document, and off
    }

    @Test("describe is one list plus one GET per zone; a chunk of records is one PATCH per zone")
    func requestCounts() async throws {
        let server = try PowerDNSServer()
        let provider = try PowerDNSProvider(binding: binding(server))
        var documents: [String: String] = [:]
        for zone in ["a", "b", "c"] {
            documents["\(zone).yaml"] =
                "provider: main\nzone: \(zone).example.\nrecords:\n" + (1...30).map { "  h\($0): {type: A, value: 192.0.2.\($0)}\n" }.joined()
        }
        var desired = try Fixtures.load(documents)
        desired.providers["main"] = binding(server)
        desired.settings.chunkSize = 1000
        desired.settings.chunkStrategy = .fixed  // request counts per chunk of 1,000
        let (initial, scope) = try await plan(desired, provider)
        #expect(await apply(initial, provider, scope: scope).status == .succeeded)
        let before = provider.requestsSent
        _ = try await provider.describe(scope)
        #expect(provider.requestsSent - before == 4)
        // 90 record updates in one chunk: three PATCHes (one per zone).
        var changed = desired
        for (address, resource) in desired.resources where address.kind == .record {
            changed.resources[address]?.spec = .record(
                RecordSpec(ttl: 120, values: { if case .record(let r) = resource.spec { r.values } else { [] } }()))
        }
        let (update, _) = try await plan(changed, provider)
        #expect(update.summary.update == 90 && update.chunks.count == 1)
        let beforeApply = provider.requestsSent
        let exports = provider.operationCounts["read back zone a.example."] ?? 0
        let applied = await apply(update, provider, scope: scope)
        #expect(applied.status == .succeeded)
        // Three PATCHes, then the read-back: one export per zone, not its JSON.
        #expect(provider.requestsSent - beforeApply == 3 + 3)
        #expect(provider.operationCounts["read back zone a.example."] == exports + 1)

        // Two records of one zone: one PATCH, then each rrset read back alone, never the zone.
        var two = changed
        for name in ["h1", "h2"] {
            two.resources[Address.record(zone: "a.example.", name: name, type: .A)]?.spec = .record(RecordSpec(ttl: 60, values: ["192.0.2.200"]))
        }
        let (small, _) = try await plan(two, provider)
        #expect(small.changes.count == 2)
        let beforeSmall = provider.requestsSent
        let zoneReads = provider.operationCounts["describe zone a.example."] ?? 0
        #expect(await apply(small, provider, scope: scope).status == .succeeded)
        #expect(provider.requestsSent - beforeSmall == 1 + 2)
        #expect(provider.operationCounts["describe zone a.example."] ?? 0 == zoneReads)
        #expect(provider.operationCounts["describe h1.a.example. A"] == 1)
        #expect(try await plan(two, provider).0.changes.isEmpty)
    }

    @Test("a focused describe reads the focused rrsets alone, and reports them as the whole zone's describe does")
    func focusedDescribe() async throws {
        let server = try PowerDNSServer()
        let provider = try PowerDNSProvider(binding: binding(server))
        var desired = try Fixtures.load(["types.yaml": everyType])
        desired.providers["main"] = binding(server)
        let (first, scope) = try await plan(desired, provider)
        #expect(await apply(first, provider, scope: scope).status == .succeeded)
        let whole = try await provider.describe(scope)

        let www = Address.record(zone: "types.example.", name: "www", type: .A)
        let mx = Address.record(zone: "types.example.", name: "@", type: .MX)
        let absent = Address.record(zone: "types.example.", name: "nothing-here", type: .A)
        let elsewhere = Address.record(zone: "missing.example.", name: "www", type: .A)
        var focused = scope
        focused.zones = ["types.example.", "missing.example."]
        focused.records = [www, mx, absent, elsewhere]
        let before = provider.requestsSent
        let zoneReads = provider.operationCounts["describe zone types.example."] ?? 0
        let inventory = try await provider.describe(focused)
        // The zone list, then one GET per record of a zone that exists; never the zone whole.
        #expect(provider.requestsSent - before == 1 + 3)
        #expect(provider.operationCounts["describe zone types.example."] ?? 0 == zoneReads)
        let records = inventory.resources.filter { $0.key.kind == .record }
        #expect(Set(records.keys) == [www, mx])
        for (address, live) in records { #expect(live == whole.resources[address]) }
        #expect(inventory.resources[.zone("types.example.")] != nil)

        // Planned from it, a change of one focused record is that change alone.
        var changed = desired
        changed.resources[www]?.spec = .record(RecordSpec(ttl: 60, values: ["192.0.2.77"]))
        let planner = Planner(desired: changed, options: PlanOptions(focus: [www]))
        #expect(planner.scope(for: "main").records == [www])
        let again = planner.plan(inventories: ["main": try await provider.describe(planner.scope(for: "main"))], source: PlanSource())
        #expect(again.changes.map(\.address) == [www] && again.changes.first?.action == .update)
    }

    @Test("a 10,000-record zone: plan is one GET of the zone, apply from empty one PATCH per chunk")
    func tenThousand() async throws {
        let server = try PowerDNSServer()
        let provider = try PowerDNSProvider(binding: binding(server))
        let records = (0..<10_000).map { "  h\($0): {type: A, value: 10.\($0 / 65536).\($0 / 256 % 256).\($0 % 256)}\n" }.joined()
        var desired = try Fixtures.load(["big.yaml": "provider: main\nzone: big.example.\nrecords:\n\(records)"])
        desired.providers["main"] = binding(server)
        desired.settings.chunkSize = 1000
        desired.settings.chunkStrategy = .fixed  // request counts per chunk of 1,000
        desired.settings.safety.maxChanges = 20_000
        let (initial, scope) = try await plan(desired, provider)
        #expect(initial.chunks.count == 11)
        let before = provider.requestsSent
        #expect(await apply(initial, provider, scope: scope).status == .succeeded)
        // The zone chunk: POST + list (read-back); each of 10 record chunks: PATCH + one GET.
        #expect(provider.requestsSent - before == 2 + 10 * 2)
        let beforePlan = provider.requestsSent
        let (again, _) = try await plan(desired, provider)
        #expect(again.changes.isEmpty)
        #expect(provider.requestsSent - beforePlan == 2)
    }

    @Test("SOA and apex NS are never reported; records of unmodelled types are listed and left alone")
    func providerOwnedAndUnmodelled() async throws {
        let server = try PowerDNSServer()
        let provider = try PowerDNSProvider(binding: binding(server))
        var desired = try Fixtures.load(["z.yaml": "provider: main\nzone: keep.example.\nrecords:\n  www: {type: A, value: 192.0.2.1}\n"])
        desired.providers["main"] = binding(server)
        let (initial, scope) = try await plan(desired, provider)
        #expect(await apply(initial, provider, scope: scope).status == .succeeded)
        let (status, _) = try server.api(
            "PATCH", "/zones/keep.example.",
            body:
                #"{"rrsets":[{"name":"keep.example.","type":"RP","ttl":300,"changetype":"REPLACE","records":[{"content":"hostmaster.keep.example. .","disabled":false}]}]}"#
        )
        #expect(status == 204)
        let inventory = try await provider.describe(scope)
        #expect(!inventory.resources.keys.contains { $0.name.hasSuffix("/SOA") || $0.name == "keep.example./@/NS" })
        #expect(inventory.unmodeled.map(\.type) == ["RP"], "RP stays a type Plumb does not model (SSHFP is modelled since #20)")
        let (again, _) = try await plan(desired, provider)
        #expect(again.changes.isEmpty)
        #expect(again.unmanaged.count == 1)
    }

    @Test("a wrong API key is one clear error, not a retry storm")
    func wrongKey() async throws {
        let server = try PowerDNSServer()
        let provider = try PowerDNSProvider(binding: binding(server, key: "wrong"))
        await #expect(throws: ProviderError.self) { _ = try await provider.describe(DescribeScope(stack: "t", kinds: [.zone])) }
        do {
            _ = try await provider.describe(DescribeScope(stack: "t", kinds: [.zone]))
        } catch let error as ProviderError {
            #expect(error.code == .unauthorized)
            #expect(error.message.contains("api_key"))
            #expect(!error.message.contains("wrong"))
        }
        #expect(provider.requestsSent == 2)
    }

    @Test("connection refused is retried with backoff, then fails as unavailable")
    func connectionRefused() async throws {
        let port = try freePort()
        let provider = try PowerDNSProvider(
            binding: ProviderBinding(name: "refused-\(port)", type: .powerdns, settings: ["url": "http://127.0.0.1:\(port)", "api_key": "k"]),
            retry: RetryPolicy(attempts: 3, base: .milliseconds(10), cap: .milliseconds(50)))
        do {
            _ = try await provider.describe(DescribeScope(stack: "t", kinds: [.zone]))
            Issue.record("expected a failure")
        } catch let error as ProviderError {
            #expect(error.code == .unavailable)
        }
        #expect(provider.requestsSent == 3)
    }

    @Test("a refused connection names the binding, the request's URL without credentials, and what to check")
    func refusedNamesWhere() async throws {
        let port = try freePort()
        let provider = try PowerDNSProvider(
            binding: ProviderBinding(
                name: "where-\(port)", type: .powerdns, settings: ["url": "http://deploy:hunter2@127.0.0.1:\(port)", "api_key": "k"]),
            retry: RetryPolicy(attempts: 2, base: .milliseconds(10), cap: .milliseconds(20)))
        let error = try await #require(throws: ProviderError.self) { _ = try await provider.describe(DescribeScope(stack: "t", kinds: [.zone])) }
        #expect(error.message.contains("list zones: GET http://127.0.0.1:\(port)/api/v1/servers/localhost/zones: "), "\(error.message)")
        #expect(
            error.message.contains("check that the server is running and reachable from here, and the address in Providers/where-\(port).yaml"),
            "\(error.message)")
        #expect(!error.message.contains("hunter2") && !error.message.contains("deploy"), "no credentials: \(error.message)")
    }

    @Test("a server that is not PowerDNS: its 404 page is named by URL and status, cut short, with what to check")
    func notPowerDNS() async throws {
        let page =
            "<!DOCTYPE html><html><head><title>404 Not Found</title></head><body>" + String(repeating: "<p>nothing here</p>", count: 300)
            + "</body></html>"
        let server = try ScriptedHTTPServer([], default: .init(status: 404, headers: ["Content-Type": "text/html"], body: page))
        let provider = try PowerDNSProvider(binding: ProviderBinding(name: "web", type: .powerdns, settings: ["url": server.url, "api_key": "k"]))
        let error = try await #require(throws: ProviderError.self) { _ = try await provider.describe(DescribeScope(stack: "t", kinds: [.zone])) }
        #expect(
            error.message.hasPrefix("list zones: HTTP 404 from GET \(server.url)/api/v1/servers/localhost/zones: <!DOCTYPE html>"), "\(error.message)"
        )
        #expect(error.message.hasSuffix("this answer is not from the PowerDNS API: check url: and server: in Providers/web.yaml"), "\(error.message)")
        #expect(error.message.count < ErrorExcerpt.bodyLimit + 250, "an excerpt, not the page: \(error.message.count) characters")
    }

    @Test("PowerDNS's own error text surfaces with the zone and the records involved")
    func errorBodies() async throws {
        let server = try PowerDNSServer()
        let provider = try PowerDNSProvider(binding: binding(server))
        var desired = try Fixtures.load(["z.yaml": "provider: main\nzone: err.example.\nrecords:\n  www: {type: A, value: 192.0.2.1}\n"])
        desired.providers["main"] = binding(server)
        let (initial, scope) = try await plan(desired, provider)
        #expect(await apply(initial, provider, scope: scope).status == .succeeded)
        // A CNAME beside the A, which validation would refuse, reaches the server here.
        let bad = Change(
            action: .create, address: .record(zone: "err.example.", name: "www", type: .CNAME), provider: "main", before: nil,
            after: .record(RecordSpec(ttl: 60, values: ["x.err.example."])))
        let result = await provider.apply([bad], context: ApplyContext(stack: "test"))
        guard case .failed(let error)? = result.outcomes.first?.status else {
            Issue.record("expected a failure")
            return
        }
        #expect(error.code == .invalid)
        #expect(error.message.contains("err.example."))
        #expect(error.message.contains("www.err.example. CNAME"))
        #expect(error.message.lowercased().contains("conflict") || error.message.contains("CNAME"))
    }

    @Test("a dns check asks the server itself: passes on the applied values, fails on others")
    func dnsCheck() async throws {
        let server = try PowerDNSServer()
        let provider = try PowerDNSProvider(binding: binding(server))
        var desired = try Fixtures.load(["types.yaml": everyType])
        desired.providers["main"] = binding(server)
        let (initial, scope) = try await plan(desired, provider)
        let good = Check(
            name: "www", after: ["dns.record/types.example./www/*"],
            probe: .dns(name: "www.types.example.", type: .A, server: "127.0.0.1:\(server.dnsPort)", expect: ["192.0.2.10", "192.0.2.11"]),
            timeout: .seconds(5))
        let txt = Check(
            name: "txt", after: ["dns.record/types.example./long/*"],
            probe: .dns(
                name: "long.types.example.", type: .TXT, server: "127.0.0.1:\(server.dnsPort)", expect: ["\(String(repeating: "k", count: 300))-end"]),
            timeout: .seconds(5))
        let applied = await apply(initial, provider, scope: scope, checks: [good, txt])
        #expect(applied.status == .succeeded, "\(applied.error ?? "")")
        let ran = applied.chunks.flatMap { $0.checks }
        #expect(ran.map(\.name).sorted() == ["txt", "www"] && ran.allSatisfy { $0.passed })
        let wrong = Check(
            name: "wrong", probe: .dns(name: "www.types.example.", type: .A, server: "127.0.0.1:\(server.dnsPort)", expect: ["192.0.2.12"]),
            timeout: .milliseconds(800))
        let result = await CheckExecutor(probe: SystemProbe(), workingDirectory: "/tmp").run(wrong)
        #expect(!result.passed)
        #expect(result.attempts > 1)
        #expect(result.detail.contains("192.0.2.10"))
    }

    @Test("zones are created with the configured nameservers and deleted when they leave the documents")
    func zoneLifecycle() async throws {
        let server = try PowerDNSServer()
        let provider = try PowerDNSProvider(binding: binding(server))
        var desired = try Fixtures.load(["z.yaml": "provider: main\nzone: life.example.\nrecords:\n  www: {type: A, value: 192.0.2.1}\n"])
        desired.providers["main"] = binding(server)
        let (initial, scope) = try await plan(desired, provider)
        #expect(await apply(initial, provider, scope: scope).status == .succeeded)
        let (_, body) = try server.api("GET", "/zones/life.example.")
        #expect(body.contains("ns1.types.example."))
        var emptied = try Fixtures.load(["other.yaml": "provider: main\nzone: other.example.\n"])
        emptied.providers["main"] = binding(server)
        let prior = PriorState(managed: [.zone("life.example.")])
        let (removal, removalScope) = try await plan(emptied, provider, prior: prior)
        #expect(removal.changes.map(\.address).contains(.zone("life.example.")))
        #expect(await apply(removal, provider, scope: removalScope).status == .succeeded)
        let (status, _) = try server.api("GET", "/zones/life.example.")
        #expect(status == 404)
    }
}

func freePort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
    _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
    return Int(UInt16(bigEndian: address.sin_port))
}
