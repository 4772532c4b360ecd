/// ANSI styling for terminal output; plain when the output is not a terminal.
public struct TextStyle: Sendable {
    public var color: Bool

    public init(color: Bool) {
        self.color = color
    }

    public func green(_ text: String) -> String { wrap(text, "32") }
    public func yellow(_ text: String) -> String { wrap(text, "33") }
    public func red(_ text: String) -> String { wrap(text, "31") }
    public func magenta(_ text: String) -> String { wrap(text, "35") }
    public func bold(_ text: String) -> String { wrap(text, "1") }
    public func dim(_ text: String) -> String { wrap(text, "2") }

    private func wrap(_ text: String, _ code: String) -> String {
        color ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }

    /// The sign and colour of an action, as in a diff.
    public func marker(_ action: Change.Action) -> String {
        switch action {
        case .create: return green("+")
        case .update: return yellow("~")
        case .delete: return red("-")
        case .replace: return magenta("±")
        }
    }

    public func colored(_ action: Change.Action, _ text: String) -> String {
        switch action {
        case .create: return green(text)
        case .update: return yellow(text)
        case .delete: return red(text)
        case .replace: return magenta(text)
        }
    }
}

/// Compact display of attribute values: strings bare, the rest as JSON.
enum ValueText {
    static func show(_ value: JSONValue) -> String {
        switch value {
        case .string(let string): return string
        case .null: return "(none)"
        case .object(let object) where object["protocol"] != nil:
            return rule(object)
        case .object(let object) where object.values.allSatisfy({ $0.stringValue != nil }):
            return object.isEmpty ? "{}" : object.keys.sorted().map { "\($0)=\(object[$0]?.stringValue ?? "")" }.joined(separator: ", ")
        case .array(let items) where items.allSatisfy({ $0.stringValue != nil || $0["protocol"] != nil }):
            return "[" + items.map(show).joined(separator: ", ") + "]"
        default: return value.canonicalText
        }
    }

    /// `tcp 443 from 0.0.0.0/0`.
    static func rule(_ object: [String: JSONValue]) -> String {
        let proto = object["protocol"]?.stringValue ?? "?"
        let ports = object["ports"]?.stringValue.map { " \($0)" } ?? ""
        if let from = object["from"]?.stringValue { return "\(proto)\(ports) from \(from)" }
        return "\(proto)\(ports) to \(object["to"]?.stringValue ?? "?")"
    }

    /// One line per attribute that differs between `before` and `after` (all of them when one
    /// side is absent). Lists of plain values show what is added and removed.
    static func fieldLines(before: JSONValue?, after: JSONValue?, style: TextStyle) -> [String] {
        let old = object(before)
        let new = object(after)
        var lines: [String] = []
        for key in Set(old.keys).union(new.keys).sorted() {
            let oldValue = old[key]
            let newValue = new[key]
            if oldValue == newValue { continue }
            // A create or delete lists what the document says, not every default it implies.
            if before == nil || after == nil, let value = oldValue ?? newValue, ResourceSpec.defaultAttributes[key] == value { continue }
            switch (oldValue, newValue) {
            case (nil, .object(let empty)?) where empty.isEmpty: continue
            case (nil, let value?): lines.append("\(key): \(show(value))")
            // An attribute the desired state leaves out (a group's egress) keeps the provider's
            // value and is not compared: on an update it is no change, so it is not shown.
            case (_?, nil) where before != nil && after != nil: continue
            case (let value?, nil): lines.append("\(key): \(show(value))")
            case (.array(let a)?, .array(let b)?):
                let removed = a.filter { !b.contains($0) }.map { style.red("-\(show($0))") }
                let added = b.filter { !a.contains($0) }.map { style.green("+\(show($0))") }
                lines.append("\(key): " + (removed + added).joined(separator: " "))
            case (let a?, let b?): lines.append("\(key): \(show(a)) → \(show(b))")
            default: break
            }
        }
        return lines
    }

    private static func object(_ value: JSONValue?) -> [String: JSONValue] {
        if case .object(let object)? = value { return object }
        return [:]
    }
}
