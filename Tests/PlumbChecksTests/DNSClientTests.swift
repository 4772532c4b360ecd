import Foundation
import PlumbChecks
import Testing

#if canImport(Glibc)
    import Glibc
#endif

@Suite("DNSClient against a live UDP/TCP responder on loopback", .timeLimit(.minutes(1)))
struct DNSClientTests {
    func query(_ server: PythonServer, _ name: String, _ type: String, timeout: Duration = .seconds(3)) async throws -> DNSAnswer {
        try await DNSClient.query(name: name, type: type, server: "127.0.0.1", port: server.port, timeout: timeout)
    }

    @Test(arguments: [
        ("a.test", "A", ["192.0.2.1", "192.0.2.2"]),
        ("v6.test", "AAAA", ["2001:db8::1"]),
        ("mx.test", "MX", ["10 mail.test."]),
        ("txt.test", "TXT", ["hello world"]),
        ("_sip._udp.test", "SRV", ["0 5 5060 sip.test."]),
        ("caa.test", "CAA", ["0 issue \"letsencrypt.org\""]),
        ("ns.test", "NS", ["ns1.test."]),
        ("1.2.0.192.in-addr.arpa", "PTR", ["host.test."]),
        ("alias.test", "CNAME", ["target.test."]),
    ])
    func answersEachRecordType(name: String, type: String, expected: [String]) async throws {
        let server = try await PythonServer(script: Self.responderScript)
        defer { server.stop() }
        let answer = try await query(server, name, type)
        #expect(answer.rcode == 0)
        #expect(answer.values == expected)
        #expect(answer.questionName == name + ".")
    }

    @Test func cnameChainIsFollowedInTheAnswer() async throws {
        let server = try await PythonServer(script: Self.responderScript)
        defer { server.stop() }
        let answer = try await query(server, "ALIAS.test.", "a")
        #expect(answer.records.map(\.type) == ["CNAME", "A"])
        #expect(answer.values == ["192.0.2.7"])
    }

    @Test func truncatedUDPAnswerIsRetriedOverTCP() async throws {
        let server = try await PythonServer(script: Self.responderScript)
        defer { server.stop() }
        let answer = try await query(server, "big.test", "A")
        // Over UDP the responder sends TC and no records; these 20 only exist over TCP.
        #expect(answer.values == (1...20).map { "198.51.100.\($0)" })
        #expect(!answer.truncated)
    }

    @Test func nxdomainIsAnAnswer() async throws {
        let server = try await PythonServer(script: Self.responderScript)
        defer { server.stop() }
        let answer = try await query(server, "missing.test", "A")
        #expect(answer.rcodeName == "NXDOMAIN")
        #expect(answer.values.isEmpty)
    }

    @Test func replyWithWrongIdIsIgnored() async throws {
        let server = try await PythonServer(script: Self.responderScript)
        defer { server.stop() }
        // The responder first sends a reply with a flipped id claiming 203.0.113.66.
        #expect(try await query(server, "spoof.test", "A").values == ["192.0.2.9"])
    }

    @Test func silentServerTimesOut() async throws {
        let server = try await PythonServer(script: Self.responderScript)
        defer { server.stop() }
        let start = ContinuousClock.now
        let error = await #expect(throws: DNSError.self) { try await query(server, "silent.test", "A", timeout: .milliseconds(600)) }
        let elapsed = ContinuousClock.now - start
        #expect(error?.code == .timeout)
        #expect(elapsed >= .milliseconds(590))
        #expect(elapsed < .seconds(30))  // the server never answers: only the timeout ends it
    }

    @Test func closedUDPPortIsConnectionFailed() async throws {
        let port = try Self.unusedUDPPort()
        let error = await #expect(throws: DNSError.self) {
            try await DNSClient.query(name: "a.test", type: "A", server: "127.0.0.1", port: port, timeout: .seconds(2))
        }
        #expect(error?.code == .connectionFailed)
    }

    @Test func unsupportedTypeIsRefusedBeforeSending() async throws {
        let error = await #expect(throws: DNSError.self) {
            try await DNSClient.query(name: "a.test", type: "NSEC", server: "127.0.0.1", port: 9, timeout: .seconds(1))
        }
        #expect(error?.code == .unsupportedType)
    }

    /// A UDP port nothing listens on: bound by the kernel's choice, then released.
    static func unusedUDPPort() throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) == 0 && getsockname(descriptor, $0, &length) == 0 }
        }
        guard descriptor >= 0, bound else { throw LoopbackListenerError(step: "bind udp", number: errno) }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

extension DNSClientTests {
    /// Canned zone over UDP and TCP on one port. big.test sets TC over UDP (records over TCP
    /// only); spoof.test first answers with a wrong id; silent.test never answers.
    static let responderScript = #"""
        import os, socket, struct, sys, threading

        A, NS, CNAME, PTR, MX, TXT, AAAA, SRV, CAA = 1, 2, 5, 12, 15, 16, 28, 33, 257
        Q = b"\xc0\x0c"  # compression pointer to the question name

