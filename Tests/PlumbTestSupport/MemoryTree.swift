import Foundation
import PlumbCore

/// A desired-state repository held in memory: path → text.
public struct MemoryTree: SourceTree {
    public var files: [String: String]
    public var label: String
    public var defaultStackName: String

    public init(_ files: [String: String], label: String = "memory", stack: String = "test") {
        self.files = files
        self.label = label
        self.defaultStackName = stack
    }

    public func files(under directory: String) throws -> [String] {
        files.keys.filter { $0.hasPrefix(directory + "/") }.sorted()
    }

    public func read(_ path: String) throws -> Data? {
        files[path].map { Data($0.utf8) }
    }

    /// A copy with one file replaced (nil removes it).
    public func with(_ path: String, _ text: String?) -> MemoryTree {
        var copy = self
        copy.files[path] = text
        return copy
    }
}

/// The smallest valid repository: one embedded binding serving everything.
public enum Fixtures {
    public static let embeddedBinding = "kind: embedded\n"

    public static func tree(_ documents: [String: String], stack: String = "test") -> MemoryTree {
        var files = ["Providers/main.yaml": embeddedBinding]
        for (path, text) in documents { files["Desired/\(path)"] = text }
        return MemoryTree(files, stack: stack)
    }

    public static func load(_ documents: [String: String], environment: [String: String] = [:]) throws -> DesiredState {
        try DesiredStateLoader(environment: environment).load(tree(documents))
    }
}
