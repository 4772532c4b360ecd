import Foundation
import PlumbTestSupport
import Testing

@_spi(Testing) @testable import PlumbCore

/// `YAMLComposer` against Yams: on every text it accepts, the same trees, scalar styles and
/// marks; everything outside its subset declined (so Yams composes it and words the error).
@Suite("YAML composer")
struct YAMLComposerTests {
    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func files(under directory: String) -> [URL] {
        let root = repository.appendingPathComponent(directory)
        let walk = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil)
        return (walk?.allObjects as? [URL] ?? []).filter { !$0.hasDirectoryPath }.sorted { $0.path < $1.path }
    }

    /// The example repository is what users copy: all of it takes the fast path.
    @Test func composesEveryExampleFile() throws {
        let files =
            Self.files(under: "Desired") + Self.files(under: "Providers")
            + [Self.repository.appendingPathComponent("plumb.yaml")].filter { FileManager.default.fileExists(atPath: $0.path) }
        #expect(files.count >= 6)
        for file in files {
            let text = try String(contentsOf: file, encoding: .utf8)
            #expect(YAMLComposerCheck.compare(text) == .agreed, "\(file.path) declined at YAMLComposer.swift:\(YAMLComposer.declineLine(text) ?? 0)")
        }
    }

    /// The fuzz corpus is mostly hostile: whatever the composer accepts there, Yams agrees with.
    @Test func neverDisagreesOnTheFuzzCorpus() throws {
        var agreed = 0
        for file in Self.files(under: "Tests/Fuzz/corpus/loader") {
            guard let text = String(data: try Data(contentsOf: file), encoding: .utf8) else { continue }
            let outcome = YAMLComposerCheck.compare(text)
            if case .disagreed(let difference) = outcome { Issue.record("\(file.lastPathComponent): \(difference)") }
            if outcome == .agreed { agreed += 1 }
        }
        #expect(agreed >= 5)
    }

    static let accepted: [String] = [
        "a: 1\n",
        "a: 1",
        "zone: example.com.\nttl: 300\nrecords:\n  www:\n    type: A\n    value: 192.0.2.1\n",
        "records:\n  \"h0\": {type: A, values: [\"10.0.0.0\"]}\n  'h1': {type: TXT, values: ['it''s', \"tab\\there\"]}\n",
        "list:\n- a\n- b\nnext: c\n",
        "list:\n  - a\n  -   b   # comment\n  - {x: 1}\n  - [1, 2, [3]]\n",
        "- a: 1\n  b: 2\n- - x\n  - y\n-\n  c: 3\n",
        "# leading comment\n\n---\na: 1\n---\n# only a comment before\nb: [ ]\n",
        "key with spaces: value with:colons:inside and#hash\n",
        "url: http://example.com:8080/path?x=1#frag\n",
        "v6: 2001:db8::1\ncaa: 0 issue \"letsencrypt.org\"\n",
        "n: -1\nflag: yes\nnull: ~\nempty: ''\nq: \"\"\n",
        "unicode: \"caf\\u00e9 \\U0001F600 \\x41\\N\\_\\L\\P\\/\"\nplain: café — ünïcödé\nafter: ü:x\n",
        "nested:\n  deeper:\n    deepest: {a: b, c: [d, e]}\n  back: 1\nout: 2\n",
        "a: 'single # not a comment'\nb: \"double # neither\"   # but this is\n",
        "top:   \n  x: 1\n\n\n  y: 2\n",
        "{a: 1, b: [x, y]}\n",
        "[1, 2]\n",
        "scalar root\n",
        "a: [\"a,b\", 'c]d', \"{e}\"]\n",
        "seq:\n- one\n# comment between\n- two\n",
        "-1: negative key\n",
    ]

    @Test(arguments: accepted)
    func agreesWithYams(_ text: String) {
        #expect(YAMLComposerCheck.compare(text) == .agreed, "declined at YAMLComposer.swift:\(YAMLComposer.declineLine(text) ?? 0)")
    }

    static let declined: [String] = [
        "a: &x 1\nb: *x\n",
        "a: !!str 1\n",
        "a: |\n  block\n",
        "a: >\n  folded\n",
        "a:\tb\n",
        "a: 1\r\nb: 2\r\n",
        "\u{FEFF}a: 1\n",
        "a: 1\na: 2\n",
        "{a: 1, a: 2}\n",
        "a:\n",
        "a:\nb: 1\n",
        "a: multi\n  line\n",
        "a: \"multi\n  line\"\n",
        "a: [1,\n  2]\n",
        "? complex\n: key\n",
        "%YAML 1.1\n---\na: 1\n",
        "---\n",
        "a: 1\n...\n",
        "---\n...\n",
        "a: b\n---\n...\n",
        "---\n%YAML 1.1\n",
        "a: b: c\n",
        "a: [1, 2,]\n",
        "a: [x: 1]\n",
        "a: {b:1}\n",
        "  a: 1\nb: 2\n",
        "a: 1\n  b: 2\n",
        "- a\nb: 1\n",
        "a: \"unterminated\n",
        "a: \"bad escape \\q\"\n",
        "a: \"surrogate \\ud800\"\n",
        "a: 'x' y\n",
        "a: 1 #ok\nb: @reserved\n",
        "a: x\u{85}y\n",
        String(repeating: "k", count: 1100) + ": v\n",
        "\"" + String(repeating: "k", count: 990) + "\"" + String(repeating: " ", count: 40) + ": v\n",
        "a: {\"" + String(repeating: "k", count: 990) + "\"" + String(repeating: " ", count: 40) + ": v}\n",
    ]

    @Test(arguments: declined)
    func leavesTheRestToYams(_ text: String) {
        #expect(YAMLComposerCheck.compare(text) == .declined)
    }

    /// Random documents, valid by construction (nested block and flow collections, scalars
    /// of every style the composer knows), a third of them then mutated by one character:
    /// never a disagreement, and the valid ones taken by the fast path.
    @Test func randomDocumentsNeverDisagree() {
        var generator = SplitMix64(seed: 0x5EED)
        var counts: [String: Int] = [:]
        for round in 0..<3000 {
            var random = RandomYAML(generator: SplitMix64(seed: generator.next()))
            var text = random.document()
            let mutated = round % 3 == 0
            if mutated, !text.isEmpty {
                var bytes = Array(text.utf8)
                let position = Int(generator.next() % UInt64(bytes.count))
                let noise = Array(" :-#'\"[]{},\n\t&*!|>?\\".utf8)
                if generator.next() % 2 == 0 {
                    bytes.insert(noise[Int(generator.next() % UInt64(noise.count))], at: position)
                } else {
                    bytes.remove(at: position)
                }
                text = String(decoding: bytes, as: UTF8.self)
            }
            switch YAMLComposerCheck.compare(text) {
            case .agreed: counts[mutated ? "mutated agreed" : "agreed", default: 0] += 1
            case .declined: counts[mutated ? "mutated declined" : "declined", default: 0] += 1
            case .disagreed(let difference): Issue.record(Comment(rawValue: "\(text.debugDescription): \(difference)"))
            }
        }
        // Declined valid documents are those with an empty value or a key repeated by chance.
        #expect(counts["agreed", default: 0] >= 1500, "\(counts)")
        #expect(counts["mutated declined", default: 0] >= 100, "\(counts)")
    }

    /// Booleans read as they were through Yams: quoted and `!!str` scalars are strings.
    @Test(
        arguments: [
            ("a: true", true), ("a: Off", false), ("a: \"true\"", nil), ("a: 'no'", nil),
            ("a: !!str yes", nil), ("a: !!bool yes", true), ("a: maybe", nil),
        ] as [(String, Bool?)])
    func booleans(_ text: String, _ expected: Bool?) throws {
        let reader = YAMLReader(file: "t.yaml")
        guard case .mapping(let pairs, _)? = reader.documents(text).first else {
            Issue.record("not a mapping")
            return
        }
        #expect(pairs.first?.value.bool == expected)
    }

    /// A whole zone on one line (as `json.dumps` writes it): composed, marks and all.
    @Test func oneLongLine() {
        let entries = (0..<5000).map { "\"h\($0)\": {\"type\": \"TXT\", \"values\": [\"é \($0)\"]}" }
        let text = "{\"records\": {" + entries.joined(separator: ", ") + "}}\n"
        #expect(YAMLComposerCheck.compare(text) == .agreed)
    }

    /// Positions survive the fast path: errors still point at the right line and column.
    @Test func diagnosticsKeepTheirPositions() throws {
        let text = "provider: main\nzone: example.com.\nrecords:\n  www: {type: A, value: \"192.0.2.300\"}\n"
        #expect(YAMLComposer.compose(text) != nil)
        let tree = BytesTree(["Providers/main.yaml": Data("kind: embedded\n".utf8), "Desired/z.yaml": Data(text.utf8)], label: "t")
        let error = try #require(throws: DiagnosticsError.self) { try DesiredStateLoader(environment: [:]).load(tree) }
        let location = try #require(error.diagnostics.first?.location)
        #expect((location.file, location.line, location.column) == ("Desired/z.yaml", 4, 25))
    }
}

