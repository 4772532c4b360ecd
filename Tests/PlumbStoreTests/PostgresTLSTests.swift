import Foundation
import Logging
import PlumbStore
import PlumbStorePostgres
import PlumbTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `sslmode` as libpq reads it, and no password in clear text without TLS (#18).
@Suite("PostgreSQL store: sslmode and TLS")
struct PostgresTLSTests {
    @Test("without sslmode: prefer on loopback, verify-full anywhere else")
    func defaults() throws {
        #expect(try PostgresLocation(url: "postgres://plumb@127.0.0.1/plumb", environment: [:]).sslMode == .prefer)
        #expect(try PostgresLocation(url: "postgres://plumb@localhost/plumb", environment: [:]).sslMode == .prefer)
        #expect(try PostgresLocation(url: "postgres://plumb@db.internal/plumb", environment: [:]).sslMode == .verifyFull)
        #expect(try PostgresLocation(url: "postgres://plumb@10.0.0.5/plumb", environment: [:]).sslMode == .verifyFull)
        #expect(try PostgresLocation(url: "postgres://plumb@db.internal/plumb?sslmode=require", environment: [:]).sslMode == .require)
        let root = try PostgresLocation(url: "postgres://plumb@db.internal/plumb", environment: ["PGSSLROOTCERT": "/etc/ca.pem"])
        #expect(root.rootCertificate == "/etc/ca.pem")
        #expect(throws: PostgresLocation.Invalid.self) { try PostgresLocation(url: "postgres://plumb@db/plumb?sslmode=sometimes") }
    }

    @Test(
        "a server that declines TLS and asks for a clear-text password gets none unless sslmode=disable",
        arguments: ["", "?sslmode=allow", "?sslmode=prefer", "?sslmode=require", "?sslmode=disable"])
    func noClearTextPassword(query: String) async throws {
        let server = try FakePostgres()
        let url = "postgres://plumb:s3cret-pw@127.0.0.1:\(server.port)/plumb\(query)"
        await #expect(throws: (any Error).self) {
            _ = try await PostgresStateStore(url: url, timeout: 1, logger: Logger(label: "test"), environment: [:])
        }
        let received = server.received
        #expect(!received.isEmpty, "the client never connected")
        if query == "?sslmode=disable" {
            // The URL allows it: the check above could fail.
            #expect(received.contains("s3cret-pw"))
        } else {
            #expect(!received.contains("s3cret-pw"))
        }
    }

    @Test("verify-full connects over TLS with the CA; a wrong CA or a host name the certificate does not name fails")
    func verifyFull() async throws {
        let pki = try TestPKI()
        let server = try PostgresServer(tls: (pki.serverCertificate, pki.serverKey))
        let logger = Logger(label: "test")
        let url = "postgres://plumb@localhost:\(server.port)/plumb?sslmode=verify-full"
        let store = try await PostgresStateStore(url: url, timeout: 10, logger: logger, environment: ["PGSSLROOTCERT": pki.caCertificate])
        _ = try await store.runs(limit: 1)
        let encrypted = try server.psql(
            "SELECT count(*) FROM pg_stat_ssl JOIN pg_stat_activity USING (pid) WHERE usename = 'plumb' AND ssl AND application_name <> 'psql'")
        #expect((Int(encrypted) ?? 0) > 0)

        await #expect(throws: (any Error).self) {
            _ = try await PostgresStateStore(url: url, timeout: 2, logger: logger, environment: ["PGSSLROOTCERT": pki.otherCA])
        }
        // The certificate names localhost, not the address.
        await #expect(throws: (any Error).self) {
            _ = try await PostgresStateStore(
                url: "postgres://plumb@127.0.0.1:\(server.port)/plumb?sslmode=verify-full", timeout: 2, logger: logger,
                environment: ["PGSSLROOTCERT": pki.caCertificate])
        }
        // verify-ca checks the chain only: the address is fine.
        let byAddress = try await PostgresStateStore(
            url: "postgres://plumb@127.0.0.1:\(server.port)/plumb?sslmode=verify-ca", timeout: 10, logger: logger,
            environment: ["PGSSLROOTCERT": pki.caCertificate])
        _ = try await byAddress.runs(limit: 1)
    }
}

