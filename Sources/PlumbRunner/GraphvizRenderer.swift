import Foundation

/// Draws DOT as SVG through Graphviz's `dot`, the one renderer every distribution packages
/// (decision 46): Plumb writes the graph language, Graphviz does the layout.
public enum GraphvizRenderer {
    public struct Missing: Error, CustomStringConvertible, Sendable {
        public var description: String {
            "SVG needs Graphviz's dot, which is not on PATH; install it (Debian: apt-get install graphviz) or use --format dot / --format mermaid"
        }
    }

    public struct Failed: Error, CustomStringConvertible, Sendable {
        public var status: Int32
        public var message: String
        public var description: String { "dot -Tsvg exited \(status): \(message)" }
    }

    /// The `dot` executable on PATH, if any.
    public static func executable(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL? {
        for folder in (environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let candidate = URL(fileURLWithPath: String(folder)).appendingPathComponent("dot")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        return nil
    }

    public static func svg(fromDOT dot: String, executable: URL? = executable()) throws -> String {
        guard let executable else { throw Missing() }
        let process = Process()
        process.executableURL = executable
        process.arguments = ["-Tsvg"]
        let input = Pipe()
        let output = Pipe()
        let errors = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        // Written from another thread: a large graph's SVG fills the output pipe while dot
        // still reads its input, and one thread doing both would deadlock.
        let writer = Thread {
            input.fileHandleForWriting.write(Data(dot.utf8))
            try? input.fileHandleForWriting.close()
        }
        writer.start()
        let svg = output.fileHandleForReading.readDataToEndOfFile()
        let message = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failed(status: process.terminationStatus, message: String(decoding: message.prefix(500), as: UTF8.self))
        }
        return String(decoding: svg, as: UTF8.self)
    }
}
