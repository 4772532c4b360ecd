import Foundation

/// What libcurl's callbacks read and write during one transfer. Lives on the worker thread
/// for the length of `curl_easy_perform`; callbacks reach it through an unretained pointer.
final class TransferContext {
    let cancel: CancelFlag
    private(set) var body = Data()
    private(set) var headers: [String: String] = [:]
    private var lastHeaderName: String?

    /// A private copy of the request body: CURLOPT_POSTFIELDS does not copy, so the bytes
    /// must stay put until the transfer ends, and this object outlives it.
    let upload: UnsafeMutableRawBufferPointer?

    /// `HTTPRequest.onBodyChunk`: the body goes there instead of into `body`.
    let sink: (@Sendable (Data) -> Void)?

    init(cancel: CancelFlag, upload body: Data?, sink: (@Sendable (Data) -> Void)? = nil) {
        self.cancel = cancel
        self.sink = sink
        if let body {
            // One spare byte so an empty body still has a valid, non-null address.
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: body.count + 1, alignment: 1)
            buffer.copyBytes(from: body)
            self.upload = buffer
        } else {
            self.upload = nil
        }
    }

    deinit { upload?.deallocate() }

    func appendBody(_ bytes: UnsafeRawBufferPointer) {
        if let sink {
            sink(Data(bytes))
            return
        }
        body.append(contentsOf: bytes)
    }

    /// Takes one raw header line as libcurl delivers it (with CRLF). A status line starts a
    /// new header block, so only the last response's headers survive (100 Continue, or a
    /// proxy's CONNECT reply, come first).
    func appendHeaderLine(_ bytes: UnsafeRawBufferPointer) {
        var line = String(decoding: bytes, as: UTF8.self)
        // "\r\n" is one Character in Swift, so test for newlines rather than for "\r".
        while let last = line.last, last.isNewline { line.removeLast() }
        if line.hasPrefix("HTTP/") {
            headers = [:]
            lastHeaderName = nil
            return
        }
        guard let first = line.first else { return }
        if first == " " || first == "\t" {
            // Obsolete line folding (RFC 9112 §5.2): the line continues the previous value.
            if let name = lastHeaderName, let value = headers[name] {
                headers[name] = value + " " + line.trimmingCharacters(in: .whitespaces)
            }
            return
        }
        guard let colon = line.firstIndex(of: ":") else { return }
        let name = line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
        let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        if let existing = headers[name] {
            headers[name] = existing + ", " + value
        } else {
            headers[name] = value
        }
        lastHeaderName = name
    }
}
