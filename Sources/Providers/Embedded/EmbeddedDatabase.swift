import Foundation
import GRDB
import PlumbCore
import PlumbStore

/// The embedded provider's SQLite inventory: one row per resource, in WAL mode so a killed
/// process never leaves it corrupt and readers never block the writer.
enum EmbeddedDatabase {
    static func open(path: String) throws -> DatabasePool {
        try SQLiteFile.open(path: path, migrator: migrator)
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.create(table: "resources") { table in
                table.column("kind", .text).notNull()
                table.column("name", .text).notNull()
                table.column("id", .text).notNull().unique()
                table.column("owner", .text)
                table.column("spec", .text).notNull()
                table.column("zone", .text)
                table.column("updated_at", .double).notNull()
                table.primaryKey(["kind", "name"])
            }
            try db.create(index: "resources_zone", on: "resources", columns: ["zone"])
            // Records of types Plumb does not model (DS, TLSA, …), which it must leave alone.
            try db.create(table: "unmodeled_records") { table in
                table.column("zone", .text).notNull()
                table.column("name", .text).notNull()
                table.column("type", .text).notNull()
                table.column("ttl", .integer).notNull()
                table.column("value_list", .text).notNull()
                table.primaryKey(["zone", "name", "type"])
            }
        }
        return migrator
    }
}

/// One stored resource.
struct StoredResource: Sendable {
    var kind: ResourceKind
    var name: String
    var id: String
    var owner: String?
    var spec: ResourceSpec

    var address: Address { Address(kind: kind, name: name) }

    init(kind: ResourceKind, name: String, id: String, owner: String?, spec: ResourceSpec) {
        self.kind = kind
        self.name = name
        self.id = id
        self.owner = owner
        self.spec = spec
    }

    init(row: Row) throws {
        let kindText: String = row["kind"]
        guard let kind = ResourceKind(rawValue: kindText) else {
            throw ProviderError(.other, provider: "embedded", "unknown kind \(kindText) in the inventory")
        }
        self.kind = kind
        name = row["name"]
        id = row["id"]
        owner = row["owner"]
        let specText: String = row["spec"]
        let json = try JSONDecoder().decode(JSONValue.self, from: Data(specText.utf8))
        spec = try ResourceSpec(kind: kind, attributes: json)
    }

    var live: LiveResource {
        LiveResource(address: address, spec: spec, id: id, owner: kind.isTaggedCloudKind || kind == .zone ? owner : nil)
    }

    func save(_ db: Database) throws {
        try db.execute(
            sql: """
                INSERT INTO resources (kind, name, id, owner, spec, zone, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT(kind, name) DO UPDATE SET owner = excluded.owner, spec = excluded.spec, updated_at = excluded.updated_at
                """,
            arguments: [kind.rawValue, name, id, owner, spec.attributes.canonicalText, address.zoneName, Date().timeIntervalSince1970])
    }
}
