import Yams

/// Reads one YAML file's node tree into typed values, collecting diagnostics with
/// file:line:column instead of stopping at the first problem.
public final class YAMLReader {
    public let file: String
    public private(set) var diagnostics = DiagnosticBag()

    public init(file: String) {
        self.file = file
    }

    /// Parses every document in `text`; a syntax error becomes one diagnostic, and so does
    /// an alias bomb (see YAMLAliasGuard), which is refused before it is composed. The
    /// everyday subset is composed by `YAMLComposer`; Yams composes the rest and words
    /// every syntax error.
    public func documents(_ text: String) -> [YAMLNode] {
        if let nodes = YAMLComposer.compose(text) { return nodes }
        if let refusal = YAMLAliasGuard.refusal(text, file: file) {
            diagnostics.append(contentsOf: [refusal])
            return []
        }
        do {
            return try YAMLNode.composeAll(text)
        } catch {
            diagnostics.append(contentsOf: [YAMLReader.syntaxDiagnostic(error, file: file, text: text)])
            return []
        }
    }

    /// `text`, when given, lets a duplicate key be reported where it repeats (Yams marks the
    /// first occurrence, which is the one a reader wants to keep).
    static func syntaxDiagnostic(_ error: any Error, file: String, text: String? = nil) -> Diagnostic {
        let hint = "fix the YAML syntax (check indentation, quotes and colons)"
        switch error {
        case YamlError.parser(let context?, let problem, _, _) where problem.hasPrefix("did not find expected ',' or"):
            // An unclosed `[` or `{`: libyaml notices on a later line; the bracket is the cause.
            let bracket = context.text.contains("sequence") ? "[" : "{"
            let closer = bracket == "[" ? "]" : "}"
            return Diagnostic(
                .syntax, at: SourceLocation(file: file, line: context.mark.line, column: context.mark.column),
                "YAML syntax error: this '\(bracket)' is never closed",
                hint: "end it with '\(closer)' on the same line, or separate its items with ','")
        case YamlError.scanner(let context, let problem, let mark, _),
            YamlError.parser(let context, let problem, let mark, _),
            YamlError.composer(let context, let problem, let mark, _):
            // Yams may put a whole mapping into the problem text: keep its first line.
            let firstLine = problem.split(separator: "\n").first.map(String.init) ?? problem
            let detail = String((context.map { "\(firstLine) \($0.text)" } ?? firstLine).prefix(160))
            let message =
                problem.contains("duplicate")
                ? "duplicate key: a key appears twice in this mapping" : "YAML syntax error: \(detail)"
            return Diagnostic(
                problem.contains("duplicate") ? .duplicate : .syntax,
                at: SourceLocation(file: file, line: mark.line, column: mark.column), message,
                hint: problem.contains("duplicate") ? "keep one of the keys" : hint)
        case YamlError.duplicatedKeysInMapping(let duplicates, let context):
            let keys = duplicates.sorted().map { "'\($0)'" }.joined(separator: ", ")
            let first = (line: context.mark.line, column: context.mark.column)
            let repeated = text.flatMap { text in duplicates.sorted().first.flatMap { YAMLDuplicateKey.repeat(of: $0, first: first, in: text) } }
            let at = repeated ?? first
            let earlier = repeated == nil ? "" : " (first at line \(first.line))"
            return Diagnostic(
                .duplicate, at: SourceLocation(file: file, line: at.line, column: at.column),
                "duplicate key \(keys): a key appears twice in this mapping\(earlier)", hint: "keep one of them")
        case YamlError.reader(let problem, _, _, _):
            return Diagnostic(
                .syntax, at: SourceLocation(file: file, line: 1, column: 1),
                "unreadable YAML: \(problem)", hint: "save the file as UTF-8 text")
        default:
            return Diagnostic(
                .syntax, at: SourceLocation(file: file, line: 1, column: 1),
                "YAML error: \(error)", hint: hint)
        }
    }

    public func location(_ node: YAMLNode) -> SourceLocation {
        SourceLocation(file: file, line: Int(node.mark.line), column: Int(node.mark.column))
    }

    public func error(_ code: Diagnostic.Code, _ node: YAMLNode, _ message: String, hint: String? = nil) {
        diagnostics.error(code, at: location(node), message, hint: hint)
    }

    public func error(_ code: Diagnostic.Code, at location: SourceLocation, _ message: String, hint: String? = nil) {
        diagnostics.error(code, at: location, message, hint: hint)
    }

    /// A mapping's entries, in order. Keys outside `allowed` are reported (with a
    /// suggestion) and dropped; a non-mapping is reported and gives nil.
    public func mapping(_ node: YAMLNode, _ what: String, allowed: [String]? = nil) -> [YAMLEntry]? {
        var entries: [YAMLEntry] = []
        let isMapping = forEachEntry(node, what, allowed: allowed, reserve: { entries.reserveCapacity($0) }) {
            entries.append($0)
        }
        return isMapping ? entries : nil
    }

