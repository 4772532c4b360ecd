import Crypto
import Foundation

/// Transaction signatures (RFC 8945) with HMAC-SHA256 or HMAC-SHA512.
///
/// `sign` appends a TSIG record to a request. `Verifier` checks the replies to it, message
/// by message: the first against the request's MAC, each later one (a zone transfer runs
/// over many) against the MAC before it, with unsigned messages in between folded into the
/// next signed one's digest (§5.3.1).
public struct TSIGKey: Sendable {
    public enum Algorithm: String, Sendable, CaseIterable {
        case hmacSHA256 = "hmac-sha256"
        case hmacSHA512 = "hmac-sha512"
    }

    public var name: String
    public var algorithm: Algorithm
    var secret: SymmetricKey

    /// `secret` is base64, as in named.conf and knot.conf. Nil when it is not base64.
    public init?(name: String, algorithm: Algorithm, secret base64: String) {
        guard let data = Data(base64Encoded: base64), !data.isEmpty else { return nil }
        self.name = (name.hasSuffix(".") ? name : name + ".").lowercased()
        self.algorithm = algorithm
        secret = SymmetricKey(data: data)
    }

    /// How far our clock and the server's may differ (RFC 8945 recommends 300 s).
    static let fudge: UInt16 = 300

    func mac(_ data: [UInt8]) -> [UInt8] {
        switch algorithm {
        case .hmacSHA256: Array(HMAC<SHA256>.authenticationCode(for: data, using: secret))
        case .hmacSHA512: Array(HMAC<SHA512>.authenticationCode(for: data, using: secret))
        }
    }

    /// Signs `message` (which has no TSIG yet); returns the signed message and its MAC.
    public func sign(_ message: [UInt8], now: Date = Date()) throws(DNSError) -> (message: [UInt8], mac: [UInt8]) {
        let keyName = try DNSMessage.encode(name: name)
        let algorithmName = try DNSMessage.encode(name: algorithm.rawValue + ".")
        let time = UInt64(max(0, now.timeIntervalSince1970))
        var variables = keyName
        variables.appendUInt16(255)  // class ANY
        variables += [0, 0, 0, 0]  // TTL
        variables += algorithmName
        variables += Self.timers(time)
        variables += [0, 0, 0, 0]  // error, other length
        let mac = self.mac(message + variables)
        var rdata = algorithmName + Self.timers(time)
        rdata.appendUInt16(UInt16(mac.count))
        rdata += mac
        rdata += message[0..<2]  // original id
        rdata += [0, 0, 0, 0]
        var signed = message + keyName
        signed.appendUInt16(250)
        signed.appendUInt16(255)
        signed += [0, 0, 0, 0]
        signed.appendUInt16(UInt16(rdata.count))
        signed += rdata
        let additional = UInt16(signed[10]) << 8 | UInt16(signed[11])
        signed[10] = UInt8((additional + 1) >> 8)
        signed[11] = UInt8((additional + 1) & 0xFF)
        return (signed, mac)
    }

    /// Time signed (48 bits) and fudge.
    static func timers(_ time: UInt64) -> [UInt8] {
        var bytes = (0..<6).reversed().map { UInt8(time >> (8 * UInt64($0)) & 0xFF) }
        bytes.appendUInt16(fudge)
        return bytes
    }
}

/// Verifies the replies to one signed request, in order.
public struct TSIGVerifier: Sendable {
    let key: TSIGKey
    var previousMAC: [UInt8]
    var unsigned: [UInt8] = []
    var first = true

    public init(key: TSIGKey, requestMAC: [UInt8]) {
        self.key = key
        previousMAC = requestMAC
    }

    /// Checks one reply. An unsigned reply is accepted only within a multi-message
    /// transfer after a signed first one (at most 99 in a row, RFC 8945 §5.3.1).
    public mutating func verify(_ message: [UInt8], tsig: DNSSignature?) throws(DNSError) {
        guard let tsig else {
            guard !first, unsigned.count < 99 * 65535 else {
                throw DNSError(code: .badSignature, message: "the reply is not signed with key \(key.name)")
            }
            unsigned += message
            return
        }
        guard tsig.keyName == key.name, tsig.algorithm == key.algorithm.rawValue + "." else {
            throw DNSError(code: .badSignature, message: "the reply is signed with key \(tsig.keyName) (\(tsig.algorithm)), not \(key.name)")
        }
        guard tsig.error == 0 else {
            throw DNSError(code: .badSignature, message: "the server refused key \(key.name): \(TSIGError.name(tsig.error))")
        }
        // The message as it was before the TSIG was added: without it, ARCOUNT one less,
        // the original id.
        var stripped = Array(message[..<tsig.recordOffset])
        let additional = (UInt16(stripped[10]) << 8 | UInt16(stripped[11])) &- 1
        stripped[10] = UInt8(additional >> 8)
        stripped[11] = UInt8(additional & 0xFF)
        stripped[0] = UInt8(tsig.originalID >> 8)
        stripped[1] = UInt8(tsig.originalID & 0xFF)
        var data: [UInt8] = []
        data.appendUInt16(UInt16(previousMAC.count))
        data += previousMAC
        data += unsigned
        data += stripped
        if first {
            data += try DNSMessage.encode(name: key.name)
            data.appendUInt16(255)
            data += [0, 0, 0, 0]
            data += try DNSMessage.encode(name: key.algorithm.rawValue + ".")
            data += TSIGKey.timers(tsig.timeSigned).prefix(6)
            data.appendUInt16(tsig.fudge)
            data.appendUInt16(tsig.error)
            data.appendUInt16(UInt16(tsig.other.count))
            data += tsig.other
        } else {
            data += TSIGKey.timers(tsig.timeSigned).prefix(6)
            data.appendUInt16(tsig.fudge)
        }
        let expected = key.mac(data)
        guard tsig.mac.count == expected.count, constantTimeEqual(tsig.mac, expected) else {
            throw DNSError(code: .badSignature, message: "the reply's signature does not verify with key \(key.name)")
        }
        let now = UInt64(max(0, Date().timeIntervalSince1970))
        guard (now > tsig.timeSigned ? now - tsig.timeSigned : tsig.timeSigned - now) <= UInt64(tsig.fudge) else {
            throw DNSError(code: .badSignature, message: "the reply was signed at \(tsig.timeSigned), outside the \(tsig.fudge) s fudge of our clock")
        }
        previousMAC = tsig.mac
        unsigned = []
        first = false
    }

    private func constantTimeEqual(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        zip(lhs, rhs).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }
}

/// TSIG error codes (RFC 8945 §5.2, RFC 2845).
public enum TSIGError {
    public static func name(_ code: UInt16) -> String {
        switch code {
        case 16: "BADSIG (the secret differs)"
        case 17: "BADKEY (the server does not know the key or its algorithm)"
        case 18: "BADTIME (the clocks differ by more than the fudge)"
        case 22: "BADTRUNC"
        default: "TSIG error \(code)"
        }
    }
}
