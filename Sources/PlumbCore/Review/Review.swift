import Crypto
import Foundation

/// What a reviewer is asked to approve, and what `--require-reviewed-plan` compares: the
/// plan's changes, the checks the range adds/changes/removes, and the binding and settings
/// files it changes (SPEC §8.1).
public struct Review: Sendable, Hashable {
    public var plan: Plan
    public var checks: [CheckChange]
    /// `Providers/` and `plumb.yaml` files that differ: such a request needs a binding
    /// review, and its plan was computed without them.
    public var trustedFiles: [TrustedFileChange]

    public init(plan: Plan, checks: [CheckChange] = [], trustedFiles: [TrustedFileChange] = []) {
        self.plan = plan
        self.checks = checks
        self.trustedFiles = trustedFiles
    }

    public var needsBindingReview: Bool { !trustedFiles.isEmpty }

    /// The plan's `changesChecksum` when the range changes no check and no trusted file (so
    /// existing reviews keep matching); otherwise SHA-256 over all three.
    public var checksum: String {
        guard !checks.isEmpty || !trustedFiles.isEmpty else { return plan.changesChecksum }
        var lines = ["changes \(plan.changesChecksum)"]
        lines += checks.map(\.line).sorted().map { "check " + $0 }
        lines += trustedFiles.map { "file \($0.action.rawValue) \($0.path)\n" + $0.diff.joined(separator: "\n") }
        return SHA256.hash(data: Data(lines.joined(separator: "\n").utf8)).map { String(format: "%02x", $0) }.joined()
    }
}
