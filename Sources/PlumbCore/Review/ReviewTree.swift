import Foundation

/// A pull/merge request's files as a review plan reads them (SPEC §8.1): `Desired/` from
/// the request, but `Providers/` and `plumb.yaml` from the base branch's head. A request
/// can propose new bindings or limits, never have them used before they are merged.
public struct ReviewTree: SourceTree {
    public let request: any SourceTree
    public let trusted: any SourceTree

    public init(request: any SourceTree, trusted: any SourceTree) {
        self.request = request
        self.trusted = trusted
    }

    /// The files only a merged commit may set: bindings and stack settings.
    public static func isTrusted(_ path: String) -> Bool {
        path == "plumb.yaml" || path == "Providers" || path.hasPrefix("Providers/")
    }

    public var label: String { request.label }
    public var defaultStackName: String { trusted.defaultStackName }

    public func files(under directory: String) throws -> [String] {
        try (Self.isTrusted(directory) ? trusted : request).files(under: directory)
    }

    public func read(_ path: String) throws -> Data? {
        try (Self.isTrusted(path) ? trusted : request).read(path)
    }

    public func contentID(_ path: String) -> String? {
        (Self.isTrusted(path) ? trusted : request).contentID(path)
    }

    /// What the request changes of the trusted files, in path order.
    public func trustedChanges() throws -> [TrustedFileChange] {
        try TrustedFileChange.between(trusted, request)
    }
}

/// One binding or settings file a request adds, changes or removes, with its diff.
public struct TrustedFileChange: Hashable, Sendable, Codable {
    public enum Action: String, Hashable, Sendable, Codable { case added, changed, removed }

    public var path: String
    public var action: Action
    /// Unified-diff body lines (`+`, `-`, ` ` prefixes).
    public var diff: [String]

    public init(path: String, action: Action, diff: [String]) {
        self.path = path
        self.action = action
        self.diff = diff
    }

    /// The trusted files that differ between two trees (`before` the trusted one).
    public static func between(_ before: any SourceTree, _ after: any SourceTree) throws -> [TrustedFileChange] {
        let paths = Set(try before.files(under: "Providers") + after.files(under: "Providers") + ["plumb.yaml"])
        var changes: [TrustedFileChange] = []
        for path in paths.sorted() {
            let old = try before.read(path)
            let new = try after.read(path)
            guard old != new else { continue }
            let oldLines = old.map { Self.lines($0) } ?? []
            let newLines = new.map { Self.lines($0) } ?? []
            let action: Action = old == nil ? .added : new == nil ? .removed : .changed
            changes.append(TrustedFileChange(path: path, action: action, diff: LineDiff.unified(oldLines, newLines)))
        }
        return changes
    }

    static func lines(_ data: Data) -> [String] {
        String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }
}
