import CLibGit2
import Foundation

extension GitRepository {
    /// Fetches every ref from `origin`, pruning what the remote deleted, within `options`'
    /// limits and with the mirror's credentials; blocks the calling thread (the CLI's way).
    ///
    /// The fetch opens a handle of its own on the repository, so reads through this one
    /// (resolving a branch, reading a file) never wait behind a fetch; they see the new refs
    /// and objects once it is done.
    public func fetch(options: GitFetchOptions = GitFetchOptions()) throws {
        try fetch(GitTransfer(options, credentials: credentials))
    }

    /// The same on a thread of its own, so no task of the cooperative pool waits on the
    /// network. Cancelling the task stops the fetch at once; a watchdog stops it when the
    /// remote sent nothing for the stall timeout (whichever transport, SSH included).
    public func fetch(options: GitFetchOptions) async throws {
        let transfer = GitTransfer(options, credentials: credentials)
        let watchdog = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(250))
                transfer.checkStall()
            }
        }
        defer { watchdog.cancel() }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let thread = Thread {
                    do {
                        try self.fetch(transfer)
                        continuation.resume()
                    } catch {
                        continuation.resume(throwing: error)
                    }
                }
                thread.name = "plumb-git-fetch"
                thread.start()
            }
        } onCancel: {
            transfer.stop(.cancelled, "the fetch was cancelled")
        }
    }

    private func fetch(_ transfer: GitTransfer) throws {
        _ = GitSocketStream.registered
        transfer.options.cancellation?.adopt(transfer)
        defer { transfer.options.cancellation?.drop(transfer) }
        var own: OpaquePointer?
        try GitError.check("open \(path)") { git_repository_open_ext(&own, path, UInt32(GIT_REPOSITORY_OPEN_NO_SEARCH.rawValue), nil) }
        defer { git_repository_free(own) }
        var remote: OpaquePointer?
        try GitError.check("find remote origin") { git_remote_lookup(&remote, own, "origin") }
        defer { git_remote_free(remote) }
        var options = git_fetch_options()
        try GitError.check("fetch options") { git_fetch_options_init(&options, UInt32(GIT_FETCH_OPTIONS_VERSION)) }
        options.prune = GIT_FETCH_PRUNE
        // Progress counts as activity, and a stopped transfer aborts between packets too.
        options.callbacks.payload = Unmanaged.passUnretained(transfer).toOpaque()
        options.callbacks.transfer_progress = { _, payload in GitRepository.progressed(payload) }
        options.callbacks.sideband_progress = { _, _, payload in GitRepository.progressed(payload) }
        options.callbacks.credentials = GitCredentials.callback
        let url = git_remote_url(remote).map { String(cString: $0) } ?? "origin"
        let result = transfer.whileCurrent { git_remote_fetch(remote, nil, &options, nil) }
        guard result < 0 else { return }
        if let stopped = transfer.stopReason {
            throw GitError(code: stopped.code, operation: "fetch \(url)", message: stopped.reason)
        }
        throw GitError.last(result, "fetch \(url)")
    }

    /// A progress callback: 0 to go on, -1 once the transfer was stopped.
    private static func progressed(_ payload: UnsafeMutableRawPointer?) -> Int32 {
        guard let payload else { return 0 }
        let transfer = Unmanaged<GitTransfer>.fromOpaque(payload).takeUnretainedValue()
        transfer.touch()
        return transfer.stopReason == nil ? 0 : -1
    }
}