    /// The same entries handed to `body` one by one, without an array of them (a zone's
    /// `records:` has one per name: 100,000 entries held beside the nodes they come from).
    /// False, after reporting it, when `node` is not a mapping.
    @discardableResult
    func forEachEntry(
        _ node: YAMLNode, _ what: String, allowed: [String]? = nil, reserve: (Int) -> Void = { _ in },
        _ body: (YAMLEntry) -> Void
    ) -> Bool {
        guard case .mapping(let pairs, _) = node else {
            error(.wrongType, node, "\(what) must be a mapping (key: value)")
            return false
        }
        reserve(pairs.count)
        for pair in pairs {
            let keyNode = pair.key
            guard let key = keyNode.scalar?.text else {
                error(.wrongType, keyNode, "\(what): keys must be plain strings")
                continue
            }
            if let allowed, !allowed.contains(key) {
                let hint =
                    Suggestion.hint(for: key, in: allowed)
                    ?? "allowed keys: \(allowed.joined(separator: ", "))"
                error(.unknownKey, keyNode, "unknown key '\(key)' in \(what)", hint: hint)
                continue
            }
            body(YAMLEntry(key: key, keyNode: keyNode, value: pair.value))
        }
        return true
    }

    public func scalar(_ node: YAMLNode, _ what: String) -> String? {
        guard case .scalar(let scalar) = node else {
            error(.wrongType, node, "\(what) must be a single value, not a list or mapping")
            return nil
        }
        return scalar.text
    }

    public func string(_ node: YAMLNode, _ what: String) -> String? {
        guard let text = scalar(node, what) else { return nil }
        if text.isEmpty, node.scalar?.style == .plain {
            error(.missingKey, node, "\(what) is empty")
            return nil
        }
        return text
    }

    public func int(_ node: YAMLNode, _ what: String, range: ClosedRange<Int>) -> Int? {
        guard let text = scalar(node, what) else { return nil }
        guard let value = Int(text), range.contains(value) else {
            error(.invalidValue, node, "\(what) must be a whole number from \(range.lowerBound) to \(range.upperBound), not '\(text)'")
            return nil
        }
        return value
    }

    func double(_ node: YAMLNode, _ what: String, range: ClosedRange<Double>) -> Double? {
        guard let text = scalar(node, what) else { return nil }
        guard let value = Double(text), range.contains(value) else {
            error(.invalidValue, node, "\(what) must be a number from \(range.lowerBound) to \(range.upperBound), not '\(text)'")
            return nil
        }
        return value
    }

    public func bool(_ node: YAMLNode, _ what: String) -> Bool? {
        guard scalar(node, what) != nil else { return nil }
        guard let value = node.bool else {
            error(.invalidValue, node, "\(what) must be true or false")
            return nil
        }
        return value
    }

    /// A list of strings; a single scalar counts as a one-element list.
    func strings(_ node: YAMLNode, _ what: String) -> [(String, YAMLNode)]? {
        switch node {
        case .scalar(let scalar): return [(scalar.text, node)]
        case .sequence(let sequence, _):
            var result: [(String, YAMLNode)] = []
            for item in sequence {
                if let text = scalar(item, "each of \(what)") { result.append((text, item)) }
            }
            return result
        default:
            error(.wrongType, node, "\(what) must be a value or a list of values")
            return nil
        }
    }

    func stringMap(_ node: YAMLNode, _ what: String) -> [String: String]? {
        guard let entries = mapping(node, what) else { return nil }
        var result: [String: String] = [:]
        for entry in entries {
            if let value = scalar(entry.value, "\(what).\(entry.key)") { result[entry.key] = value }
        }
        return result
    }

    /// Any YAML value as JSON (policy documents), keeping scalar types.
    func json(_ node: YAMLNode) -> JSONValue {
        switch node {
        case .scalar(let scalar):
            if scalar.style == .plain {
                if scalar.text == "null" || scalar.text == "~" { return .null }
                if let value = node.bool { return .bool(value) }
                if let value = Int(scalar.text) { return .int(value) }
            }
            return .string(scalar.text)
        case .sequence(let sequence, _):
            return .array(sequence.map(json))
        case .mapping(let pairs, _):
            var object: [String: JSONValue] = [:]
            for pair in pairs { object[pair.key.scalar?.text ?? "?"] = json(pair.value) }
            return .object(object)
        case .alias:
            return .null
        }
    }
}

/// One key of a mapping, with the nodes that give positions.
public struct YAMLEntry {
    public let key: String
    public let keyNode: YAMLNode
    public let value: YAMLNode
}
