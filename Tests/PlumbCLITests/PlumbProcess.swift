import Foundation
import PlumbHTTP
import Testing

/// Runs the built `plumb` binary as a user would, in a temporary repository.
struct PlumbProcess {
    struct Output {
        var status: Int32
        /// Killed at `run`'s timeout.
        var timedOut = false
        var stdout: String
        var stderr: String

        var json: [String: Any]? {
            (try? JSONSerialization.jsonObject(with: Data(stdout.utf8))) as? [String: Any]
        }
    }

    static var binary: URL {
        if let path = ProcessInfo.processInfo.environment["PLUMB_BINARY"] { return URL(fileURLWithPath: path) }
        // The test bundle sits next to the products on Linux.
        var directory = Bundle.main.bundleURL
        if directory.pathExtension == "xctest" { directory.deleteLastPathComponent() }
        return directory.appendingPathComponent("plumb")
    }

    /// The project's root, for the example desired state.
    static var projectRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    /// Runs plumb to its end, or kills it after `timeout`: a command that should have ended
    /// (a refusal to start, say) fails its test instead of hanging the whole run.
    static func run(
        _ arguments: [String], in directory: URL, environment: [String: String] = [:], timeout: Duration = .seconds(300)
    ) throws -> Output {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        process.currentDirectoryURL = directory
        var env = ProcessInfo.processInfo.environment
        env["NO_COLOR"] = "1"
        for (key, value) in environment { env[key] = value }
        process.environment = env
        let out = directory.appendingPathComponent(".out-\(UUID().uuidString)")
        let err = directory.appendingPathComponent(".err-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        defer {
            try? FileManager.default.removeItem(at: out)
            try? FileManager.default.removeItem(at: err)
        }
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let pid = process.processIdentifier
        let killed = Locked(false)
        let deadline = DispatchWorkItem {
            killed.withLock { $0 = true }
            kill(pid, SIGKILL)
        }
        DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(Int(timeout.components.seconds * 1000)), execute: deadline)
        process.waitUntilExit()
        deadline.cancel()
        return Output(
            status: process.terminationStatus, timedOut: killed.withLock { $0 },
            stdout: (try? String(contentsOf: out, encoding: .utf8)) ?? "",
            stderr: (try? String(contentsOf: err, encoding: .utf8)) ?? "")
    }

    /// Starts plumb without waiting, for kill and lock tests.
    static func start(_ arguments: [String], in directory: URL, environment: [String: String] = [:]) throws -> Process {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        process.currentDirectoryURL = directory
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return process
    }
}

/// A temporary desired-state repository.
struct TempRepo {
    let url: URL

    /// A copy of the project's example (plumb.yaml, Providers/, Desired/, scripts/).
    static func example() throws -> TempRepo {
        let repo = try empty()
        for item in ["plumb.yaml", "Providers", "Desired", "scripts"] {
            try FileManager.default.copyItem(
                at: PlumbProcess.projectRoot.appendingPathComponent(item), to: repo.url.appendingPathComponent(item))
        }
        return repo
    }

    static func empty() throws -> TempRepo {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("plumb-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return TempRepo(url: url)
    }

    func write(_ path: String, _ text: String) throws {
        let file = url.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: file)
    }

    func read(_ path: String) throws -> String {
        try String(contentsOf: url.appendingPathComponent(path), encoding: .utf8)
    }

    func edit(_ path: String, replacing old: String, with new: String) throws {
        let text = try read(path)
        #expect(text.contains(old), "fixture \(path) lacks \(old)")
        try write(path, text.replacingOccurrences(of: old, with: new))
    }

    func remove(_ path: String) throws {
        try FileManager.default.removeItem(at: url.appendingPathComponent(path))
    }

    @discardableResult
    func plumb(_ arguments: String..., environment: [String: String] = [:]) throws -> PlumbProcess.Output {
        try PlumbProcess.run(arguments, in: url, environment: environment)
    }
}

extension PlumbProcess.Output {
    /// Every change of a `plumb.plan/v1` document, in order: "action address".
    var planChanges: [String] {
        let chunks = json?["chunks"] as? [[String: Any]] ?? []
        return chunks.flatMap { ($0["changes"] as? [[String: Any]]) ?? [] }
            .map { "\($0["action"] as? String ?? "?") \($0["address"] as? String ?? "?")" }
    }
}
