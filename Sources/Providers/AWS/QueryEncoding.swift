/// Percent-encoding as AWS wants it (RFC 3986): only the unreserved characters
/// `A-Z a-z 0-9 - . _ ~` stay as they are; every other byte of the UTF-8 form becomes `%XX`
/// with upper-case hex. A space is `%20`, never `+`. The same encoding serves Query API form
/// bodies (EC2, IAM) and SigV4's canonical query string, so what is sent is what is signed.
enum AWSQuery {
    static func percentEncode(_ s: String) -> String {
        percentEncode(bytes: s.utf8)
    }

    /// The same encoding over raw bytes, for text that was percent-decoded and need not be
    /// valid UTF-8.
    static func percentEncode<Bytes: Sequence>(bytes: Bytes) -> String where Bytes.Element == UInt8 {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.underestimatedCount)
        for byte in bytes {
            if isUnreserved(byte) {
                out.append(byte)
            } else {
                out.append(UInt8(ascii: "%"))
                out.append(hexDigits[Int(byte >> 4)])
                out.append(hexDigits[Int(byte & 0x0F)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// `name=value&name=value`, in the order given (AWS does not care about the order of a
    /// form body; keeping it makes request logs read `Action=…&Version=…` first).
    static func formBody(_ parameters: [(String, String)]) -> String {
        parameters.map { percentEncode($0.0) + "=" + percentEncode($0.1) }.joined(separator: "&")
    }

    static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."),
            UInt8(ascii: "_"), UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }

    private static let hexDigits = Array("0123456789ABCDEF".utf8)
}
