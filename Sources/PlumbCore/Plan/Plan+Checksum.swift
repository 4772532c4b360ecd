import Crypto
import Foundation

extension Plan {
    /// SHA-256 over what the plan would do — each change's address, action and target
    /// attributes, in address order — and nothing else (not the chunking, not the source).
    /// A reviewed plan and the plan of its merge have the same checksum exactly when they
    /// make the same changes.
    public var changesChecksum: String {
        let lines = changes.sorted { $0.address < $1.address }.map { change in
            "\(change.action.rawValue) \(change.address) \(change.after?.attributes.canonicalText ?? "-")"
        }
        let digest = SHA256.hash(data: Data(lines.joined(separator: "\n").utf8))
        return digest.map { String(format: "%02x", $0) }.joined()
    }
}
