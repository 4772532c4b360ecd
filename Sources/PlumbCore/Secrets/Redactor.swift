import Foundation

/// Every secret value Plumb knows, and the one way to keep them out of text (SPEC §8.1):
/// `redact` replaces each occurrence by `***`. Check output passes through it where it is
/// produced (`CheckExecutor`, `CommandProbe`), so every sink — terminal, JSON, history,
/// logs, `/runs`, `/status`, the status page, notifications — receives redacted text.
public struct Redactor: Sendable, Hashable {
    /// Longest first, so a secret that contains another is replaced whole.
    public private(set) var secrets: [String]

    /// Shorter values are not redacted: replacing every `a` or `1` in the output would hide
    /// everything and protect nothing.
    public static let minimumLength = 4
    public static let mask = "***"

    public init(secrets: [String] = []) {
        self.secrets = []
        add(secrets)
    }

    /// Adds values (and their percent-encoded form, as they appear in URLs).
    public mutating func add(_ values: some Sequence<String>) {
        var all = Set(secrets)
        for value in values where value.count >= Self.minimumLength {
            all.insert(value)
            if let encoded = value.addingPercentEncoding(withAllowedCharacters: .urlUserAllowed), encoded != value {
                all.insert(encoded)
            }
        }
        secrets = all.sorted { $0.count != $1.count ? $0.count > $1.count : $0 < $1 }
    }

    public func adding(_ values: some Sequence<String>) -> Redactor {
        var copy = self
        copy.add(values)
        return copy
    }

    public var isEmpty: Bool { secrets.isEmpty }

    public func redact(_ text: String) -> String {
        var text = text
        for secret in secrets where text.contains(secret) {
            text = text.replacingOccurrences(of: secret, with: Self.mask)
        }
        return text
    }

    /// The secrets an environment holds: variables whose names say they are secret
    /// (`*KEY*`, `*SECRET*`, `*TOKEN*`, `*PASSWORD*`, AWS credentials, the agent's `PLUMB_*`
    /// secrets), and the password of every URL it holds.
    public static func secrets(inEnvironment environment: [String: String]) -> [String] {
        var found: [String] = []
        for (name, value) in environment {
            if isSecretName(name) { found.append(value) }
            if let password = URLUserInfo.split(value).password { found.append(password) }
        }
        return found
    }

    /// What the environment and the bindings hold: the secret-keyed binding values are the
    /// interpolated ones (`api_key: ${PDNS_API_KEY}` after expansion).
    public static func known(environment: [String: String], bindings: [String: ProviderBinding] = [:], urls: [String] = []) -> Redactor {
        var redactor = Redactor(secrets: secrets(inEnvironment: environment))
        for binding in bindings.values {
            redactor.add(binding.secretKeys.compactMap { binding.settings[$0] })
            redactor.add(binding.settings.values.compactMap { URLUserInfo.split($0).password })
        }
        redactor.add(urls.compactMap { URLUserInfo.split($0).password })
        return redactor
    }

    static let secretWords = ["KEY", "SECRET", "TOKEN", "PASSWORD", "PASSWD", "CREDENTIAL"]

    /// `AWS_SECRET_ACCESS_KEY`, `PDNS_API_KEY`, `PLUMB_WEBHOOK_SECRET`, `PLUMB_STORE`… but
    /// not `PLUMB_STATE_DIR` or `PATH`.
    public static func isSecretName(_ name: String) -> Bool {
        let upper = name.uppercased()
        if upper.hasPrefix("AWS_") && (upper.contains("ACCESS_KEY") || upper.contains("SESSION_TOKEN")) { return true }
        if upper.hasPrefix("PLUMB_") && (upper.contains("STORE") || upper.contains("URL")) { return true }
        return secretWords.contains { upper.contains($0) }
    }
}
