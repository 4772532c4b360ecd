import Foundation

/// The user information of a URL (`https://user:token@host/…`, `postgres://u:p@…`): split
/// off so that it is never printed, logged, served, stored or used in a folder name
/// (SPEC §8.1). Works on text, so it also handles what `URL` refuses to parse.
public struct URLUserInfo: Sendable, Hashable {
    /// The URL without its user information.
    public var url: String
    public var user: String?
    public var password: String?

    /// `scheme://[user[:password]@]host…`; anything else (a path, `git@host:repo`, which
    /// names an SSH user and no secret) comes back unchanged.
    public static func split(_ text: String) -> URLUserInfo {
        guard let schemeEnd = text.range(of: "://") else { return URLUserInfo(url: text) }
        let afterScheme = text[schemeEnd.upperBound...]
        // The authority ends at the first '/', '?' or '#'; the user information at its last '@'.
        let authorityEnd = afterScheme.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? afterScheme.endIndex
        let authority = afterScheme[..<authorityEnd]
        guard let at = authority.lastIndex(of: "@") else { return URLUserInfo(url: text) }
        let info = authority[..<at]
        let user: Substring
        let password: Substring?
        if let colon = info.firstIndex(of: ":") {
            user = info[..<colon]
            password = info[info.index(after: colon)...]
        } else {
            user = info
            password = nil
        }
        let clean = String(text[..<schemeEnd.upperBound]) + String(authority[authority.index(after: at)...]) + String(afterScheme[authorityEnd...])
        return URLUserInfo(
            url: clean, user: user.isEmpty ? nil : (user.removingPercentEncoding ?? String(user)),
            password: password.map { $0.removingPercentEncoding ?? String($0) })
    }

    /// The URL as it may be shown: without user information.
    public static func redacted(_ text: String) -> String { split(text).url }

    init(url: String, user: String? = nil, password: String? = nil) {
        self.url = url
        self.user = user
        self.password = password
    }
}

extension URLUserInfo {
    /// `url` with this user information put back: the name a mirror had before it was
    /// kept out of folder names, to find and migrate it.
    public func original(_ url: String) -> String? {
        guard user != nil || password != nil, let schemeEnd = url.range(of: "://") else { return nil }
        let info = (user ?? "") + (password.map { ":" + $0 } ?? "") + "@"
        return String(url[..<schemeEnd.upperBound]) + info + String(url[schemeEnd.upperBound...])
    }
}
