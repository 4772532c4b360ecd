import CCurl
import Foundation

/// One libcurl easy handle, reused for transfer after transfer: its connection cache keeps
/// keep-alive connections (and TLS sessions) open between requests. Not thread-safe; exactly
/// one `TransferWorker` thread owns it.
final class EasyHandle {
    private let handle: UnsafeMutableRawPointer
    /// libcurl writes its detailed message here (CURLOPT_ERRORBUFFER); it must outlive transfers.
    private let errorBuffer: UnsafeMutablePointer<CChar>

    init?() {
        guard (try? CurlRuntime.ensureInitialized()) != nil, let handle = curl_easy_init() else {
            return nil
        }
        self.handle = handle
        self.errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
    }

    deinit {
        curl_easy_cleanup(handle)
        errorBuffer.deallocate()
    }

    /// Runs one transfer to completion; blocks the calling thread.
    func perform(_ request: HTTPRequest, connectTimeout: Duration, cancel: CancelFlag) -> Result<HTTPResponse, any Error> {
        // Reset drops every option of the previous request (method, body, headers) but keeps
        // the connection cache, which is the point of reusing the handle.
        curl_easy_reset(handle)
        errorBuffer[0] = 0
        let context = TransferContext(
            cancel: cancel, upload: request.body ?? Self.implicitEmptyBody(request.method), sink: request.onBodyChunk)
        var headerList: UnsafeMutablePointer<curl_slist>?
        defer { curl_slist_free_all(headerList) }
        do {
            try configure(request, connectTimeout: connectTimeout, context: context)
            headerList = try Self.headerList(for: request)
            try set(CURLOPT_HTTPHEADER) { plumb_curl_setopt_slist(handle, $0, headerList) }
        } catch {
            return .failure(error)
        }
        let result = withExtendedLifetime(context) { curl_easy_perform(handle) }
        if result == CURLE_ABORTED_BY_CALLBACK, cancel.isRaised {
            return .failure(CancellationError())
        }
        guard result == CURLE_OK else {
            return .failure(HTTPError(curl: result, message: message(for: result)))
        }
        var status = 0
        _ = plumb_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        return .success(HTTPResponse(status: status, headers: context.headers, body: context.body))
    }

    /// POST, PUT and PATCH always carry a body, so servers get `Content-Length: 0` rather
    /// than a request they may hold open waiting for one.
    private static func implicitEmptyBody(_ method: String) -> Data? {
        ["POST", "PUT", "PATCH"].contains(method) ? Data() : nil
    }

    private func configure(_ request: HTTPRequest, connectTimeout: Duration, context: TransferContext) throws(HTTPError) {
        try setString(CURLOPT_URL, request.url)
        try setString(CURLOPT_PROTOCOLS_STR, "http,https")
        try setString(CURLOPT_USERAGENT, "plumb")
        // Certificate and host-name verification are fixed on; no API turns them off.
        try setLong(CURLOPT_SSL_VERIFYPEER, 1)
        try setLong(CURLOPT_SSL_VERIFYHOST, 2)
        // Without NOSIGNAL libcurl times out name resolution with SIGALRM, unsafe with threads.
        try setLong(CURLOPT_NOSIGNAL, 1)
        try setLong(CURLOPT_FOLLOWLOCATION, 0)
        try setLong(CURLOPT_CONNECTTIMEOUT_MS, connectTimeout.curlMilliseconds)
        try setLong(CURLOPT_TIMEOUT_MS, request.timeout.curlMilliseconds)
        try set(CURLOPT_ERRORBUFFER) { plumb_curl_setopt_pointer(handle, $0, errorBuffer) }
        try configureMethod(request, upload: context.upload)
        try installCallbacks(context)
    }

    private func configureMethod(_ request: HTTPRequest, upload: UnsafeMutableRawBufferPointer?) throws(HTTPError) {
        if let upload {
            try set(CURLOPT_POSTFIELDSIZE_LARGE) { plumb_curl_setopt_off_t(handle, $0, curl_off_t(upload.count - 1)) }
            try set(CURLOPT_POSTFIELDS) { plumb_curl_setopt_pointer(handle, $0, upload.baseAddress) }
            if request.method != "POST" { try setString(CURLOPT_CUSTOMREQUEST, request.method) }
        } else if request.method == "HEAD" {
            try setLong(CURLOPT_NOBODY, 1)
        } else if request.method != "GET" {
            try setString(CURLOPT_CUSTOMREQUEST, request.method)
        }
    }

    /// The caller's headers in order, plus two removals of libcurl defaults: `Expect:` (libcurl
    /// would otherwise wait up to a second for "100 Continue" on larger bodies) and, for a
    /// body without a type, libcurl's invented `application/x-www-form-urlencoded`.
    private static func headerList(for request: HTTPRequest) throws(HTTPError) -> UnsafeMutablePointer<curl_slist>? {
        var lines = request.headers.map { header in
            // "Name:" would remove the header; "Name;" is libcurl's spelling of an empty value.
            header.value.isEmpty ? "\(header.name);" : "\(header.name): \(header.value)"
        }
        if !request.hasHeader("Expect") { lines.append("Expect:") }
        if !request.hasHeader("Content-Type") { lines.append("Content-Type:") }
        var list: UnsafeMutablePointer<curl_slist>?
        for line in lines {
            guard let extended = curl_slist_append(list, line) else {
                curl_slist_free_all(list)
                throw HTTPError(code: .other, message: "out of memory building request headers")
            }
            list = extended
        }
        return list
    }

    private func message(for result: CURLcode) -> String {
        var text = String(cString: errorBuffer)
        if text.isEmpty { text = String(cString: curl_easy_strerror(result)) }
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func setLong(_ option: CURLoption, _ value: Int) throws(HTTPError) {
        try set(option) { plumb_curl_setopt_long(handle, $0, value) }
    }

    /// libcurl copies string options, so the temporary C string may go away afterwards.
    func setString(_ option: CURLoption, _ value: String) throws(HTTPError) {
        try set(option) { option in value.withCString { plumb_curl_setopt_string(handle, option, $0) } }
    }

    func set(_ option: CURLoption, _ apply: (CURLoption) -> CURLcode) throws(HTTPError) {
        let result = apply(option)
        guard result == CURLE_OK else {
            throw HTTPError(curl: result, message: "libcurl refused option \(option.rawValue): \(String(cString: curl_easy_strerror(result)))")
        }
    }

    var rawHandle: UnsafeMutableRawPointer { handle }
}
