import Foundation

/// A Prometheus instant query and what its result must satisfy (SPEC §8.7).
public struct PrometheusQuery: Hashable, Sendable, Codable {
    /// The server's base URL, e.g. `http://127.0.0.1:9090` (no trailing slash).
    public var url: String
    /// PromQL, sent as written.
    public var query: String
    public var expect: Comparison
    /// Whether a result without any series passes (`empty: pass`); by default it fails, so a
    /// misspelt metric never passes silently.
    public var emptyPasses: Bool
    /// The environment variable holding a bearer token, if the server wants one.
    public var tokenEnv: String?

    public init(url: String, query: String, expect: Comparison, emptyPasses: Bool = false, tokenEnv: String? = nil) {
        self.url = url.hasSuffix("/") ? String(url.dropLast()) : url
        self.query = query
        self.expect = expect
        self.emptyPasses = emptyPasses
        self.tokenEnv = tokenEnv
    }
}

/// `< 0.01`, `>= 3`, `== 1`: an operator and a number.
public struct Comparison: Hashable, Sendable, Codable, CustomStringConvertible {
    public enum Operator: String, Hashable, Sendable, Codable, CaseIterable {
        case lessOrEqual = "<="
        case greaterOrEqual = ">="
        case equal = "=="
        case less = "<"
        case greater = ">"
    }

    public var op: Operator
    public var value: Double

    public init(_ op: Operator, _ value: Double) {
        self.op = op
        self.value = value
    }

    /// Nil unless the text is an operator followed by a finite number (spaces allowed).
    public init?(parsing text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        // Two-character operators first: "<=" must not read as "<" followed by "=3".
        guard let op = Operator.allCases.first(where: { trimmed.hasPrefix($0.rawValue) }) else { return nil }
        let number = trimmed.dropFirst(op.rawValue.count).trimmingCharacters(in: .whitespaces)
        guard let value = Double(number), value.isFinite, number.first.map({ $0.isNumber || "+-.".contains($0) }) == true else {
            return nil
        }
        self.init(op, value)
    }

    /// Whether `number` satisfies the comparison; NaN never does.
    public func holds(_ number: Double) -> Bool {
        switch op {
        case .less: return number < value
        case .lessOrEqual: return number <= value
        case .greater: return number > value
        case .greaterOrEqual: return number >= value
        case .equal: return number == value
        }
    }

    public var description: String { "\(op.rawValue) \(FigureText.number(value))" }
}
