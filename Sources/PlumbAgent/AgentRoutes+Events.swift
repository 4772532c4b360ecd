import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

extension AgentRoutes {
    /// `GET /events` (SPEC §8.2): Server-Sent Events, `?stack=` and `?commit=` filtered.
    /// With `Last-Event-ID` (or `?after=`, for clients that cannot set headers) the held
    /// events after that id come first; `Last-Event-ID: 0` asks for every held one.
    func events(_ request: Request) -> Response {
        let query = request.uri.queryParameters
        let filter = EventFilter(stack: query.get("stack"), commit: query.get("commit"))
        let lastID =
            HTTPField.Name("Last-Event-ID").flatMap { request.headers[$0] }.flatMap { Int($0) }
            ?? query.get("after").flatMap { Int($0) }
        let (backlog, stream) = bus.subscribe(filter, after: lastID)
        var headers: HTTPFields = [.contentType: "text/event-stream; charset=utf-8", .cacheControl: "no-store"]
        // Tells nginx-style proxies not to hold the stream back.
        if let buffering = HTTPField.Name("X-Accel-Buffering") { headers[buffering] = "no" }
        return Response(
            status: .ok, headers: headers,
            body: ResponseBody { writer in
                // `retry:` sets the browser's reconnect delay; the comment opens the stream at once.
                try await writer.write(ByteBuffer(string: "retry: 2000\n: plumb events\n\n"))
                for event in backlog { try await writer.write(ByteBuffer(string: try event.serverSentEvent())) }
                for await element in stream {
                    switch element {
                    case .event(let event): try await writer.write(ByteBuffer(string: try event.serverSentEvent()))
                    case .heartbeat: try await writer.write(ByteBuffer(string: ": keep-alive\n\n"))
                    }
                }
                try await writer.finish(nil)
            })
    }

    /// A browser asks for HTML first; API clients for JSON (or anything).
    static func wantsHTML(_ request: Request) -> Bool {
        let accept = request.headers[.accept] ?? ""
        guard let html = accept.range(of: "text/html") else { return false }
        // `application/json, text/html` asks for JSON first.
        return accept.range(of: "application/json").map { html.lowerBound < $0.lowerBound } ?? true
    }

    func html(_ page: String) -> Response {
        Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: page)))
    }

    /// The 202 answer to a webhook that triggers a reconcile (SPEC §8.2): where to follow it.
    func accepted(_ reconcilers: [Reconciler], commit: String?) async -> Response {
        var names: [String] = []
        for reconciler in reconcilers {
            if let name = await reconciler.status.stack { names.append(name) }
        }
        var body: [String: Any] = [:]
        var query: [String] = []
        if let commit, !commit.isEmpty, commit.allSatisfy(\.isHexDigit) {
            body["commit"] = commit
            query.append("commit=\(commit)")
        }
        if names.count == 1, let name = names.first {
            body["stack"] = name
            if query.isEmpty,
                let escaped = name.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~")))
            {
                query.append("stack=\(escaped)")
            }
        } else {
            body["stacks"] = names
        }
        body["events"] = "/events" + (query.isEmpty ? "" : "?" + query.joined(separator: "&"))
        let data = (try? JSONSerialization.data(withJSONObject: body, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        return Response(
            status: .accepted, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(bytes: data + Data("\n".utf8))))
    }
}
