import Crypto
import Foundation
import PlumbHTTP

/// AWS Signature Version 4 (header form, `AWS4-HMAC-SHA256`) for the services Plumb talks
/// to: Route 53, EC2 and IAM. Not for S3: its canonical path is neither normalized nor
/// de-duplicated of slashes, and it wants `X-Amz-Content-Sha256`.
///
/// Checked against AWS's published SigV4 test suite (see SigV4Tests).
struct SigV4Signer: Sendable {
    static let algorithm = "AWS4-HMAC-SHA256"

    let credentials: AWSCredentials
    let region: String
    let service: String

    init(credentials: AWSCredentials, region: String, service: String) {
        self.credentials = credentials
        self.region = region
        self.service = service
    }

    /// The request with `X-Amz-Date` (unless it already has one, whose value is then used),
    /// `X-Amz-Security-Token` (with temporary credentials, unless already present) and
    /// `Authorization` added. Every header the request carries is signed, plus `host`: from
    /// a `Host` header when there is one, otherwise derived from the URL the way libcurl
    /// sends it (no `Host` header is added: libcurl adds its own). A previous `Authorization`
    /// is dropped, so a request can be signed again on retry.
    func sign(_ request: HTTPRequest, date: Date) -> HTTPRequest {
        var prepared = request
        prepared.headers.removeAll { $0.name.lowercased() == "authorization" }
        let amzDate = Self.headerValue(prepared, "x-amz-date") ?? Self.amzDate(date)
        prepared = withSigningHeaders(prepared, amzDate: amzDate)
        let canonical = canonicalForm(of: prepared)
        let toSign = stringToSign(canonicalRequest: canonical.request, amzDate: amzDate)
        let signature = signature(stringToSign: toSign, dateStamp: Self.dateStamp(amzDate))
        let authorization =
            "\(Self.algorithm) Credential=\(credentials.accessKeyID)/\(credentialScope(amzDate: amzDate)), "
            + "SignedHeaders=\(canonical.signedHeaders), Signature=\(signature)"
        prepared.headers.append((name: "Authorization", value: authorization))
        return prepared
    }

    // MARK: - The steps, internal for tests

    /// Step 1: the canonical request, for the request as `sign` would send it (with
    /// `X-Amz-Date` and the session token added when missing).
    func canonicalRequest(for request: HTTPRequest, amzDate: String) -> String {
        canonicalForm(of: withSigningHeaders(request, amzDate: amzDate)).request
    }

    /// `host;x-amz-date;…`: the names `canonicalRequest(for:amzDate:)` signs.
    func signedHeaders(for request: HTTPRequest, amzDate: String) -> String {
        canonicalForm(of: withSigningHeaders(request, amzDate: amzDate)).signedHeaders
    }

    /// Step 2: algorithm, timestamp, credential scope and the hash of the canonical request.
    func stringToSign(canonicalRequest: String, amzDate: String) -> String {
        [
            Self.algorithm,
            amzDate,
            credentialScope(amzDate: amzDate),
            Self.hex(SHA256.hash(data: Data(canonicalRequest.utf8))),
        ].joined(separator: "\n")
    }

    /// `20150830/us-east-1/service/aws4_request`
    func credentialScope(amzDate: String) -> String {
        "\(Self.dateStamp(amzDate))/\(region)/\(service)/aws4_request"
    }

    /// Step 3: hex HMAC of the string to sign under the day's signing key.
    func signature(stringToSign: String, dateStamp: String) -> String {
        let key = Self.signingKey(
            secretAccessKey: credentials.secretAccessKey, dateStamp: dateStamp, region: region, service: service)
        return Self.hex(HMAC<SHA256>.authenticationCode(for: Data(stringToSign.utf8), using: key))
    }

