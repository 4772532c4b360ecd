import Foundation

/// One writer per stack: an exclusive `flock` on `--state/locks/STACK.lock`. The kernel
/// releases it when the holder dies, so a killed process never leaves a stale lock; the
/// file's text names the holder for the error message.
public final class StackLock: Sendable {
    public struct Held: Error, CustomStringConvertible, Sendable {
        public var stack: String
        public var holder: String

        public var description: String {
            "stack \(stack) is being changed by another Plumb process (\(holder)); wait for it to finish or stop it"
        }
    }

    private let descriptor: Int32
    public let path: String

    /// Takes the lock, or throws `Held` at once when another process has it.
    public init(directory: String, stack: String, purpose: String) throws {
        let locks = (directory as NSString).appendingPathComponent("locks")
        try FileManager.default.createDirectory(atPath: locks, withIntermediateDirectories: true)
        path = (locks as NSString).appendingPathComponent("\(stack).lock")
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let holder =
                (try? String(contentsOfFile: path, encoding: .utf8))?
                .trimmingCharacters(in: .whitespacesAndNewlines) ?? "unknown holder"
            close(fd)
            throw Held(stack: stack, holder: holder.isEmpty ? "unknown holder" : holder)
        }
        descriptor = fd
        let text = "pid \(getpid()) on \(ProcessInfo.processInfo.hostName): \(purpose), since \(ISO8601DateFormatter().string(from: Date()))\n"
        _ = ftruncate(fd, 0)
        _ = text.withCString { write(fd, $0, strlen($0)) }
    }

    deinit {
        _ = ftruncate(descriptor, 0)
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}
