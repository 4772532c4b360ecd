import PlumbChecks
import PlumbTestSupport
import Testing

/// Wire-format tests on hand-built messages. The question is always "example.com." at
/// offset 12, so the pointer C0 0C names it and C0 14 names "com.".
@Suite("DNS wire format", .timeLimit(.minutes(1)))
struct DNSMessageTests {
    static func label(_ text: String) -> [UInt8] { [UInt8(text.utf8.count)] + Array(text.utf8) }
    static let exampleCom = label("example") + label("com") + [0]
    static let toQuestion: [UInt8] = [0xC0, 0x0C]
    static let toCom: [UInt8] = [0xC0, 0x14]

    static func u16(_ value: Int) -> [UInt8] { [UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)] }

    /// A response: id BEEF, QR RD RA plus `flags`, one question, then `records` as given.
    static func response(type: Int, flags: Int = 0, answerCount: Int? = nil, records: [[UInt8]] = []) -> [UInt8] {
        [0xBE, 0xEF] + u16(0x8180 | flags) + u16(1) + u16(answerCount ?? records.count) + u16(0) + u16(0)
            + exampleCom + u16(type) + u16(1) + records.flatMap { $0 }
    }

    static func record(owner: [UInt8] = toQuestion, type: Int, ttl: [UInt8] = [0, 0, 0x0E, 0x10], rdata: [UInt8]) -> [UInt8] {
        owner + u16(type) + u16(1) + ttl + u16(rdata.count) + rdata
    }

    @Test func queryHasHeaderQuestionAndEDNS() throws {
        let bytes = try DNSMessage.query(name: "example.com", type: .mx, id: 0x1234)
        let expected: [UInt8] =
            [0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 1] + Self.exampleCom + [0, 15, 0, 1]
            + [0, 0, 41, 0x04, 0xD0, 0, 0, 0, 0, 0, 0]
        #expect(bytes == expected)
        #expect(try DNSMessage.query(name: "example.com.", type: .mx, id: 0x1234) == expected)
    }

    @Test(arguments: DNSRecordType.allCases)
    func queryRoundTripsThroughTheParser(type: DNSRecordType) throws {
        let answer = try DNSMessage.parse(try DNSMessage.query(name: "Host.Example.org", type: type, id: 7))
        #expect(answer.id == 7)
        #expect(answer.questionName == "host.example.org.")
        #expect(answer.questionType == type.rawValue)
        #expect(answer.records.isEmpty)
    }

    @Test func queryIdsAreRandom() throws {
        let ids = try (0..<16).map { _ in try DNSMessage.query(name: "a.example", type: .a).prefix(2) }
        #expect(Set(ids.map(Array.init)).count > 1)
    }

    @Test(arguments: [
        "", "a..example", String(repeating: "a", count: 64) + ".example", "ex ample.com", "bücher.de", "back\\slash.com",
        Array(repeating: String(repeating: "a", count: 63), count: 4).joined(separator: "."),
    ])
    func invalidNamesAreRefused(name: String) {
        let error = #expect(throws: DNSError.self) { try DNSMessage.query(name: name, type: .a) }
        #expect(error?.code == .invalidName)
    }

    struct RDataCase: Sendable, CustomTestStringConvertible {
        let type: Int
        let rdata: [UInt8]
        let expected: String
        let typeName: String
        var testDescription: String { "\(typeName) → \(expected)" }
    }

    static let rdataCases: [RDataCase] = [
        RDataCase(type: 1, rdata: [192, 0, 2, 1], expected: "192.0.2.1", typeName: "A"),
        RDataCase(type: 5, rdata: label("www") + toQuestion, expected: "www.example.com.", typeName: "CNAME"),
        RDataCase(type: 5, rdata: label("HOST") + label("Mixed") + toCom, expected: "host.mixed.com.", typeName: "CNAME"),
        RDataCase(type: 2, rdata: label("ns1") + toQuestion, expected: "ns1.example.com.", typeName: "NS"),
        RDataCase(type: 12, rdata: label("host") + label("example") + [0], expected: "host.example.", typeName: "PTR"),
        RDataCase(type: 15, rdata: u16(10) + label("mail") + toQuestion, expected: "10 mail.example.com.", typeName: "MX"),
        RDataCase(type: 15, rdata: u16(0) + [0], expected: "0 .", typeName: "MX"),
        RDataCase(
            type: 33, rdata: u16(0) + u16(5) + u16(5060) + label("sip") + toQuestion,
            expected: "0 5 5060 sip.example.com.", typeName: "SRV"),
        RDataCase(type: 16, rdata: label("hello ") + label("world"), expected: "hello world", typeName: "TXT"),
        RDataCase(type: 16, rdata: label("v=spf1 \"-all\""), expected: "v=spf1 \"-all\"", typeName: "TXT"),
        RDataCase(type: 16, rdata: [0], expected: "", typeName: "TXT"),
        RDataCase(
            type: 257, rdata: [0, 5] + Array("issue".utf8) + Array("letsencrypt.org".utf8),
            expected: "0 issue \"letsencrypt.org\"", typeName: "CAA"),
        RDataCase(
            type: 257, rdata: [128, 5] + Array("iodef".utf8) + Array("mailto:a\"b@example.com".utf8),
            expected: "128 iodef \"mailto:a\\\"b@example.com\"", typeName: "CAA"),
        RDataCase(type: 98, rdata: [0x01, 0xAB], expected: "\\# 2 01ab", typeName: "TYPE98"),
        RDataCase(type: 5, rdata: label("a.b") + toQuestion, expected: "a\\.b.example.com.", typeName: "CNAME"),
    ]

    @Test(arguments: rdataCases)
    func recordDataIsPresented(_ test: RDataCase) throws {
        let answer = try DNSMessage.parse(Self.response(type: test.type, records: [Self.record(type: test.type, rdata: test.rdata)]))
        let record = try #require(answer.records.first)
        #expect(record == DNSRecord(name: "example.com.", type: test.typeName, ttl: 3600, value: test.expected))
        #expect(answer.values == [test.expected])
    }

    @Test(arguments: [
        ("2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1"),
        ("0000:0000:0000:0000:0000:0000:0000:0001", "::1"),
        ("0000:0000:0000:0000:0000:0000:0000:0000", "::"),
        ("2001:0db8:0000:0000:0001:0000:0000:0001", "2001:db8::1:0:0:1"),
        ("2001:0000:0000:0001:0000:0000:0000:0001", "2001:0:0:1::1"),
        ("2001:0db8:0000:0001:0001:0001:0001:0001", "2001:db8:0:1:1:1:1:1"),
        ("FE80:0000:0000:0000:ABCD:0000:0000:0000", "fe80::abcd:0:0:0"),
        ("0000:0000:0000:0000:0000:FFFF:C000:0201", "::ffff:192.0.2.1"),
        ("2001:0db8:0000:0000:0000:0000:0001:0000", "2001:db8::1:0"),
    ])
    func aaaaIsRFC5952Canonical(full: String, expected: String) throws {
        let bytes = full.split(separator: ":").flatMap { Self.u16(Int($0, radix: 16) ?? -1) }
        let answer = try DNSMessage.parse(Self.response(type: 28, records: [Self.record(type: 28, rdata: bytes)]))
        #expect(answer.values == [expected])
    }

    @Test func cnameChainKeepsAliasesOutOfValues() throws {
        // The A record's owner points at the CNAME's target inside the first record's RDATA
        // (offset 12 + 17 question + 12 record header = 41).
        let message = Self.response(
            type: 1,
            records: [
                Self.record(type: 5, rdata: Self.label("target") + Self.toQuestion),
                Self.record(owner: [0xC0, 41], type: 1, rdata: [198, 51, 100, 7]),
            ])
        let answer = try DNSMessage.parse(message)
        #expect(answer.records.map(\.name) == ["example.com.", "target.example.com."])
        #expect(answer.records.map(\.type) == ["CNAME", "A"])
        #expect(answer.values == ["198.51.100.7"])
    }

    @Test func headerFlagsAreReported() throws {
        let nxdomain = try DNSMessage.parse(Self.response(type: 1, flags: 0x0400 | 3))
        #expect(nxdomain.rcode == 3)
        #expect(nxdomain.rcodeName == "NXDOMAIN")
        #expect(nxdomain.authoritative)
        #expect(!nxdomain.truncated)
        let truncated = try DNSMessage.parse(Self.response(type: 1, flags: 0x0200))
        #expect(truncated.truncated)
        #expect(truncated.rcodeName == "NOERROR")
    }
}

