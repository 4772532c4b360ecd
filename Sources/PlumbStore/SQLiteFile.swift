import Foundation
import GRDB

/// Opens a SQLite file the way all of Plumb's state is kept: WAL mode (a killed process
/// leaves it consistent, readers never block the writer), a busy timeout, migrations run.
public enum SQLiteFile {
    public static func open(path: String, migrator: DatabaseMigrator) throws -> DatabasePool {
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true,
            attributes: [.posixPermissions: 0o700])
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        let pool = try DatabasePool(path: path, configuration: configuration)
        try migrator.migrate(pool)
        return pool
    }
}
