import Foundation
import Synchronization
import Testing

@testable import PlumbCore

/// The loader corpus of the fuzz targets (Tests/Fuzz/corpus/loader, see Tests/Fuzz/README.md)
/// replayed on every test run, as the fuzz target feeds it: the file's bytes as
/// `Desired/fuzz.yaml` beside an embedded binding `Providers/main.yaml`.
///
/// `seed-*` files are valid and must load. Every other file must load or be refused with
/// diagnostics that carry a file:line:column, and none may take longer than `bound` (a
/// safety net against hangs, not a performance assertion). `hostile-alias-bomb*` must be
/// refused as an alias bomb, without being expanded.
@Suite("Hostile inputs")
struct HostileInputTests {
    static let corpus = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fuzz/corpus/loader")

    static let files: [String] = ((try? FileManager.default.contentsOfDirectory(atPath: corpus.path)) ?? [])
        .filter { !$0.hasPrefix(".") }.sorted()

    static let bound = Duration.seconds(5)

    /// Loads the bytes as the fuzz target does, timing it, on a thread of its own with an 8 MiB
    /// stack (whatever thread runs the test). A load still running after 4 × `bound` is a
    /// hang: the test fails then instead of waiting for it (the thread is left behind).
    static func load(_ data: Data) -> (elapsed: Duration, result: Result<DesiredState, any Error>) {
        // The corpus holds invalid UTF-8 on purpose: a tree of bytes.
        let tree = BytesTree(
            [
                "Providers/main.yaml": Data("kind: embedded\n".utf8),
                "Desired/fuzz.yaml": data,
            ], label: "hostile")
        let outcome = Mutex<(Duration, Result<DesiredState, any Error>)?>(nil)
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            var result: Result<DesiredState, any Error> = .failure(CancellationError())
            let elapsed = ContinuousClock().measure {
                result = Result { try DesiredStateLoader(environment: [:]).load(tree) }
            }
            outcome.withLock { $0 = (elapsed, result) }
            done.signal()
        }
        thread.stackSize = 8 << 20
        thread.start()
        let hang = bound * 4
        guard done.wait(timeout: .now() + .milliseconds(Int(hang.components.seconds * 1000))) == .success,
            let (elapsed, result) = outcome.withLock({ $0 })
        else {
            Issue.record("the loader did not finish within \(hang): a hang")
            return (hang, .failure(CancellationError()))
        }
        return (elapsed, result)
    }

    /// The diagnostics of a refusal, with an issue recorded for anything that is not one or
    /// lacks a position in the repository's files.
    static func diagnostics(_ result: Result<DesiredState, any Error>, _ name: String) -> [Diagnostic]? {
        guard case .failure(let error) = result else { return nil }
        if error is CancellationError { return [] }  // a hang, recorded by `load`
        guard let error = error as? DiagnosticsError else {
            Issue.record("\(name): the loader threw \(type(of: error)), not DiagnosticsError: \(error)")
            return []
        }
        #expect(!error.diagnostics.isEmpty, "\(name): refused without diagnostics")
        for diagnostic in error.diagnostics {
            guard let location = diagnostic.location else {
                Issue.record("\(name): no file:line position for \(diagnostic)")
                continue
            }
            #expect(["Desired/fuzz.yaml", "Providers/main.yaml"].contains(location.file), "\(name): \(diagnostic)")
            #expect(location.line >= 1 && location.column >= 1, "\(name): \(diagnostic)")
        }
        return error.diagnostics
    }

    @Test("the corpus is there")
    func corpusPresent() {
        #expect(Self.files.filter { $0.hasPrefix("seed-") }.count >= 5, "no seeds in \(Self.corpus.path)")
        #expect(Self.files.contains("hostile-alias-bomb.yaml"))
        #expect(Self.files.contains("hostile-deep-flow-sequence.yaml"))
    }

    @Test("each corpus file loads or is refused with positioned diagnostics, in time", arguments: files)
    func replay(_ name: String) throws {
        let data = try Data(contentsOf: Self.corpus.appendingPathComponent(name))
        let (elapsed, result) = Self.load(data)
        #expect(elapsed < Self.bound, "\(name) took \(elapsed)")
        let diagnostics = Self.diagnostics(result, name)
        if name.hasPrefix("seed-") {
            #expect(diagnostics == nil, "\(name) is a valid seed but was refused: \(diagnostics ?? [])")
        }
        if name.hasPrefix("hostile-alias-bomb") {
            let diagnostics = try #require(diagnostics, "\(name) loaded: the alias bomb was expanded")
            #expect(diagnostics.count == 1 && diagnostics[0].message.contains("alias bomb"), "\(name): \(diagnostics)")
        }
    }

    @Test("an unknown key of 2 MiB is refused quickly (no quadratic 'did you mean')")
    func hugeUnknownKey() throws {
        let text =
            "provider: main\n? " + String(repeating: "z", count: 2 << 20) + "\n: 1\n"
            + "subnets:\n  s: {vpc: " + String(repeating: "v", count: 1 << 20) + ", cidr: 10.0.1.0/24, zone: z}\n"
        let (elapsed, result) = Self.load(Data(text.utf8))
        #expect(elapsed < Self.bound, "took \(elapsed)")
        let diagnostics = try #require(Self.diagnostics(result, "huge key"))
        #expect(diagnostics.map(\.code) == [.unknownKey, .unresolvedReference])
    }

    @Test("a file over 16 MiB is refused at its first line without being parsed")
    func hugeFile() throws {
        let line = "# " + String(repeating: "x", count: 1022) + "\n"
        let text = "provider: main\nzone: big.example.\n" + String(repeating: line, count: 17 << 10)
        let (elapsed, result) = Self.load(Data(text.utf8))
        #expect(elapsed < Self.bound, "took \(elapsed)")
        let diagnostics = try #require(Self.diagnostics(result, "17 MiB file"))
        #expect(diagnostics.count == 1)
        #expect(diagnostics.first?.message.contains("limited to 16 MiB") == true, "\(diagnostics)")
        #expect(diagnostics.first?.location?.line == 1)
    }

    @Test("aliases may add up to the budget of nodes, not one alias more")
    func aliasBudget() throws {
        // One anchored list of 999 scalars (1,000 nodes): each alias of it adds 999 nodes.
        let perAlias = 999
        let allowed = YAMLAliasGuard.maxAddedNodes / perAlias
        func document(aliases: Int) -> Data {
            let list = "&s [" + Array(repeating: "x", count: perAlias).joined(separator: ",") + "]"
            let statement = ([list] + Array(repeating: "*s", count: aliases)).joined(separator: ", ")
            return Data("provider: main\nroles:\n  r:\n    trust: {Version: \"2012-10-17\", Statement: [\(statement)]}\n".utf8)
        }
        let within = Self.load(document(aliases: allowed))
        #expect(within.elapsed < Self.bound)
        #expect(Self.diagnostics(within.result, "within budget") == nil)
        let over = Self.load(document(aliases: allowed + 1))
        #expect(over.elapsed < Self.bound)
        let diagnostics = try #require(Self.diagnostics(over.result, "over budget"))
        #expect(diagnostics.count == 1 && diagnostics[0].message.contains("alias bomb"), "\(diagnostics)")
        // Positioned at the alias that crossed the budget, as it stands in the text.
        let text = String(decoding: document(aliases: allowed + 1), as: UTF8.self)
        let line = text.split(separator: "\n", omittingEmptySubsequences: false)[3]
        let column = diagnostics[0].location.map { $0.column } ?? 0
        #expect(line.dropFirst(column - 1).hasPrefix("*s"), "column \(column)")
    }
}