/// Truncated and hostile input must throw `.malformedMessage`, never trap.
extension DNSMessageTests {
    struct MalformedCase: Sendable, CustomTestStringConvertible {
        let defect: String
        let bytes: [UInt8]
        var testDescription: String { defect }
    }

    static let header = [0xBE, 0xEF, 0x81, 0x80] + u16(1) + u16(1) + u16(0) + u16(0)

    static let malformedCases: [MalformedCase] = [
        MalformedCase(defect: "empty", bytes: []),
        MalformedCase(defect: "short-header", bytes: Array(response(type: 1).prefix(11))),
        MalformedCase(
            defect: "answer-count-without-answers", bytes: response(type: 1, answerCount: 2, records: [record(type: 1, rdata: [1, 2, 3, 4])])),
        MalformedCase(defect: "pointer-to-itself", bytes: header + [0xC0, 0x0C] + u16(1) + u16(1)),
        MalformedCase(defect: "pointer-forward", bytes: header + [0xC0, 0x20] + u16(1) + u16(1) + Array(repeating: 0, count: 20)),
        MalformedCase(defect: "pointer-cut-off", bytes: header + [0xC0]),
        MalformedCase(defect: "label-past-end", bytes: header + [9] + Array("abc".utf8)),
        MalformedCase(defect: "extended-label-type", bytes: header + [0x41, 0] + u16(1) + u16(1)),
        MalformedCase(
            defect: "name-over-255-bytes",
            bytes: header + Array(repeating: label(String(repeating: "a", count: 63)), count: 5).flatMap { $0 } + [0] + u16(1) + u16(1)),
        MalformedCase(defect: "rdlength-past-end", bytes: Array(response(type: 1, records: [record(type: 1, rdata: [1, 2, 3, 4])]).dropLast())),
        MalformedCase(defect: "a-rdlength-3", bytes: response(type: 1, records: [record(type: 1, rdata: [1, 2, 3])])),
        MalformedCase(defect: "a-rdlength-5", bytes: response(type: 1, records: [record(type: 1, rdata: [1, 2, 3, 4, 5])])),
        MalformedCase(defect: "aaaa-rdlength-4", bytes: response(type: 28, records: [record(type: 28, rdata: [1, 2, 3, 4])])),
        MalformedCase(
            defect: "mx-name-spills-out-of-rdata", bytes: response(type: 15, records: [record(type: 15, rdata: u16(1) + label("mail"))]) + [0]),
        MalformedCase(defect: "mx-rdlength-1", bytes: response(type: 15, records: [record(type: 15, rdata: [0])])),
        MalformedCase(
            defect: "txt-string-longer-than-rdata", bytes: response(type: 16, records: [record(type: 16, rdata: [5, 65])]) + [65, 65, 65, 65]),
        MalformedCase(defect: "caa-empty-tag", bytes: response(type: 257, records: [record(type: 257, rdata: [0, 0, 65])])),
        MalformedCase(defect: "caa-tag-past-rdata", bytes: response(type: 257, records: [record(type: 257, rdata: [0, 9, 65])])),
        MalformedCase(defect: "srv-without-target", bytes: response(type: 33, records: [record(type: 33, rdata: u16(0) + u16(0) + u16(1))])),
    ]

