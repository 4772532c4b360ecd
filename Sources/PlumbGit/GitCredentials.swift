import CLibGit2
import Foundation

/// Credentials for a mirror's remote (SPEC §8.1): a user name and password or token for
/// HTTPS, an SSH private key file for SSH. Given to libgit2 through its credential
/// callback, never written into the remote's URL or the mirror's config.
public struct GitCredentials: Sendable, Hashable {
    public var username: String?
    public var password: String?
    /// A private key file (`PLUMB_GIT_SSH_KEY`); its `.pub` twin is used when present.
    public var sshKey: String?

    public init(username: String? = nil, password: String? = nil, sshKey: String? = nil) {
        self.username = username
        self.password = password
        self.sshKey = sshKey
    }

    public var isEmpty: Bool { username == nil && password == nil && sshKey == nil }

    /// How many times libgit2 may ask in one operation: it asks again after a refusal, and
    /// would ask forever with credentials that do not work.
    static let maximumAttempts = 2

    /// libgit2's `git_credential_acquire_cb`; its payload is the fetch's `GitTransfer`.
    static let callback: git_credential_acquire_cb = { out, _, usernameFromURL, allowed, payload in
        guard let out, let payload else { return GIT_PASSTHROUGH.rawValue }
        let transfer = Unmanaged<GitTransfer>.fromOpaque(payload).takeUnretainedValue()
        guard transfer.requestCredentials() <= maximumAttempts else { return GIT_EAUTH.rawValue }
        let credentials = transfer.credentials
        let user = credentials.username ?? usernameFromURL.map { String(cString: $0) }
        if allowed & GIT_CREDENTIAL_SSH_KEY.rawValue != 0 {
            guard let key = credentials.sshKey else { return git_credential_ssh_key_from_agent(out, user ?? "git") }
            let publicKey = key + ".pub"
            let hasPublic = FileManager.default.fileExists(atPath: publicKey)
            return git_credential_ssh_key_new(out, user ?? "git", hasPublic ? publicKey : nil, key, nil)
        }
        if allowed & GIT_CREDENTIAL_USERPASS_PLAINTEXT.rawValue != 0, let password = credentials.password {
            return git_credential_userpass_plaintext_new(out, user ?? "git", password)
        }
        if allowed & GIT_CREDENTIAL_USERNAME.rawValue != 0, let user {
            return git_credential_username_new(out, user)
        }
        return GIT_PASSTHROUGH.rawValue
    }
}
