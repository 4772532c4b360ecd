import Foundation
import Logging
import Testing

@testable import PlumbAgent

@Suite("JSON log lines")
struct JSONLogHandlerTests {
    struct Refused: Error, CustomStringConvertible {
        var description: String { "the store refused the run" }
    }

    static func decode(_ line: Data?) throws -> [String: String] {
        let line = try #require(line)
        #expect(line.last == UInt8(ascii: "\n"))
        #expect(!line.dropLast().contains(UInt8(ascii: "\n")), "one line per event")
        return try #require(try JSONSerialization.jsonObject(with: line) as? [String: String])
    }

    @Test("an event is one JSON object: level, logger, message, metadata (the event's winning) and its error")
    func fields() throws {
        var handler = JSONLogHandler(label: "plumb.agent")
        handler[metadataKey: "stack"] = "prod"
        handler[metadataKey: "run"] = "1"
        let event = LogEvent(
            level: .warning, message: "reconcile failed", error: Refused(), metadata: ["run": "2", "commit": "abc"],
            source: nil, file: #fileID, function: #function, line: #line)
        let object = try Self.decode(handler.line(for: event, at: Date(timeIntervalSince1970: 0)))
        #expect(
            object == [
                "time": "1970-01-01T00:00:00Z", "level": "warning", "logger": "plumb.agent",
                "message": "reconcile failed", "stack": "prod", "run": "2", "commit": "abc",
                "error": "the store refused the run",
            ])
    }

    @Test("an event without metadata or error has only the four fixed fields")
    func plain() throws {
        let event = LogEvent(level: .info, message: "listening", metadata: nil, source: nil, file: #fileID, function: #function, line: #line)
        let object = try Self.decode(JSONLogHandler(label: "plumb").line(for: event))
        #expect(Set(object.keys) == ["time", "level", "logger", "message"])
        #expect(object["message"] == "listening")
    }
}
