import PlumbTestSupport
import Testing

@testable import PlumbCore

@Suite("Chunker")
struct ChunkerTests {
    static func records(_ count: Int, provider: String = "main") -> [Change] {
        (0..<count).map { F.create(F.record("example.com.", "h\($0)", .A, ["192.0.2.1"], provider: provider)) }
    }

    func shape(_ chunks: [Plan.Chunk]) -> [Int] { chunks.map(\.changes.count) }

    @Test(
        "chunks hold at most the chunk size",
        arguments: [
            ChunkSizeCase(id: "seven-by-three", changes: 7, size: 3, shape: [3, 3, 1]),
            ChunkSizeCase(id: "exact-multiple", changes: 6, size: 3, shape: [3, 3]),
            ChunkSizeCase(id: "one-each", changes: 3, size: 1, shape: [1, 1, 1]),
            ChunkSizeCase(id: "fits-in-one", changes: 5, size: 20, shape: [5]),
            ChunkSizeCase(id: "size-zero-means-one", changes: 2, size: 0, shape: [1, 1]),
        ])
    func size(_ value: ChunkSizeCase) {
        let chunks = Chunker(size: value.size, boundary: .kind).chunks(Self.records(value.changes))
        #expect(shape(chunks) == value.shape)
        #expect(chunks.map(\.index) == Array(0..<value.shape.count))
        #expect(chunks.flatMap(\.changes) == Self.records(value.changes), "order and content are kept")
    }

    @Test("no changes, no chunks")
    func empty() {
        #expect(Chunker(size: 20, boundary: .kind).chunks([]).isEmpty)
    }

    @Test("by kind: a new chunk at every change of kind or provider")
    func byKind() {
        let changes =
            [F.create(F.vpc("main")), F.create(F.subnet("a", "10.0.1.0/24")), F.create(F.subnet("b", "10.0.2.0/24"))]
            + Self.records(2, provider: "main") + Self.records(1, provider: "dns")
        let chunks = Chunker(size: 20, boundary: .kind).chunks(changes)
        #expect(shape(chunks) == [1, 2, 2, 1])
        #expect(chunks.map(\.kind) == [.vpc, .subnet, .record, .record])
        #expect(chunks.map(\.provider) == ["main", "main", "main", "dns"])
    }

    @Test("by provider: kinds share a chunk, providers do not")
    func byProvider() {
        let changes =
            [F.create(F.vpc("main")), F.create(F.subnet("a", "10.0.1.0/24"))]
            + Self.records(2, provider: "dns") + [F.create(F.role("r", trust: .object([:])))]
        let chunks = Chunker(size: 20, boundary: .provider).chunks(changes)
        #expect(shape(chunks) == [2, 2, 1])
        #expect(chunks.map(\.provider) == ["main", "dns", "main"])
        #expect(chunks.map(\.kind) == [nil, .record, .role])
    }

    @Test("none: only the size cuts, and a mixed chunk names no provider or kind")
    func byNone() {
        let changes = [F.create(F.vpc("main"))] + Self.records(2, provider: "dns") + Self.records(2, provider: "main")
        let chunks = Chunker(size: 4, boundary: .none).chunks(changes)
        #expect(shape(chunks) == [4, 1])
        #expect(chunks[0].provider == nil)
        #expect(chunks[0].kind == nil)
        #expect(chunks[1].provider == "main")
        #expect(chunks[1].kind == .record)
    }

    @Test(
        "deletes never share a chunk with creates or updates",
        arguments: [
            StackSettings.ChunkBoundary.kind, .provider, .none,
        ])
    func deletesApart(_ boundary: StackSettings.ChunkBoundary) {
        let a = F.record("example.com.", "a", .A, ["192.0.2.1"])
        let b = F.record("example.com.", "b", .A, ["192.0.2.2"])
        let c = F.record("example.com.", "c", .A, ["192.0.2.3"])
        let changes = [F.create(a), F.update(b, from: .record(RecordSpec(ttl: 1, values: ["x"]))), F.delete(c), F.delete(F.zone("old.example."))]
        let chunks = Chunker(size: 20, boundary: boundary).chunks(changes)
        for chunk in chunks {
            let deletes = chunk.changes.filter { $0.action == .delete }.count
            #expect(deletes == 0 || deletes == chunk.changes.count, "chunk \(chunk.index) mixes deletes with writes")
        }
        #expect(chunks.flatMap(\.changes) == changes)
        #expect(chunks.first?.changes.map(\.action) == [.create, .update])
    }

    @Test("a delete between creates splits the run")
    func deleteBetweenCreates() {
        let a = F.record("example.com.", "www", .A, ["192.0.2.1"])
        let cname = F.record("example.com.", "www", .CNAME, ["x.example."])
        let b = F.record("example.com.", "b", .A, ["192.0.2.2"])
        let chunks = Chunker(size: 20, boundary: .none).chunks([F.create(b), F.delete(a), F.create(cname)])
        #expect(chunks.map { $0.changes.map(\.action) } == [[.create], [.delete], [.create]])
    }

    @Test("a plan's chunks follow plumb.yaml's chunking settings")
    func planUsesSettings() {
        let resources = (0..<5).map { F.record("example.com.", "h\($0)", .A, ["192.0.2.1"]) } + [F.zone("example.com.")]
        let desired = F.state(resources) { $0.chunkSize = 2 }
        let plan = planOf(desired, Inventory())
        #expect(plan.chunks.map(\.changes.count) == [1, 2, 2, 1])
        #expect(plan.chunks.map(\.kind) == [.zone, .record, .record, .record])
    }
}

struct ChunkSizeCase: CustomTestStringConvertible, Sendable {
    var id: String
    var changes: Int
    var size: Int
    var shape: [Int]
    var testDescription: String { id }
}
