import CLibGit2

/// A libgit2 call failed: which operation, libgit2's own message, and a code for code.
public struct GitError: Error, Sendable, CustomStringConvertible, Equatable {
    public enum Code: Sendable, Equatable {
        case notFound
        case invalidReference
        case notARepository
        case network
        /// Connecting took longer than the connect timeout, or the remote sent nothing for
        /// the stall timeout.
        case timedOut
        /// The fetch was cancelled (the agent is shutting down).
        case cancelled
        case other(Int32)
    }

    public var code: Code
    public var operation: String
    public var message: String

    public init(code: Code, operation: String, message: String) {
        self.code = code
        self.operation = operation
        self.message = message
    }

    public var description: String { "\(operation): \(message)" }

    /// Reads libgit2's per-thread last error; call it right after the failing call.
    static func last(_ result: Int32, _ operation: String) -> GitError {
        let message = git_error_last().flatMap { $0.pointee.message.map { String(cString: $0) } } ?? "libgit2 error \(result)"
        let klass = git_error_last()?.pointee.klass ?? 0
        let code: Code
        switch result {
        case GIT_ENOTFOUND.rawValue: code = .notFound
        case GIT_EINVALIDSPEC.rawValue, GIT_EAMBIGUOUS.rawValue: code = .invalidReference
        default:
            if klass == Int32(GIT_ERROR_NET.rawValue) || klass == Int32(GIT_ERROR_SSL.rawValue) || klass == Int32(GIT_ERROR_HTTP.rawValue) {
                code = .network
            } else if klass == Int32(GIT_ERROR_REPOSITORY.rawValue) && message.contains("could not find repository") {
                code = .notARepository
            } else {
                code = .other(result)
            }
        }
        return GitError(code: code, operation: operation, message: message)
    }

    /// Runs a libgit2 call and throws its error on a negative result.
    static func check(_ operation: String, _ call: () -> Int32) throws {
        let result = call()
        if result < 0 { throw last(result, operation) }
    }
}
