import Foundation
import PlumbCore

/// A hosted zone as Route 53 lists it.
struct Route53Zone: Sendable, Equatable {
    /// Without the `/hostedzone/` prefix.
    var id: String
    /// Lower-case, with the trailing dot.
    var name: String
    var isPrivate: Bool
}

/// One resource record set as Route 53 lists it.
struct Route53RecordSet: Sendable, Equatable {
    var name: String
    var type: String
    var ttl: Int?
    var values: [String]
    /// Alias, weighted, latency… records: reported, never changed.
    var isSpecial: Bool
}

/// One entry of a ChangeResourceRecordSets batch.
struct Route53Change: Sendable, Equatable {
    enum Action: String, Sendable {
        case upsert = "UPSERT"
        case delete = "DELETE"
    }

    var action: Action
    var name: String
    var type: String
    var ttl: Int
    var values: [String]

    /// What it counts toward Route 53's batch limits: an UPSERT counts twice.
    var recordCount: Int { values.count * (action == .upsert ? 2 : 1) }
    var characterCount: Int { values.reduce(0) { $0 + $1.count } * (action == .upsert ? 2 : 1) }
}

/// The Route 53 REST calls Plumb makes.
struct Route53API: Sendable {
    let client: AWSClient
    /// Route 53's per-request limits on a change batch.
    static let maxRecordsPerBatch = 1000
    static let maxCharactersPerBatch = 32000

    func listZones() async throws -> [Route53Zone] {
        var zones: [Route53Zone] = []
        var marker: String?
        repeat {
            var query = [("maxitems", "100")]
            if let marker { query.append(("marker", marker)) }
            let page = try await client.rest("GET", "/hostedzone", query: query, operation: "ListHostedZones")
            for zone in page.child("HostedZones")?.children("HostedZone") ?? [] {
                guard let id = zone.value("Id"), let name = zone.value("Name") else { continue }
                zones.append(
                    Route53Zone(
                        id: Self.bareID(id), name: Route53Names.decode(name),
                        isPrivate: zone.value("Config", "PrivateZone") == "true"))
            }
            marker = page.value("IsTruncated") == "true" ? page.value("NextMarker") : nil
        } while marker != nil
        return zones
    }

    /// Every record set of a zone, page by page (Route 53 pages by name and type).
    func listRecordSets(zoneID: String) async throws -> [Route53RecordSet] {
        var sets: [Route53RecordSet] = []
        var next: (name: String, type: String, identifier: String?)?
        repeat {
            var query = [("maxitems", "300")]
            if let next {
                query.append(("name", next.name))
                query.append(("type", next.type))
                if let identifier = next.identifier { query.append(("identifier", identifier)) }
            }
            let page = try await client.rest("GET", "/hostedzone/\(zoneID)/rrset", query: query, operation: "ListResourceRecordSets")
            for set in page.child("ResourceRecordSets")?.children("ResourceRecordSet") ?? [] {
                sets.append(
                    Route53RecordSet(
                        name: Route53Names.decode(set.value("Name") ?? ""), type: set.value("Type") ?? "",
                        ttl: set.value("TTL").flatMap { Int($0) },
                        values: set.child("ResourceRecords")?.children("ResourceRecord").compactMap { $0.value("Value") } ?? [],
                        isSpecial: set.child("AliasTarget") != nil || set.child("SetIdentifier") != nil))
            }
            if page.value("IsTruncated") == "true", let name = page.value("NextRecordName"), let type = page.value("NextRecordType") {
                next = (name, type, page.value("NextRecordIdentifier"))
            } else {
                next = nil
            }
        } while next != nil
        return sets
    }