    @Test(arguments: malformedCases)
    func malformedInputThrows(_ test: MalformedCase) {
        let error = #expect(throws: DNSError.self) { try DNSMessage.parse(test.bytes) }
        #expect(error?.code == .malformedMessage)
    }

    static let richMessage = response(
        type: 15,
        records: [
            record(type: 15, rdata: u16(10) + label("mail") + toQuestion),
            record(type: 16, rdata: label("hello ") + label("world")),
            record(type: 33, rdata: u16(1) + u16(2) + u16(3) + label("sip") + toCom),
            record(type: 28, rdata: Array(repeating: 0, count: 15) + [1]),
        ])

    @Test func everyStrictPrefixOfAValidMessageThrows() throws {
        #expect(try DNSMessage.parse(Self.richMessage).records.count == 4)
        for length in 0..<Self.richMessage.count {
            #expect(throws: DNSError.self, "prefix of \(length) bytes") { try DNSMessage.parse(Array(Self.richMessage.prefix(length))) }
        }
    }

    /// Random corruption of a valid message: any outcome but a crash is acceptable, and the
    /// seeded generator makes a failure reproducible.
    @Test func randomCorruptionNeverCrashes() {
        var random = SplitMix64(seed: 0x5EED)
        var parsed = 0
        for _ in 0..<5000 {
            var bytes = Self.richMessage
            for _ in 0..<(1 + Int(random.next() % 4)) {
                bytes[Int(random.next() % UInt64(bytes.count))] = UInt8(truncatingIfNeeded: random.next())
            }
            if (try? DNSMessage.parse(bytes)) != nil { parsed += 1 }
        }
        for _ in 0..<2000 {
            let garbage = (0..<Int(random.next() % 80)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            _ = try? DNSMessage.parse(garbage)
        }
        #expect(parsed < 5000)  // the corruption did reach the parser's checks
    }
}
