import Foundation
import PlumbCore

/// Runs a check's command: exit 0 passes. It runs in the repository root, its output is
/// kept (the last lines) for the report, and it is killed when its time is up.
enum CommandProbe {
    /// `environment` is the command's whole environment: nothing of Plumb's own is inherited.
    static func run(_ argv: [String], in directory: String, environment: [String: String], timeout: Duration, redactor: Redactor) async
        -> ProbeOutcome
    {
        guard let program = argv.first else { return ProbeOutcome(passed: false, detail: "empty command") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = argv
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        process.environment = environment
        // A file, not a pipe: a chatty command must never block on a full pipe buffer.
        let logURL = FileManager.default.temporaryDirectory.appendingPathComponent("plumb-check-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: logURL.path, contents: nil)  // a failure shows at FileHandle below
        defer { try? FileManager.default.removeItem(at: logURL) }
        guard let log = try? FileHandle(forWritingTo: logURL) else {
            return ProbeOutcome(passed: false, detail: "cannot create a log file for \(program)")
        }
        defer { try? log.close() }
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        let status: Int32 = await withCheckedContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(returning: 127)
                return
            }
            let pid = process.processIdentifier
            let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
            DispatchQueue.global().asyncAfter(deadline: .now() + seconds) {
                if kill(pid, 0) == 0 { kill(pid, SIGKILL) }
            }
        }
        let data = (try? Data(contentsOf: logURL)) ?? Data()
        // Redacted whole, before it is cut: a secret split by the cut would survive in part.
        let tail = redactor.redact(String(decoding: data, as: UTF8.self))
            .split(separator: "\n").suffix(3).joined(separator: " | ")
        let detail = "\(program) exited \(status)" + (tail.isEmpty ? "" : ": \(tail.prefix(300))")
        return ProbeOutcome(passed: status == 0, detail: detail)
    }
}
