import Foundation
import PlumbCore
import Testing

@testable import PlumbAgent

@Suite("the agent's event bus and its Server-Sent Events")
struct EventBusTests {
    func event(_ type: AgentEvent.Kind, stack: String = "prod", commit: String? = "aaaa") -> AgentEvent {
        AgentEvent(type: type, stack: stack, commit: commit)
    }

    @Test("ids increase; a Last-Event-ID replays only the held events after it that match the filter")
    func backlog() {
        let bus = EventBus(capacity: 10, firstID: 100)
        let first = bus.publish(event(.runStarted))
        let second = bus.publish(event(.runStarted, commit: "bbbb"))
        let third = bus.publish(event(.runFinished))
        #expect([first.id, second.id, third.id] as [Int] == [100, 101, 102])
        #expect(bus.subscribe(EventFilter(commit: "aaaa"), after: 0).backlog.map(\.id) == [100, 102])
        #expect(bus.subscribe(EventFilter(commit: "AAAA"), after: 100).backlog.map(\.id) == [102])
        #expect(bus.subscribe(EventFilter(stack: "other"), after: 0).backlog.isEmpty)
        #expect(bus.subscribe(EventFilter(), after: nil).backlog.isEmpty, "no Last-Event-ID: live events only")
    }

    @Test("the ring keeps the newest `capacity` events")
    func bounded() {
        let bus = EventBus(capacity: 3, firstID: 1)
        for _ in 0..<10 { bus.publish(event(.checkPassed)) }
        #expect(bus.recent(EventFilter()).map(\.id) == [8, 9, 10])
    }

    @Test("a subscriber gets what is published after it subscribed, in order, filtered; finish ends its stream")
    func live() async {
        let bus = EventBus(capacity: 10, firstID: 1)
        bus.publish(event(.runStarted))
        let (backlog, stream) = bus.subscribe(EventFilter(stack: "prod"), after: nil)
        #expect(backlog.isEmpty)
        bus.publish(event(.chunkApplied))
        bus.publish(event(.chunkApplied, stack: "staging"))
        bus.publish(event(.runFinished))
        bus.finish()
        var seen: [AgentEvent.Kind] = []
        for await element in stream {
            if case .event(let event) = element { seen.append(event.type) }
        }
        #expect(seen == [.chunkApplied, .runFinished])
        #expect(bus.subscriberCount == 0)
        // After finish, a new subscriber's stream ends at once.
        let (_, late) = bus.subscribe(EventFilter(), after: nil)
        var count = 0
        for await _ in late { count += 1 }
        #expect(count == 0)
    }

    @Test("a subscriber that stops listening is forgotten")
    func unsubscribes() async {
        let bus = EventBus(capacity: 10, firstID: 1)
        let task = Task {
            let (_, stream) = bus.subscribe(EventFilter(), after: nil)
            for await _ in stream {}
        }
        while bus.subscriberCount == 0 { await Task.yield() }
        task.cancel()
        await task.value
        #expect(bus.subscriberCount == 0)
    }

    @Test("an event is one SSE message whose JSON decodes back to it")
    func serverSentEvent() throws {
        var original = event(.checkFailed)
        original.id = 42
        original.check = CheckResult(name: "www", passed: false, attempts: 2, durationMs: 12, detail: "line one\nline two")
        original.time = Date(timeIntervalSince1970: 1_700_000_000)
        let text = try original.serverSentEvent()
        #expect(text.hasPrefix("id: 42\nevent: check_failed\ndata: {"))
        #expect(text.hasSuffix("}\n\n"))
        #expect(text.split(separator: "\n").count == 3, "the JSON stays on one line")
        var parser = ServerSentEventParser()
        let messages = parser.feed(Array(text.utf8))
        #expect(messages.count == 1 && messages.first?.event == "check_failed" && messages.first?.id == "42")
        let decoded = try AgentEvent.decoder.decode(AgentEvent.self, from: Data((messages.first?.data ?? "").utf8))
        #expect(decoded == original)
    }

    @Test("the parser takes any split, CRLF, comments and multi-line data")
    func parser() {
        let stream = Array("retry: 2000\r\n: comment\r\n\r\nid: 1\r\nevent: a\r\ndata: x\r\ndata: y\r\n\r\ndata: z\n\n".utf8)
        for split in [1, 2, 3, 7, stream.count] {
            var parser = ServerSentEventParser()
            var messages: [ServerSentEventParser.Message] = []
            var index = 0
            while index < stream.count {
                messages += parser.feed(stream[index..<min(stream.count, index + split)])
                index += split
            }
            #expect(messages.map(\.data) == ["x\ny", "z"], "pieces of \(split)")
            #expect(messages.map(\.event) == ["a", nil])
            #expect(messages.map(\.id) == ["1", "1"], "the last id carries over")
        }
    }

    @Test("a run's one line: its numbers when it succeeded, the failing chunk's words when not")
    func oneLine() {
        var finished = event(.runFinished)
        finished.outcome = .succeeded
        var figures = AgentEvent.RunFigures()
        (figures.changes, figures.chunks, figures.checksPassed) = (38, 8, 4)
        finished.summary = figures
        #expect(finished.oneLine == "38 changes in 8 chunks; 4 checks passed")
        finished.outcome = .failed
        finished.error = "check www-published failed: expected 192.0.2.10\nmore"
        #expect(finished.oneLine == "check www-published failed: expected 192.0.2.10")
        finished.error = String(repeating: "x", count: 300)
        #expect(finished.oneLine.count == 140)
    }
}
