import Foundation
import GRDB
import PlumbCore

/// `kind: embedded`: an inventory of every kind kept in a local SQLite file under
/// `--state`. It behaves as a real provider would: it assigns ids, refuses what a cloud
/// refuses (a subnet without its VPC, overlapping CIDRs, deleting a VPC that still has
/// subnets), and survives restarts.
public struct EmbeddedProvider: Provider {
    public let binding: ProviderBinding
    let database: DatabasePool
    public let path: String

    public init(binding: ProviderBinding, stateDirectory: String) throws {
        self.binding = binding
        let relative = binding.settings["path"] ?? "\(binding.name).sqlite"
        path = relative.hasPrefix("/") ? relative : (stateDirectory as NSString).appendingPathComponent(relative)
        do {
            database = try EmbeddedDatabase.open(path: path)
        } catch {
            throw ProviderError(.unavailable, provider: binding.name, "cannot open the embedded inventory at \(path): \(error)")
        }
    }

    public func describe(_ scope: DescribeScope) async throws -> Inventory {
        let kinds = scope.kinds.intersection(servedKinds)
        let zones = Set(scope.zones)
        do {
            return try await database.read { db in
                var inventory = Inventory()
                for row in try Row.fetchAll(db, sql: "SELECT * FROM resources") {
                    let stored = try StoredResource(row: row)
                    guard kinds.contains(stored.kind) else { continue }
                    if stored.kind == .record, !zones.contains(stored.address.zoneName ?? "") { continue }
                    inventory.resources[stored.address] = stored.live
                }
                for row in try Row.fetchAll(db, sql: "SELECT * FROM unmodeled_records ORDER BY zone, name, type") {
                    let zone: String = row["zone"]
                    guard kinds.contains(.record), zones.contains(zone) else { continue }
                    let values = (try? JSONDecoder().decode([String].self, from: Data((row["value_list"] as String).utf8))) ?? []
                    inventory.unmodeled.append(UnmodeledRecord(zone: zone, name: row["name"], type: row["type"], ttl: row["ttl"], values: values))
                }
                return inventory
            }
        } catch let error as ProviderError {
            throw error
        } catch {
            throw ProviderError(.unavailable, provider: binding.name, "cannot read the embedded inventory: \(error)")
        }
    }

    public func apply(_ changes: [Change], context: ApplyContext) async -> BatchResult {
        var outcomes: [ChangeOutcome] = []
        let batchGroups = Set(changes.filter { $0.address.kind == .securityGroup && $0.action != .delete }.map(\.address.name))
        let prefixLists = Set((binding.settings["prefix_lists"] ?? "").split(separator: ",").map(String.init))
        for change in changes {
            if outcomes.contains(where: { !$0.isApplied }) {
                outcomes.append(ChangeOutcome(address: change.address, status: .notAttempted))
                continue
            }
            do {
                // One transaction per change, as a cloud API applies one call at a time.
                let id = try await database.write { db in
                    try EmbeddedWriter(db: db, provider: binding.name, stack: context.stack, batchGroups: batchGroups, prefixLists: prefixLists)
                        .apply(change)
                }
                outcomes.append(ChangeOutcome(address: change.address, status: .applied(id: id)))
            } catch let error as ProviderError {
                outcomes.append(ChangeOutcome(address: change.address, status: .failed(error)))
            } catch {
                outcomes.append(
                    ChangeOutcome(
                        address: change.address,
                        status: .failed(
                            ProviderError(.unavailable, provider: binding.name, "\(error)", address: change.address))))
            }
        }
        return BatchResult(outcomes: outcomes)
    }
}

extension EmbeddedProvider {
    /// Changes a resource behind Plumb's back, as a person with console access would: for
    /// drift demonstrations and tests. `spec == nil` deletes it.
    public func tamper(_ address: Address, spec: ResourceSpec?, owner: String? = nil) async throws {
        try await database.write { db in
            if let spec {
                let existing = try Row.fetchOne(
                    db, sql: "SELECT * FROM resources WHERE kind = ? AND name = ?", arguments: [address.kind.rawValue, address.name]
                )
                .map(StoredResource.init(row:))
                let stored = StoredResource(
                    kind: address.kind, name: address.name, id: existing?.id ?? EmbeddedIDs.make(address.kind),
                    owner: existing?.owner ?? owner, spec: spec)
                try stored.save(db)
            } else {
                try db.execute(sql: "DELETE FROM resources WHERE kind = ? AND name = ?", arguments: [address.kind.rawValue, address.name])
            }
        }
    }

    /// Adds a record of a type Plumb does not model.
    public func insertUnmodeled(_ record: UnmodeledRecord) async throws {
        try await database.write { db in
            try db.execute(
                sql: "INSERT OR REPLACE INTO unmodeled_records (zone, name, type, ttl, value_list) VALUES (?, ?, ?, ?, ?)",
                arguments: [record.zone, record.name, record.type, record.ttl, JSONValue.array(record.values.map(JSONValue.string)).canonicalText])
        }
    }
}

enum EmbeddedIDs {
    static func make(_ kind: ResourceKind) -> String {
        let prefix: String =
            switch kind {
            case .vpc: "vpc-"
            case .subnet: "subnet-"
            case .securityGroup: "sg-"
            case .role: "AROA"
            case .zone: "Z"
            case .record: "rr-"
            }
        let hex = (0..<17).map { _ in String(Int.random(in: 0..<16), radix: 16) }.joined()
        return prefix + (kind == .role || kind == .zone ? hex.uppercased() : hex)
    }
}