/// A CA, a server certificate for `localhost` signed by it, and an unrelated CA, made with
/// openssl in a temporary directory.
struct TestPKI {
    let directory: String
    var caCertificate: String { path("ca.pem") }
    var otherCA: String { path("other-ca.pem") }
    var serverCertificate: String { path("server.crt") }
    var serverKey: String { path("server.key") }

    func path(_ name: String) -> String { (directory as NSString).appendingPathComponent(name) }

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("plumb-pki-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try Data("subjectAltName=DNS:localhost\n".utf8).write(to: URL(fileURLWithPath: path("server.ext")))
        for arguments in [
            ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=Plumb test CA"],
            [
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "other-ca.key", "-out", "other-ca.pem", "-days", "2", "-subj",
                "/CN=Another CA",
            ],
            ["req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=localhost"],
            [
                "x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out", "server.crt",
                "-days", "2", "-extfile", "server.ext",
            ],
        ] {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["openssl"] + arguments
            process.currentDirectoryURL = URL(fileURLWithPath: directory)
            let (status, _, stderr) = try runCaptured(process, scratch: directory)
            guard status == 0 else { throw OpenSSLFailure(description: "openssl \(arguments.first ?? "") failed: \(stderr)") }
        }
    }
}

struct OpenSSLFailure: Error, CustomStringConvertible {
    var description: String
}

/// A PostgreSQL impostor on loopback: declines TLS ('N' to the SSLRequest), then asks for a
/// clear-text password, and keeps every byte clients send.
final class FakePostgres: @unchecked Sendable {
    let port: Int
    private let listener: Int32
    private let lock = NSLock()
    private var bytes: [UInt8] = []

    /// What clients sent, as text (a password travels as a NUL-terminated string).
    var received: String { lock.withLock { String(decoding: bytes, as: UTF8.self) } }

    init() throws {
        let server = try SilentServer.listening()
        (listener, port) = server
        let thread = Thread { [weak self] in self?.serve() }
        thread.start()
    }

    deinit {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    private func serve() {
        while true {
            let client = accept(listener, nil, nil)
            guard client >= 0 else { return }
            Thread { [weak self] in self?.talk(client) }.start()
        }
    }

    private func read(_ client: Int32, _ count: Int) -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: count)
        var filled = 0
        while filled < count {
            var entry = pollfd(fd: client, events: Int16(POLLIN), revents: 0)
            guard poll(&entry, 1, 3000) > 0 else { return nil }
            let got = buffer.withUnsafeMutableBytes { recv(client, $0.baseAddress! + filled, count - filled, 0) }
            guard got > 0 else { return nil }
            filled += got
        }
        lock.withLock { bytes += buffer }
        return buffer
    }

    private func talk(_ client: Int32) {
        defer { close(client) }
        func send(_ reply: [UInt8]) { _ = reply.withUnsafeBytes { Glibc.send(client, $0.baseAddress, reply.count, Int32(MSG_NOSIGNAL)) } }
        func length(_ header: [UInt8]) -> Int { Int(header[0]) << 24 | Int(header[1]) << 16 | Int(header[2]) << 8 | Int(header[3]) }
        guard var header = read(client, 8) else { return }
        if Array(header[4..<8]) == [0x04, 0xD2, 0x16, 0x2F] {  // SSLRequest: no TLS here
            send([UInt8(ascii: "N")])
            guard let next = read(client, 8) else { return }
            header = next
        }
        guard read(client, max(0, length(header) - 8)) != nil else { return }  // the rest of the startup message
        send([UInt8(ascii: "R"), 0, 0, 0, 8, 0, 0, 0, 3])  // AuthenticationCleartextPassword
        guard let type = read(client, 5) else { return }
        _ = read(client, max(0, length(Array(type[1..<5])) - 4))
        // Refused, as a real server would refuse a wrong password: the client stops at once.
        let fields = Array("SFATAL\0C28P01\0Mpassword authentication failed\0\0".utf8)
        let size = UInt32(fields.count + 4)
        send([UInt8(ascii: "E"), UInt8(size >> 24), UInt8(size >> 16 & 0xFF), UInt8(size >> 8 & 0xFF), UInt8(size & 0xFF)] + fields)
    }
}
