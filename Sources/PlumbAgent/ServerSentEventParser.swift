import Foundation

/// Reads a Server-Sent Events stream (the WHATWG format `GET /events` writes) from bytes
/// as they arrive in pieces of any size: `id:`, `event:` and `data:` fields, `:` comments,
/// LF or CRLF line ends, an event ending at a blank line.
public struct ServerSentEventParser: Sendable {
    public struct Message: Sendable, Hashable {
        public var id: String?
        public var event: String?
        public var data: String
    }

    private var pending: [UInt8] = []
    private var id: String?
    private var event: String?
    private var data: [String] = []
    /// A message being read has a data line; a blank line then completes it.
    private var started = false

    public init() {}

    /// The messages the bytes completed; a partial line waits for the next call.
    public mutating func feed(_ bytes: some Sequence<UInt8>) -> [Message] {
        pending.append(contentsOf: bytes)
        var messages: [Message] = []
        var start = 0
        while let newline = pending[start...].firstIndex(of: UInt8(ascii: "\n")) {
            var end = newline
            if end > start, pending[end - 1] == UInt8(ascii: "\r") { end -= 1 }
            let line = String(decoding: pending[start..<end], as: UTF8.self)
            start = newline + 1
            if let message = take(line) { messages.append(message) }
        }
        pending.removeFirst(start)
        return messages
    }

    private mutating func take(_ line: String) -> Message? {
        if line.isEmpty {
            defer {
                data = []
                event = nil
                started = false
            }
            return started ? Message(id: id, event: event, data: data.joined(separator: "\n")) : nil
        }
        if line.hasPrefix(":") { return nil }
        let name: Substring
        let value: Substring
        if let colon = line.firstIndex(of: ":") {
            name = line[..<colon]
            var rest = line[line.index(after: colon)...]
            if rest.first == " " { rest = rest.dropFirst() }
            value = rest
        } else {
            name = Substring(line)
            value = ""
        }
        switch name {
        case "data":
            data.append(String(value))
            started = true
        case "event": event = String(value)
        // The last event id persists across messages, as a browser keeps it for reconnects.
        case "id": id = String(value)
        default: break
        }
        return nil
    }
}
