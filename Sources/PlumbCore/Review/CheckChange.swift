/// A check a commit range adds, changes or removes: part of a review plan and of its
/// checksum (SPEC §8.1), since a merged check runs with the agent's reach.
public struct CheckChange: Hashable, Sendable, Codable {
    public enum Action: String, Hashable, Sendable, Codable { case added, changed, removed }

    public var name: String
    public var action: Action
    /// `dns`, `http`, `tcp` or `command`.
    public var kind: String
    /// What it probes: the query, the URL, `host:port`, or the command line.
    public var target: String
    public var after: [String]
    /// The variables it asks for (`env:`).
    public var env: [String]

    public init(name: String, action: Action, kind: String, target: String, after: [String], env: [String]) {
        self.name = name
        self.action = action
        self.kind = kind
        self.target = target
        self.after = after
        self.env = env
    }

    init(_ check: Check, action: Action) {
        let (kind, target): (String, String)
        switch check.probe {
        case .dns(let name, let type, let server, let expect):
            (kind, target) = ("dns", "\(name) \(type.rawValue) @\(server) = \(expect.joined(separator: ", "))")
        case .http(let url, let status, let contains):
            (kind, target) = ("http", "\(url) → \(status)" + (contains.map { " containing \($0)" } ?? ""))
        case .tcp(let host, let port): (kind, target) = ("tcp", "\(host):\(port)")
        case .command(let argv): (kind, target) = ("command", argv.joined(separator: " "))
        case .prometheus(let query): (kind, target) = ("prometheus", "\(query.query) \(query.expect) @\(query.url)")
        }
        self.init(name: check.name, action: action, kind: kind, target: target, after: check.after, env: check.env)
    }

    /// What differs between two commits' checks, by name.
    public static func between(_ before: [Check], _ after: [Check]) -> [CheckChange] {
        let old = Dictionary(before.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let new = Dictionary(after.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        var changes: [CheckChange] = []
        for name in Set(old.keys).union(new.keys).sorted() {
            switch (old[name], new[name]) {
            case (nil, let added?): changes.append(CheckChange(added, action: .added))
            case (let removed?, nil): changes.append(CheckChange(removed, action: .removed))
            case (let was?, let now?) where Self.differs(was, now): changes.append(CheckChange(now, action: .changed))
            default: break
            }
        }
        return changes
    }

    /// Where a check is declared is no change; what it does, when and with what is.
    static func differs(_ a: Check, _ b: Check) -> Bool {
        a.probe != b.probe || a.after != b.after || a.timeout != b.timeout || a.measure != b.measure || a.env != b.env
    }

    /// One line for checksums and text: stable, sorted by the caller.
    public var line: String {
        "\(action.rawValue) \(name) \(kind) \(target) after=\(after.joined(separator: ",")) env=\(env.joined(separator: ","))"
    }
}
