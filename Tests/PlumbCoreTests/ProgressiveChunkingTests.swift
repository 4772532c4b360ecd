import Foundation
import PlumbTestSupport
import Testing

@testable import PlumbCore

/// SPEC §8.5: progressive chunking (the default), its boundaries and limits, and canaries.
@Suite("Progressive chunking")
struct ProgressiveChunkingTests {
    static func records(_ count: Int, zone: String = "example.com.", provider: String = "main") -> [Change] {
        (0..<count).map { F.create(F.record(zone, "h\($0)", .A, ["192.0.2.1"], provider: provider)) }
    }

    func shape(_ chunks: [Plan.Chunk]) -> [Int] { chunks.map(\.changes.count) }

    @Test("100 record creates with the default settings: 1, 2, 4, 8, 16, 32, 37")
    func hundredByDefault() {
        let settings = StackSettings(stack: "s")
        #expect(settings.chunkStrategy == .progressive)
        #expect(settings.chunkFirst == 1)
        #expect(settings.chunkSize == 500)
        let chunks = Chunker(settings: settings, providers: [:]).chunks(Self.records(100))
        #expect(shape(chunks) == [1, 2, 4, 8, 16, 32, 37])
        #expect(chunks.flatMap(\.changes) == Self.records(100), "order and content are kept")
    }

    @Test(
        "growth stops at max_changes; fixed keeps every chunk at max_changes",
        arguments: [
            ProgressiveCase(id: "capped-at-max", strategy: .progressive, first: 1, max: 8, changes: 40, shape: [1, 2, 4, 8, 8, 8, 8, 1]),
            ProgressiveCase(id: "first-three", strategy: .progressive, first: 3, max: 500, changes: 30, shape: [3, 6, 12, 9]),
            ProgressiveCase(id: "one-change-one-chunk", strategy: .progressive, first: 1, max: 500, changes: 1, shape: [1]),
            ProgressiveCase(id: "fixed", strategy: .fixed, first: 1, max: 20, changes: 45, shape: [20, 20, 5]),
        ])
    func growth(_ value: ProgressiveCase) {
        let chunker = Chunker(size: value.max, boundary: .kind, strategy: value.strategy, first: value.first)
        #expect(shape(chunker.chunks(Self.records(value.changes))) == value.shape)
    }

    @Test("a boundary cuts a chunk short without resetting the growth")
    func boundaryKeepsGrowth() {
        // Three records of one zone binding, then twenty of another binding.
        let changes = Self.records(3, provider: "a") + Self.records(20, zone: "other.example.", provider: "b")
        let chunks = Chunker(size: 500, boundary: .kind, strategy: .progressive).chunks(changes)
        // 1, 2 for binding a; then 4 (not 1 again), 8, and the 8 left for binding b.
        #expect(shape(chunks) == [1, 2, 4, 8, 8])
        #expect(chunks.map(\.provider) == ["a", "a", "b", "b", "b"])
    }

    @Test("a provider's own limit caps the growth (Route 53: 500 per chunk)")
    func providerLimit() {
        let providers = ["cloud": ProviderBinding(name: "cloud", type: .aws)]
        var settings = StackSettings(stack: "s")
        settings.chunkSize = 10_000
        let chunks = Chunker(settings: settings, providers: providers).chunks(Self.records(2_000, provider: "cloud"))
        #expect(shape(chunks) == [1, 2, 4, 8, 16, 32, 64, 128, 256, 500, 500, 489])
    }

    @Test("canary globs: the matching changes go first, together in the first chunk")
    func canaryFirst() {
        let changes = Self.records(10)
        let (ordered, leading) = Canary.ordered(changes, globs: ["*/h7/*", "*/h3/*"])
        #expect(ordered.prefix(2).map(\.address.name) == ["example.com./h3/A", "example.com./h7/A"])
        #expect(leading == 2)
        let chunks = Chunker(size: 500, boundary: .kind, strategy: .progressive, first: 1, leading: leading).chunks(ordered)
        #expect(shape(chunks) == [2, 4, 4])
        #expect(Set(ordered.map(\.address)) == Set(changes.map(\.address)))
    }

    @Test("a canary never goes ahead of what it depends on: a record waits for its zone")
    func canaryAfterDependency() {
        let zone = F.create(F.zone("new.example."))
        let records = Self.records(4, zone: "new.example.")
        let (ordered, leading) = Canary.ordered([zone] + records, globs: ["*/h2/*"])
        #expect(ordered.map(\.address.name) == ["new.example.", "new.example./h2/A", "new.example./h0/A", "new.example./h1/A", "new.example./h3/A"])
        #expect(leading == 0)
    }

    @Test("a plan shows its chunk sizes in text, JSON and Markdown")
    func planShowsSizes() throws {
        let resources = (0..<100).map { F.record("example.com.", "h\($0)", .A, ["192.0.2.1"]) }
        let plan = planOf(F.state(resources + [F.zone("example.com.")]), F.inventory([F.live(F.zone("example.com."))]))
        #expect(plan.chunks.map(\.changes.count) == [1, 2, 4, 8, 16, 32, 37])
        #expect(plan.chunking?.sizes == [1, 2, 4, 8, 16, 32, 37])
        let text = PlanTextRenderer(style: TextStyle(color: false)).render(plan)
        #expect(text.contains("Chunks: 1, 2, 4, 8, 16, 32, 37 (progressive"))
        #expect(PlanMarkdownRenderer().render(plan).contains("Chunks: 1, 2, 4, 8, 16, 32, 37 (progressive"))
        let json = try JSONOutput.encode(plan)
        #expect(json.contains("\"sizes\" : [\n      1,\n      2,\n      4,"))
        #expect(json.contains("\"strategy\" : \"progressive\""))
        let decoded = try JSONDecoder().decode(Plan.self, from: Data(json.utf8))
        #expect(decoded == plan)
    }
}

struct ProgressiveCase: CustomTestStringConvertible, Sendable {
    var id: String
    var strategy: StackSettings.ChunkStrategy
    var first: Int
    var max: Int
    var changes: Int
    var shape: [Int]
    var testDescription: String { id }
}
