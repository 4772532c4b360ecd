import Crypto
import Foundation

/// Webhook authentication, checked before anything in the body is parsed.
public enum WebhookSignature {
    /// GitHub: `X-Hub-Signature-256: sha256=HEX` of HMAC-SHA256(secret, body).
    public static func verifyGitHub(_ header: String?, body: [UInt8], secret: String) -> Bool {
        guard let header, header.hasPrefix("sha256=") else { return false }
        return verifyHMAC(hex: String(header.dropFirst(7)), body: body, secret: secret)
    }

    /// Gitea and Forgejo: `X-Gitea-Signature: HEX` of HMAC-SHA256(secret, body).
    public static func verifyGitea(_ header: String?, body: [UInt8], secret: String) -> Bool {
        guard let header else { return false }
        return verifyHMAC(hex: header, body: body, secret: secret)
    }

    /// GitLab: `X-Gitlab-Token` is the secret itself.
    public static func verifyGitLab(_ header: String?, secret: String) -> Bool {
        guard let header else { return false }
        return constantTimeEqual(Array(header.utf8), Array(secret.utf8))
    }

    static func verifyHMAC(hex: String, body: [UInt8], secret: String) -> Bool {
        guard let expected = bytes(hex: hex) else { return false }
        let key = SymmetricKey(data: Data(secret.utf8))
        // Crypto's isValidAuthenticationCode compares in constant time.
        return HMAC<SHA256>.isValidAuthenticationCode(expected, authenticating: body, using: key)
    }

    /// Compares every byte whatever the first difference, so timing tells nothing.
    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        var difference = UInt8(a.count == b.count ? 0 : 1)
        for index in 0..<max(a.count, b.count) {
            difference |= (index < a.count ? a[index] : 0) ^ (index < b.count ? b[index] : 0)
        }
        return difference == 0
    }

    static func bytes(hex: String) -> [UInt8]? {
        let characters = Array(hex.utf8)
        guard characters.count == 64 else { return nil }
        var result: [UInt8] = []
        result.reserveCapacity(32)
        var index = 0
        while index < characters.count {
            guard let high = nibble(characters[index]), let low = nibble(characters[index + 1]) else { return nil }
            result.append(high << 4 | low)
            index += 2
        }
        return result
    }

    private static func nibble(_ character: UInt8) -> UInt8? {
        switch character {
        case 48...57: return character - 48
        case 97...102: return character - 87
        case 65...70: return character - 55
        default: return nil
        }
    }

    /// The GitHub-style signature of a body, for tests and tools.
    public static func sign(_ body: [UInt8], secret: String) -> String {
        let code = HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Data(secret.utf8)))
        return code.map { String(format: "%02x", $0) }.joined()
    }
}
