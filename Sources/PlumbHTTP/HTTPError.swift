import CCurl

/// Why a request produced no HTTP response. An HTTP error status (404, 500) is not an
/// `HTTPError`: it is a response, and the caller decides what it means.
public struct HTTPError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: Sendable, Hashable {
        /// Name not resolved, connection refused or reset, nothing or only part received.
        case connectionFailed
        /// The connect timeout or the request's total timeout ran out.
        case timeout
        /// TLS handshake or certificate verification failed.
        case tls
        case other
    }

    public var code: Code
    /// libcurl's explanation, or ours for requests refused before sending. Never carries
    /// header values, which may be credentials.
    public var message: String
    /// libcurl's `CURLcode`, when libcurl reported the failure.
    public var curlCode: Int?

    public init(code: Code, message: String, curlCode: Int? = nil) {
        self.code = code
        self.message = message
        self.curlCode = curlCode
    }

    public var description: String { "HTTP \(code): \(message)" }

    /// True when the request certainly never reached the server (the name did not
    /// resolve, the connection was refused): then even a non-idempotent call may be retried.
    public var requestWasNotSent: Bool {
        guard let curlCode else { return false }
        return [CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY, CURLE_COULDNT_CONNECT]
            .contains { Int($0.rawValue) == curlCode }
    }

    /// Sorts a libcurl result into the codes callers act on (retry a connection failure or
    /// a timeout; treat TLS as a configuration problem).
    init(curl result: CURLcode, message: String) {
        let code: Code
        switch result {
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY, CURLE_COULDNT_CONNECT,
            CURLE_GOT_NOTHING, CURLE_SEND_ERROR, CURLE_RECV_ERROR, CURLE_PARTIAL_FILE:
            code = .connectionFailed
        case CURLE_OPERATION_TIMEDOUT:
            code = .timeout
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM,
            CURLE_SSL_CIPHER, CURLE_SSL_CACERT_BADFILE, CURLE_SSL_ISSUER_ERROR,
            CURLE_SSL_PINNEDPUBKEYNOTMATCH, CURLE_SSL_INVALIDCERTSTATUS, CURLE_SSL_CRL_BADFILE,
            CURLE_SSL_ENGINE_NOTFOUND, CURLE_SSL_ENGINE_SETFAILED, CURLE_SSL_ENGINE_INITFAILED,
            CURLE_SSL_SHUTDOWN_FAILED, CURLE_USE_SSL_FAILED:
            code = .tls
        default:
            code = .other
        }
        self.init(code: code, message: message, curlCode: Int(result.rawValue))
    }
}