        def wire(name):
            return b"".join(bytes([len(l)]) + l.encode() for l in name.rstrip(".").split(".")) + b"\x00"

        def ptr(qname, suffix):
            """Pointer to `suffix` inside the question name at offset 12."""
            prefix = qname[: len(qname) - len(suffix)]
            return struct.pack(">H", 0xC000 | (12 + len(wire(prefix)) - 1))

        def v4(text): return socket.inet_pton(socket.AF_INET, text)
        def v6(text): return socket.inet_pton(socket.AF_INET6, text)
        def strings(*parts): return b"".join(bytes([len(p)]) + p.encode() for p in parts)

        ZONE = {
            ("a.test.", A): [(Q, A, v4("192.0.2.1")), (Q, A, v4("192.0.2.2"))],
            ("v6.test.", AAAA): [(Q, AAAA, v6("2001:db8::1"))],
            ("mx.test.", MX): [(Q, MX, struct.pack(">H", 10) + b"\x04mail" + ptr("mx.test.", "test."))],
            ("txt.test.", TXT): [(Q, TXT, strings("hello ", "world"))],
            ("_sip._udp.test.", SRV): [(Q, SRV, struct.pack(">HHH", 0, 5, 5060) + b"\x03sip" + ptr("_sip._udp.test.", "test."))],
            ("caa.test.", CAA): [(Q, CAA, b"\x00\x05issue" + b"letsencrypt.org")],
            ("ns.test.", NS): [(Q, NS, b"\x03ns1" + ptr("ns.test.", "test."))],
            ("1.2.0.192.in-addr.arpa.", PTR): [(Q, PTR, wire("host.test."))],
            ("alias.test.", CNAME): [(Q, CNAME, b"\x06target" + ptr("alias.test.", "test."))],
            ("alias.test.", A): [(Q, CNAME, b"\x06target" + ptr("alias.test.", "test.")), (wire("target.test."), A, v4("192.0.2.7"))],
            ("big.test.", A): [(Q, A, v4(f"198.51.100.{i}")) for i in range(1, 21)],
            ("spoof.test.", A): [(Q, A, v4("192.0.2.9"))],
            ("silent.test.", A): [],
        }
        NAMES = {name for name, _ in ZONE}

        def question(query):
            pos, labels = 12, []
            while query[pos]:
                labels.append(query[pos + 1 : pos + 1 + query[pos]].decode())
                pos += 1 + query[pos]
            qtype = struct.unpack(">H", query[pos + 1 : pos + 3])[0]
            return ".".join(labels).lower() + ".", qtype, query[12 : pos + 5]

        def reply(query, over_udp, qid=None, records=None):
            qname, qtype, raw_question = question(query)
            truncate = over_udp and qname == "big.test."
            if records is None:
                records = [] if truncate else ZONE.get((qname, qtype), [])
            rcode = 0 if qname in NAMES else 3
            flags = 0x8000 | 0x0400 | 0x0100 | 0x0080 | (0x0200 if truncate else 0) | rcode
            qid = struct.unpack(">H", query[:2])[0] if qid is None else qid
            out = struct.pack(">HHHHHH", qid, flags, 1, len(records), 0, 0) + raw_question
            for owner, rtype, rdata in records:
                out += owner + struct.pack(">HHIH", rtype, 1, 300, len(rdata)) + rdata
            return out

        def serve_udp(udp):
            while True:
                query, peer = udp.recvfrom(4096)
                qname = question(query)[0]
                if qname == "silent.test.":
                    continue
                if qname == "spoof.test.":
                    wrong = struct.unpack(">H", query[:2])[0] ^ 0xFFFF
                    udp.sendto(reply(query, True, qid=wrong, records=[(Q, A, v4("203.0.113.66"))]), peer)
                udp.sendto(reply(query, True), peer)

        def read_exactly(conn, count):
            data = b""
            while len(data) < count:
                chunk = conn.recv(count - len(data))
                if not chunk:
                    return None
                data += chunk
            return data

        def serve_tcp_connection(conn):
            with conn:
                while True:
                    length = read_exactly(conn, 2)
                    query = length and read_exactly(conn, struct.unpack(">H", length)[0])
                    if not query:
                        return
                    answer = reply(query, False)
                    conn.sendall(struct.pack(">H", len(answer)) + answer)

        def serve_tcp(tcp):
            while True:
                conn, _ = tcp.accept()
                threading.Thread(target=serve_tcp_connection, args=(conn,), daemon=True).start()

        for _ in range(50):
            udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            udp.bind(("127.0.0.1", 0))
            port = udp.getsockname()[1]
            tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            try:
                tcp.bind(("127.0.0.1", port))
                break
            except OSError:
                udp.close()
                tcp.close()
        tcp.listen(16)
        threading.Thread(target=serve_udp, args=(udp,), daemon=True).start()
        threading.Thread(target=serve_tcp, args=(tcp,), daemon=True).start()
        """# + PythonServer.exitWithParent + #"""
            print(port, flush=True)
            threading.Event().wait()
            """#
}
