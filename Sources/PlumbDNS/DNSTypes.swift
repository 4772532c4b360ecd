/// The record types Plumb's DNS checks ask for and the rfc2136 provider reads and writes.
public enum DNSRecordType: String, Sendable, CaseIterable {
    case a = "A"
    case aaaa = "AAAA"
    case cname = "CNAME"
    case mx = "MX"
    case txt = "TXT"
    case srv = "SRV"
    case ns = "NS"
    case caa = "CAA"
    case ptr = "PTR"
    case ds = "DS"
    case tlsa = "TLSA"
    case sshfp = "SSHFP"
    case naptr = "NAPTR"
    case loc = "LOC"
    case https = "HTTPS"
    case svcb = "SVCB"
    case dname = "DNAME"
    case uri = "URI"
    case spf = "SPF"
    case soa = "SOA"

    /// Accepts any case ("aaaa").
    public init?(name: String) { self.init(rawValue: name.uppercased()) }

    public init?(code: UInt16) {
        guard let type = Self.allCases.first(where: { $0.code == code }) else { return nil }
        self = type
    }

    /// The TYPE value (RFC 1035, 3596, 2782, 8659, 4034, 6698, 4255, 3403, 1876, 9460,
    /// 6672, 7553, 7208).
    public var code: UInt16 {
        switch self {
        case .a: 1
        case .ns: 2
        case .cname: 5
        case .soa: 6
        case .ptr: 12
        case .mx: 15
        case .txt: 16
        case .aaaa: 28
        case .loc: 29
        case .srv: 33
        case .naptr: 35
        case .dname: 39
        case .ds: 43
        case .sshfp: 44
        case .tlsa: 52
        case .svcb: 64
        case .https: 65
        case .spf: 99
        case .uri: 256
        case .caa: 257
        }
    }
}

/// One resource record of the answer section, in presentation format.
public struct DNSRecord: Sendable, Equatable {
    /// Owner name, lower-cased, with the trailing dot.
    public var name: String
    /// "A", "MX", …; "TYPE99" for a type Plumb does not know (RFC 3597).
    public var type: String
    public var ttl: UInt32
    /// E.g. "192.0.2.1", "10 mail.example.com.", `0 issue "letsencrypt.org"`.
    public var value: String

    public init(name: String, type: String, ttl: UInt32, value: String) {
        self.name = name
        self.type = type
        self.ttl = ttl
        self.value = value
    }
}

/// A parsed DNS response.
public struct DNSAnswer: Sendable, Equatable {
    public var id: UInt16
    /// 0 NOERROR, 2 SERVFAIL, 3 NXDOMAIN, …
    public var rcode: Int
    /// TC: the server cut the message short; the answer section may be incomplete.
    public var truncated: Bool
    public var authoritative: Bool
    /// The question echoed by the server (lower-cased, trailing dot), if it sent one.
    public var questionName: String?
    public var questionType: String?
    /// The answer section in order, CNAMEs included.
    public var records: [DNSRecord]

    /// Values of the records of the type asked for: for an A query that met a CNAME chain,
    /// the addresses without the aliases.
    public var values: [String] {
        records.filter { $0.type == questionType }.map(\.value)
    }

    public var rcodeName: String {
        switch rcode {
        case 0: "NOERROR"
        case 1: "FORMERR"
        case 2: "SERVFAIL"
        case 3: "NXDOMAIN"
        case 4: "NOTIMP"
        case 5: "REFUSED"
        case 6: "YXDOMAIN"
        case 7: "YXRRSET"
        case 8: "NXRRSET"
        case 9: "NOTAUTH"
        case 10: "NOTZONE"
        default: "RCODE\(rcode)"
        }
    }
}

public struct DNSError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: Sendable, Hashable {
        case invalidName, unsupportedType
        /// Short, garbled or self-contradicting wire data.
        case malformedMessage
        /// A reply that is not the answer to our query (wrong id or question).
        case mismatchedResponse
        case timeout, connectionFailed, other
        /// A TSIG that is missing, does not verify, or that the server refused (RFC 8945).
        case badSignature
    }

    public var code: Code
    public var message: String

    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "DNS \(code): \(message)" }
}