    /// kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request")
    static func signingKey(secretAccessKey: String, dateStamp: String, region: String, service: String) -> SymmetricKey {
        var key = SymmetricKey(data: Data(("AWS4" + secretAccessKey).utf8))
        for part in [dateStamp, region, service, "aws4_request"] {
            key = SymmetricKey(data: HMAC<SHA256>.authenticationCode(for: Data(part.utf8), using: key))
        }
        return key
    }

    /// `yyyyMMdd'T'HHmmss'Z'` in UTC, computed without a calendar or a formatter.
    static func amzDate(_ date: Date) -> String {
        let seconds = Int64(date.timeIntervalSince1970.rounded(.down))
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        // Days since 1970-01-01 to a proleptic Gregorian civil date (H. Hinnant's algorithm).
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return pad(year, 4) + pad(month, 2) + pad(day, 2) + "T"
            + pad(secondOfDay / 3600, 2) + pad(secondOfDay % 3600 / 60, 2) + pad(secondOfDay % 60, 2) + "Z"
    }

    static func hex<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    // MARK: - Canonical form

    private struct CanonicalForm {
        var request: String
        var signedHeaders: String
    }

    /// Adds what gets signed but the caller did not set: `X-Amz-Date` and the session token.
    private func withSigningHeaders(_ request: HTTPRequest, amzDate: String) -> HTTPRequest {
        var request = request
        if !request.headers.contains(where: { $0.name.lowercased() == "x-amz-date" }) {
            request.headers.append((name: "X-Amz-Date", value: amzDate))
        }
        if let token = credentials.sessionToken,
            !request.headers.contains(where: { $0.name.lowercased() == "x-amz-security-token" })
        {
            request.headers.append((name: "X-Amz-Security-Token", value: token))
        }
        return request
    }

    private func canonicalForm(of request: HTTPRequest) -> CanonicalForm {
        let url = URLParts(request.url)

        // Same-named headers are joined with commas in the order sent; names sort bytewise.
        var headers: [String: [String]] = [:]
        for header in request.headers {
            headers[header.name.lowercased(), default: []].append(Self.canonicalHeaderValue(header.value))
        }
        if headers["host"] == nil {
            headers["host"] = [url.hostHeader]
        }
        let names = headers.keys.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
        let canonicalHeaders = names.map { "\($0):\(headers[$0, default: []].joined(separator: ","))\n" }.joined()
        let signedHeaders = names.joined(separator: ";")

        let request = [
            request.method,
            Self.canonicalURI(url.path),
            Self.canonicalQuery(url.query),
            canonicalHeaders,
            signedHeaders,
            Self.hex(SHA256.hash(data: request.body ?? Data())),
        ].joined(separator: "\n")
        return CanonicalForm(request: request, signedHeaders: signedHeaders)
    }

    /// Trimmed, and every run of spaces or tabs inside collapsed to one space (quoted
    /// strings included, as the test suite's `get-header-value-trim` has it).
    static func canonicalHeaderValue(_ value: String) -> String {
        var out = ""
        var pendingSpace = false
        for character in value {
            if character == " " || character == "\t" {
                pendingSpace = !out.isEmpty
            } else {
                if pendingSpace { out.append(" ") }
                pendingSpace = false
                out.append(character)
            }
        }
        return out
    }

    /// The path with dot segments removed and duplicate slashes collapsed, each segment
    /// percent-decoded once and then encoded with only the unreserved characters left as is.
    static func canonicalURI(_ path: String) -> String {
        let pieces = path.split(separator: "/", omittingEmptySubsequences: false)
        var segments: [Substring] = []
        for piece in pieces {
            switch piece {
            case "", ".": continue
            case "..": _ = segments.popLast()
            default: segments.append(piece)
            }
        }
        guard !segments.isEmpty else { return "/" }
        let last = pieces.last ?? ""
        let trailingSlash = last.isEmpty || last == "." || last == ".."
        let encoded = segments.map { AWSQuery.percentEncode(bytes: percentDecode($0)) }
        return "/" + encoded.joined(separator: "/") + (trailingSlash ? "/" : "")
    }

