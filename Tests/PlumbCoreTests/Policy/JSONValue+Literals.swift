@testable import PlumbCore

/// Policy documents written in tests as they are in YAML: `"Effect": "Allow"`.
extension JSONValue: ExpressibleByStringLiteral {
    public init(stringLiteral value: String) {
        self = .string(value)
    }
}
