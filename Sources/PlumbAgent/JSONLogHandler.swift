import Foundation
import Logging

/// One JSON object per line on stderr: for log collectors when the agent runs unattended.
public struct JSONLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info
    let label: String

    public init(label: String) {
        self.label = label
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        guard let line = line(for: event) else { return }
        FileHandle.standardError.write(line)
    }

    /// The event as one line of JSON: time, level, logger, message, the handler's metadata
    /// overridden by the event's, and the error if the event carries one.
    func line(for event: LogEvent, at time: Date = Date()) -> Data? {
        var object: [String: String] = [
            "time": ISO8601DateFormatter().string(from: time), "level": event.level.rawValue,
            "logger": label, "message": event.message.description,
        ]
        for (key, value) in metadata.merging(event.metadata ?? [:], uniquingKeysWith: { _, new in new }) {
            object[key] = "\(value)"
        }
        if let error = event.error { object["error"] = "\(error)" }
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else { return nil }
        return data + Data("\n".utf8)
    }
}
