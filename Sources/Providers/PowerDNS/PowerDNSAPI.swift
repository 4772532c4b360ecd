import Foundation
import PlumbCore
import PlumbHTTP
import PlumbProviderKit

/// The PowerDNS Authoritative HTTP API (`/api/v1/servers/{server}`), as Plumb uses it.
struct PowerDNSAPI: Sendable {
    let transport: ProviderTransport
    let baseURL: String
    let server: String
    let apiKey: String
    let provider: String

    struct ZoneSummary: Decodable, Sendable {
        var id: String
        var name: String
    }

    struct Zone: Decodable, Sendable, Equatable {
        var name: String
        var rrsets: [RRSet]
    }

    struct RRSet: Codable, Sendable, Equatable {
        var name: String
        var type: String
        var ttl: Int?
        var changetype: String?
        var records: [Record]?
    }

    struct Record: Codable, Sendable, Equatable {
        var content: String
        var disabled: Bool
    }

    func listZones() async throws -> [ZoneSummary] {
        try await decode([ZoneSummary].self, try await call("GET", "/zones", operation: "list zones"))
    }

    /// A zone's export, for a describe that maps its rrsets on several cores
    /// (`PowerDNSMapping.inventory(export:zone:)`); its errors go through `malformed`.
    func zoneExportData(_ id: String) async throws -> Data {
        try await exportBody(id, operation: "describe zone \(id)")
    }

    /// A zone's records as PowerDNS exports them (`ZoneExport`): what a read-back of a large
    /// chunk needs, at a third of the server's cost of the JSON.
    /// With `owners`, only the rrsets at those names (`ZoneExport.decode`).
    func zoneExport(_ id: String, owners: Set<String>? = nil) async throws -> Zone {
        let body = try await exportBody(id, operation: "read back zone \(id)")
        do {
            return try ZoneExport.decode(body, zone: id, owners: owners)
        } catch let error as ZoneExport.Malformed {
            throw malformed(error)
        }
    }

    private func exportBody(_ id: String, operation: String) async throws -> Data {
        // Asked for as JSON, PowerDNS wraps the text in `{"zone": …}`.
        try await call("GET", "/zones/\(escape(id))/export", operation: operation, answer: "text/plain").body
    }

    func malformed(_ error: some Error) -> ProviderError {
        ProviderError(.other, provider: provider, "unexpected answer from PowerDNS: \(error)")
    }

    /// One rrset of a zone (`?rrset_name=&rrset_type=`): the zone with that rrset alone, or
    /// none when it does not exist.
    func rrset(_ zone: String, name: String, type: String) async throws -> Zone {
        let query = "rrset_name=\(queryEscape(name))&rrset_type=\(queryEscape(type))"
        return try decodeZone(try await call("GET", "/zones/\(escape(zone))?\(query)", operation: "describe \(name) \(type)"))
    }

    func createZone(_ name: String, nameservers: [String]) async throws {
        struct Body: Encodable {
            var name: String
            var kind = "Native"
            var nameservers: [String]
        }
        _ = try await call("POST", "/zones", body: Body(name: name, nameservers: nameservers), operation: "create zone \(name)", accept: [201, 409])
    }

    func deleteZone(_ id: String) async throws {
        _ = try await call("DELETE", "/zones/\(escape(id))", operation: "delete zone \(id)", accept: [204, 404])
    }

    /// One PATCH: atomic on the server, all rrsets or none.
    func patch(_ zone: String, _ rrsets: [RRSet]) async throws {
        let names = rrsets.prefix(5).map { "\($0.name) \($0.type)" }.joined(separator: ", ") + (rrsets.count > 5 ? ", …" : "")
        _ = try await call(
            "PATCH", "/zones/\(escape(zone))", json: Self.patchBody(rrsets), operation: "update zone \(zone) (\(names))", accept: [204])
    }

