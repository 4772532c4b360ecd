import PlumbCore
import PlumbHTTP

extension HTTPRequest {
    /// `METHOD URL` as errors may show it: the URL without user information (`URLUserInfo`)
    /// and without its query, either of which may hold a credential.
    public var described: String {
        let url = URLUserInfo.redacted(self.url)
        return "\(method) \(url.prefix { $0 != "?" && $0 != "#" })"
    }
}