    /// Creates a zone. The caller reference makes a retried request idempotent on AWS.
    func createZone(_ name: String, callerReference: String) async throws -> String {
        let body = """
            <?xml version="1.0" encoding="UTF-8"?>
            <CreateHostedZoneRequest xmlns="https://route53.amazonaws.com/doc/2013-04-01/">\
            <Name>\(Self.escape(name))</Name><CallerReference>\(Self.escape(callerReference))</CallerReference>\
            </CreateHostedZoneRequest>
            """
        let answer = try await client.rest("POST", "/hostedzone", body: body, operation: "CreateHostedZone")
        guard let id = answer.value("HostedZone", "Id") else {
            throw AWSError(code: "MalformedResponse", message: "the answer carries no zone id", status: 201, operation: "CreateHostedZone")
        }
        return Self.bareID(id)
    }

    func deleteZone(id: String) async throws {
        try await ignoringNotFound {
            _ = try await client.rest("DELETE", "/hostedzone/\(id)", operation: "DeleteHostedZone")
        }
    }

    /// Sends one change batch; returns the change id to wait on.
    func change(zoneID: String, _ changes: [Route53Change]) async throws -> String? {
        var body = """
            <?xml version="1.0" encoding="UTF-8"?>
            <ChangeResourceRecordSetsRequest xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><ChangeBatch><Changes>
            """
        for change in changes {
            body += "<Change><Action>\(change.action.rawValue)</Action><ResourceRecordSet>"
            body += "<Name>\(Self.escape(change.name))</Name><Type>\(change.type)</Type><TTL>\(change.ttl)</TTL><ResourceRecords>"
            for value in change.values {
                body += "<ResourceRecord><Value>\(Self.escape(value))</Value></ResourceRecord>"
            }
            body += "</ResourceRecords></ResourceRecordSet></Change>"
        }
        body += "</Changes></ChangeBatch></ChangeResourceRecordSetsRequest>"
        let answer = try await client.rest("POST", "/hostedzone/\(zoneID)/rrset/", body: body, operation: "ChangeResourceRecordSets")
        return answer.value("ChangeInfo", "Id").map(Self.bareID)
    }

    /// `PENDING` or `INSYNC`.
    func changeStatus(_ id: String) async throws -> String {
        let answer = try await client.rest("GET", "/change/\(id)", operation: "GetChange")
        return answer.value("ChangeInfo", "Status") ?? "INSYNC"
    }

    /// Splits changes into batches within Route 53's limits, keeping their order.
    static func batches(_ changes: [Route53Change]) -> [[Route53Change]] {
        var batches: [[Route53Change]] = []
        var current: [Route53Change] = []
        var records = 0
        var characters = 0
        for change in changes {
            if !current.isEmpty,
                records + change.recordCount > maxRecordsPerBatch || characters + change.characterCount > maxCharactersPerBatch
            {
                batches.append(current)
                current = []
                records = 0
                characters = 0
            }
            current.append(change)
            records += change.recordCount
            characters += change.characterCount
        }
        if !current.isEmpty { batches.append(current) }
        return batches
    }

    static func bareID(_ id: String) -> String {
        id.split(separator: "/").last.map(String.init) ?? id
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}

/// Route 53 writes some characters of names as `\OOO` octal escapes (`*` is `\052`).
enum Route53Names {
    static func decode(_ name: String) -> String {
        let bytes = Array(name.utf8)
        guard bytes.contains(UInt8(ascii: "\\")) else { return name.lowercased() }
        var output: [UInt8] = []
        var index = 0
        while index < bytes.count {
            // Exactly three octal digits: `UInt8(_:radix:)` alone would also take a sign
            // (`\+12`, `\-00`), which is no escape.
            if bytes[index] == UInt8(ascii: "\\"), index + 4 <= bytes.count,
                bytes[(index + 1)..<(index + 4)].allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "7") }),
                let value = UInt8(String(decoding: bytes[(index + 1)..<(index + 4)], as: UTF8.self), radix: 8)
            {
                output.append(value)
                index += 4
            } else {
                output.append(bytes[index])
                index += 1
            }
        }
        return String(decoding: output, as: UTF8.self).lowercased()
    }
}