    /// `{"rrsets":[…]}` as `JSONEncoder` would write it (absent fields left out), written
    /// by hand: the body of every chunk of a bulk import.
    static func patchBody(_ rrsets: [RRSet]) -> Data {
        var writer = JSONBytesWriter(capacity: 64 + rrsets.count * 128)
        writer.raw("{\"rrsets\":[")
        for (index, rrset) in rrsets.enumerated() {
            if index > 0 { writer.raw(",") }
            writer.raw("{\"name\":")
            writer.string(rrset.name)
            writer.raw(",\"type\":")
            writer.string(rrset.type)
            if let ttl = rrset.ttl {
                writer.raw(",\"ttl\":")
                writer.integer(ttl)
            }
            if let changetype = rrset.changetype {
                writer.raw(",\"changetype\":")
                writer.string(changetype)
            }
            if let records = rrset.records {
                writer.raw(",\"records\":[")
                for (at, record) in records.enumerated() {
                    writer.raw(at > 0 ? ",{\"content\":" : "{\"content\":")
                    writer.string(record.content)
                    writer.raw(",\"disabled\":")
                    writer.boolean(record.disabled)
                    writer.raw("}")
                }
                writer.raw("]")
            }
            writer.raw("}")
        }
        writer.raw("]}")
        return Data(writer.bytes)
    }

    // MARK: - Plumbing

    private func call(
        _ method: String, _ path: String, body: (some Encodable)? = Optional<Int>.none, json: Data? = nil, operation: String,
        accept: Set<Int> = [200], answer: String = "application/json"
    ) async throws -> HTTPResponse {
        var headers = [(name: "X-API-Key", value: apiKey), (name: "Accept", value: answer)]
        var data = json
        if let body { data = try JSONEncoder().encode(body) }
        if data != nil { headers.append((name: "Content-Type", value: "application/json")) }
        let request = HTTPRequest(
            method: method, url: "\(baseURL)/api/v1/servers/\(server)\(path)", headers: headers, body: data, timeout: .seconds(60))
        let response = try await transport.send(request, operation: operation)
        guard accept.contains(response.status) else { throw error(response, operation: operation, request: request) }
        return response
    }

    /// PowerDNS answers 422 with `{"error": …}`; 401, 404 and 400 with plain text.
    private func error(_ response: HTTPResponse, operation: String, request: HTTPRequest) -> ProviderError {
        let detail = ErrorExcerpt.of((try? JSONDecoder().decode([String: String].self, from: response.body))?["error"] ?? response.text)
        let code: ProviderError.Code =
            switch response.status {
            case 401, 403: .unauthorized
            case 404: .notFound
            case 409: .conflict
            default: .invalid
            }
        // PowerDNS's API answers JSON, or plain text for 401/404; an HTML page (a proxy, a web
        // server, the wrong port) means `url:` does not point at the API.
        let isPage = response.header("content-type")?.lowercased().contains("html") == true
        let hint =
            code == .unauthorized
            ? "; check api_key in Providers/\(provider).yaml"
            : isPage ? "; this answer is not from the PowerDNS API: check url: and server: in Providers/\(provider).yaml" : ""
        return ProviderError(
            code, provider: provider,
            "\(operation): HTTP \(response.status) from \(request.described): \(detail.isEmpty ? "no detail" : detail)\(hint)")
    }

    private func decode<T: Decodable>(_ type: T.Type, _ response: HTTPResponse) async throws -> T {
        do {
            return try JSONDecoder().decode(T.self, from: response.body)
        } catch {
            throw ProviderError(.other, provider: provider, "unexpected answer from PowerDNS: \(error)")
        }
    }

    /// Zones, the large answers, are read by `ZoneJSON` (a fifth of a large apply went to
    /// `JSONDecoder`); everything else by `JSONDecoder`.
    private func decodeZone(_ response: HTTPResponse) throws -> Zone {
        do {
            return try ZoneJSON.decode(response.body)
        } catch let error as ZoneJSON.Malformed {
            throw malformed(error)
        }
    }

    private func queryEscape(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? text
    }

    private func escape(_ zone: String) -> String {
        zone.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/"))) ?? zone
    }
}
