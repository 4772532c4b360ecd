import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// One agent per `--state`: an exclusive `flock` on `STATE/agent.lock`, held for the
/// process's life (the kernel drops it when the process ends, however it ends). The file
/// names the holder (pid, host, agent id), so a second agent can say who is in the way.
final class StateDirectoryLock: Sendable {
    let path: String
    private let descriptor: Int32

    struct Held: Error, CustomStringConvertible {
        var state: String
        var holder: String
        var description: String {
            "another agent already uses --state \(state) (\(holder)); stop it, or give this agent a --state of its own"
        }
    }

    static func fileName(in directory: String) -> String {
        (directory as NSString).appendingPathComponent("agent.lock")
    }

    /// Takes the lock or throws `Held` naming the holder.
    init(stateDirectory: String, agentID: String) throws {
        try FileManager.default.createDirectory(atPath: stateDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        path = Self.fileName(in: stateDirectory)
        descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw Held(state: stateDirectory, holder: "cannot open \(path): \(String(cString: strerror(errno)))")
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let holder = (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
            close(descriptor)
            throw Held(state: stateDirectory, holder: holder.flatMap { $0.isEmpty ? nil : "held by \($0)" } ?? "its lock file \(path) is held")
        }
        let holder = "pid \(getpid()) on host \(ProcessInfo.processInfo.hostName), agent \(agentID)\n"
        _ = ftruncate(descriptor, 0)
        _ = holder.withCString { pwrite(descriptor, $0, strlen($0), 0) }
    }

    deinit {
        close(descriptor)
    }
}