/// A random document in the composer's subset.
struct RandomYAML {
    var generator: SplitMix64
    var lines: [String] = []

    static let scalars = [
        "a", "v1", "h0", "x y", "-1", "3600", "~", "yes", "http://x:1/p?q#f", "2001:db8::1",
        "café", "a#b", "\"q\"", "\"\"", "\"e\\\"s\\\\c\\t\\u00e9\"", "'it''s'", "''", "'#'", "\"a, b\"",
    ]

    init(generator: SplitMix64) { self.generator = generator }

    mutating func pick<T>(_ items: [T]) -> T { items[Int(generator.next() % UInt64(items.count))] }

    mutating func flow(_ depth: Int) -> String {
        if depth > 2 || generator.next() % 3 == 0 { return pick(Self.scalars) }
        let count = Int(generator.next() % 4)
        if generator.next() % 2 == 0 {
            return "[" + (0..<count).map { _ in flow(depth + 1) }.joined(separator: ", ") + "]"
        }
        let keys = Set((0..<count).map { _ in pick(["k", "t", "values", "\"q\""]) })
        return "{" + keys.sorted().map { "\($0): \(flow(depth + 1))" }.joined(separator: ", ") + "}"
    }

    mutating func block(_ indent: Int, _ depth: Int, sequence: Bool, prefix: String? = nil) {
        let pad = String(repeating: " ", count: indent)
        var keys: Set<String> = []
        for item in 0..<Int(generator.next() % 3 + 1) {
            let lead = item == 0 && prefix != nil ? prefix! : pad
            let head: String
            if sequence {
                head = lead + "- "
            } else {
                let key = pick(["a", "b", "c", "k k", "\"q\"", "'s'", "h1", "_x"])
                guard keys.insert(key).inserted else { continue }
                head = lead + key + ":"
            }
            switch depth > 3 ? 0 : generator.next() % 5 {
            case 0, 1: lines.append(head + (sequence ? "" : " ") + pick(Self.scalars) + pick(["", "", " # c"]))
            case 2: lines.append(head + (sequence ? "" : " ") + flow(0))
            case 3:
                if sequence {
                    // A compact mapping or sequence on the item's own line.
                    block(indent + 2, depth + 1, sequence: generator.next() % 2 == 0, prefix: head)
                } else {
                    lines.append(head)
                    block(indent + 2, depth + 1, sequence: generator.next() % 2 == 0)
                }
            default:
                lines.append(head + pick(["", " # c"]))
                if generator.next() % 4 == 0 { lines.append(pick(["", "# between", "   "])) }
                let indentless = !sequence && generator.next() % 2 == 0
                block(indentless ? indent : indent + 2, depth + 1, sequence: indentless || generator.next() % 2 == 0)
            }
        }
    }

    mutating func document() -> String {
        for index in 0..<Int(generator.next() % 2 + 1) {
            if index > 0 || generator.next() % 4 == 0 { lines.append("---") }
            block(0, 0, sequence: generator.next() % 4 == 0)
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
