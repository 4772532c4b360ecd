import CCurl

/// libcurl's process-wide setup. `curl_global_init` must run once, before any handle, and
/// is not thread-safe in every build; a `static let` initialiser runs exactly once, guarded
/// by the runtime, however many clients start at the same time.
enum CurlRuntime {
    private static let initResult: UInt32 = curl_global_init(Int(CURL_GLOBAL_DEFAULT)).rawValue

    /// Runs `curl_global_init` if nothing has yet; throws if it failed.
    static func ensureInitialized() throws(HTTPError) {
        let result = CURLcode(rawValue: initResult)
        guard result == CURLE_OK else {
            throw HTTPError(curl: result, message: "curl_global_init failed")
        }
    }
}

extension Duration {
    /// Whole milliseconds for libcurl's `*_MS` options, at least 1: libcurl reads 0 as
    /// "no limit", which a caller asking for a tiny timeout never means.
    var curlMilliseconds: Int {
        let (seconds, attoseconds) = components
        guard seconds >= 0 else { return 1 }
        guard seconds < Int64(Int.max / 1000) - 1 else { return Int.max }
        return max(1, Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000))
    }
}
