/// A position in a desired-state file: the path as the user knows it (relative to the
/// repository root), 1-based line and column.
public struct SourceLocation: Hashable, Sendable, Codable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int

    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    public var description: String { "\(file):\(line):\(column)" }
}

/// One problem with the desired state, for users: what is wrong, where, and what to do.
public struct Diagnostic: Hashable, Sendable, Codable, CustomStringConvertible {
    public enum Code: String, Hashable, Sendable, Codable {
        case syntax, unknownKey, missingKey, wrongType, invalidValue, duplicate
        case unresolvedReference, cidr, cnameConflict, unsupportedKind, environment, io
        /// A file asks for what its author may not have (SPEC §8.1): `${PLUMB_*}`, a path outside `--state`.
        case forbidden
    }

    public var code: Code
    public var location: SourceLocation?
    public var message: String
    public var hint: String?

    public init(_ code: Code, at location: SourceLocation?, _ message: String, hint: String? = nil) {
        self.code = code
        self.location = location
        self.message = message
        self.hint = hint
    }

    /// `file:line:col: error: message (hint)` on one line.
    public var description: String {
        let prefix = location.map { "\($0): " } ?? ""
        let suffix = hint.map { "; \($0)" } ?? ""
        return "\(prefix)error: \(message)\(suffix)"
    }
}

/// The desired state did not load: every problem found, sorted by position.
public struct DiagnosticsError: Error, Sendable, CustomStringConvertible {
    public var diagnostics: [Diagnostic]

    public init(_ diagnostics: [Diagnostic]) {
        self.diagnostics = diagnostics.sorted {
            let l = $0.location
            let r = $1.location
            // The message breaks ties (two problems at one place) so the order never varies.
            return (l?.file ?? "", l?.line ?? 0, l?.column ?? 0, $0.message) < (r?.file ?? "", r?.line ?? 0, r?.column ?? 0, $1.message)
        }
    }

    public var description: String { diagnostics.map(\.description).joined(separator: "\n") }
}

/// Collects diagnostics while loading, so `validate` reports all of them at once.
public struct DiagnosticBag: Sendable {
    public private(set) var items: [Diagnostic] = []

    public init() {}

    public mutating func error(
        _ code: Diagnostic.Code, at location: SourceLocation?, _ message: String, hint: String? = nil
    ) {
        items.append(Diagnostic(code, at: location, message, hint: hint))
    }

    public mutating func append(contentsOf other: [Diagnostic]) { items.append(contentsOf: other) }

    public var isEmpty: Bool { items.isEmpty }
}
