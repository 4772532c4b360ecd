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
        do {
            try migrator.migrate(pool)
        } catch {
            // Two processes opening a new file at once (an agent and a CLI) both find it
            // unmigrated, and the second CREATE fails. The migrator skips what is applied,
            // so a second pass settles it; a real failure fails again.
            try migrator.migrate(pool)
        }
        return pool
    }
}