    /// Parameters decoded once, re-encoded, sorted by name then value (bytewise, after
    /// encoding). A parameter without `=` has an empty value. `+` is a literal plus.
    static func canonicalQuery(_ query: String) -> String {
        let pairs: [(String, String)] = query.split(separator: "&").map { parameter in
            let name: Substring
            let value: Substring
            if let equals = parameter.firstIndex(of: "=") {
                name = parameter[..<equals]
                value = parameter[parameter.index(after: equals)...]
            } else {
                name = parameter
                value = ""
            }
            return (
                AWSQuery.percentEncode(bytes: percentDecode(name)),
                AWSQuery.percentEncode(bytes: percentDecode(value))
            )
        }
        let sorted = pairs.sorted { a, b in
            if a.0 != b.0 { return Array(a.0.utf8).lexicographicallyPrecedes(Array(b.0.utf8)) }
            return Array(a.1.utf8).lexicographicallyPrecedes(Array(b.1.utf8))
        }
        return sorted.map { "\($0.0)=\($0.1)" }.joined(separator: "&")
    }

    /// `%XX` to the byte; a `%` not followed by two hex digits stays as it is.
    static func percentDecode(_ text: Substring) -> [UInt8] {
        let bytes = Array(text.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "%"), index + 2 < bytes.count,
                let high = hexValue(bytes[index + 1]), let low = hexValue(bytes[index + 2])
            {
                out.append(high << 4 | low)
                index += 3
            } else {
                out.append(bytes[index])
                index += 1
            }
        }
        return out
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    private static func headerValue(_ request: HTTPRequest, _ name: String) -> String? {
        guard let header = request.headers.first(where: { $0.name.lowercased() == name }) else { return nil }
        return canonicalHeaderValue(header.value)
    }

    private static func dateStamp(_ amzDate: String) -> String { String(amzDate.prefix(8)) }

    private static func pad(_ value: Int64, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}

extension SigV4Signer {
    /// The parts of an `http(s)://` URL that SigV4 needs, split by hand: the URL is taken as
    /// written (URLComponents would refuse the test suite's raw spaces and change encodings).
    struct URLParts: Sendable, Equatable {
        /// What libcurl sends as `Host`: the host as written, `:port` only when not the
        /// scheme's default.
        var hostHeader: String
        /// Empty when the URL has none (signed as `/`).
        var path: String
        /// Without the `?`; empty when there is none. The fragment is dropped.
        var query: String

        init(_ url: String) {
            var rest = Substring(url)
            var scheme = ""
            if let separator = rest.range(of: "://") {
                scheme = rest[..<separator.lowerBound].lowercased()
                rest = rest[separator.upperBound...]
            }
            if let hash = rest.firstIndex(of: "#") { rest = rest[..<hash] }
            let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" } ?? rest.endIndex
            var authority = rest[..<authorityEnd]
            let target = rest[authorityEnd...]
            if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }

            // Host and port; an IPv6 literal keeps its brackets.
            var host = authority
            var port: Substring = ""
            if authority.hasPrefix("["), let close = authority.firstIndex(of: "]") {
                host = authority[...close]
                let after = authority[authority.index(after: close)...]
                if after.hasPrefix(":") { port = after.dropFirst() }
            } else if let colon = authority.lastIndex(of: ":") {
                host = authority[..<colon]
                port = authority[authority.index(after: colon)...]
            }
            let defaultPort = scheme == "https" ? "443" : scheme == "http" ? "80" : ""
            let portNumber = port.drop { $0 == "0" }
            hostHeader = port.isEmpty || portNumber == Substring(defaultPort) ? String(host) : "\(host):\(port)"

            if let question = target.firstIndex(of: "?") {
                path = String(target[..<question])
                query = String(target[target.index(after: question)...])
            } else {
                path = String(target)
                query = ""
            }
        }
    }
}
