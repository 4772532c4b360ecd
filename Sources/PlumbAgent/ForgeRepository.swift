import Foundation
import PlumbWebhooks

/// A repository on a forge, as commit statuses address it (SPEC §8.3): `github:OWNER/REPO`,
/// `gitlab:GROUP/PROJECT` (or a numeric project id), `gitea:OWNER/REPO`.
public struct ForgeRepository: Sendable, Hashable, CustomStringConvertible {
    public var forge: WebhookEvent.Source
    public var path: String

    public init(forge: WebhookEvent.Source, path: String) {
        self.forge = forge
        self.path = path
    }

    /// `KIND:PATH`, as `forge:` and `--forge` take it; nil for anything else.
    public init?(_ text: String) {
        guard let colon = text.firstIndex(of: ":"), let forge = WebhookEvent.Source(rawValue: String(text[..<colon])) else { return nil }
        let path = String(text[text.index(after: colon)...]).trimmingCharacters(in: CharacterSet(charactersIn: "/"))
        guard Self.isPath(path, forge: forge) else { return nil }
        self.init(forge: forge, path: path)
    }

    public var description: String { "\(forge.rawValue):\(path)" }

    /// `owner/name` (GitLab: any depth of groups, or a project id); no `..`, no query.
    static func isPath(_ path: String, forge: WebhookEvent.Source) -> Bool {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        if forge == .gitlab, parts.count == 1, path.allSatisfy(\.isNumber), !path.isEmpty { return true }
        guard forge == .gitlab ? parts.count >= 2 : parts.count == 2 else { return false }
        return parts.allSatisfy { part in
            !part.isEmpty && part != "." && part != ".." && part.allSatisfy { $0.isLetter || $0.isNumber || "-_.".contains($0) }
        }
    }

    /// The repository a clone URL names, when its host is a known forge: github.com,
    /// gitlab.com, codeberg.org (Forgejo, Gitea's API), or the host of a configured
    /// `PLUMB_GITHUB_API_URL` / `PLUMB_GITLAB_API_URL` / `PLUMB_GITEA_API_URL`.
    public static func named(byURL url: String, environment: [String: String]) -> ForgeRepository? {
        guard let (host, path) = hostAndPath(url) else { return nil }
        var hosts: [String: WebhookEvent.Source] = ["github.com": .github, "gitlab.com": .gitlab, "codeberg.org": .gitea]
        for (key, forge) in [
            ("PLUMB_GITHUB_API_URL", WebhookEvent.Source.github), ("PLUMB_GITLAB_API_URL", .gitlab), ("PLUMB_GITEA_API_URL", .gitea),
        ] {
            if let api = environment[key], let apiHost = URLComponents(string: api)?.host?.lowercased() {
                hosts[apiHost == "api.github.com" ? "github.com" : apiHost] = forge
            }
        }
        guard let forge = hosts[host] else { return nil }
        return ForgeRepository(forge: forge, path: path).valid
    }

    private var valid: ForgeRepository? { Self.isPath(path, forge: forge) ? self : nil }

    /// `https://host/owner/repo(.git)`, `ssh://git@host/owner/repo`, `git@host:owner/repo.git`.
    static func hostAndPath(_ url: String) -> (String, String)? {
        var host: String
        var path: String
        if let components = URLComponents(string: url), let found = components.host, components.scheme != nil {
            host = found
            path = components.path
        } else if let at = url.firstIndex(of: "@"), let colon = url[at...].firstIndex(of: ":") {
            host = String(url[url.index(after: at)..<colon])
            path = String(url[url.index(after: colon)...])
        } else {
            return nil
        }
        path = path.trimmingCharacters(in: CharacterSet(charactersIn: "/"))
        if path.hasSuffix(".git") { path.removeLast(4) }
        host = host.lowercased()
        return path.isEmpty ? nil : (host, path)
    }
}
