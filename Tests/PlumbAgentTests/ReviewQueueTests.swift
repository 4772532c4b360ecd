import Foundation
import Testing

@testable import PlumbAgent

/// Review plans through a bounded queue (issue 18: 300 events were 300 concurrent plans).
@Suite("Review queue and webhook admission")
struct ReviewQueueTests {
    /// Counts jobs running at once and what each request's jobs saw.
    actor Log {
        var running = 0
        var peak = 0
        var ran: [String: [Int]] = [:]
        func begin(_ key: String, _ head: Int) {
            running += 1
            peak = max(peak, running)
            ran[key, default: []].append(head)
        }
        func end() { running -= 1 }
    }

    /// A gate the first job waits at, so the rest pile up behind it.
    actor Gate {
        private var open = false
        private var waiters: [CheckedContinuation<Void, Never>] = []
        func wait() async {
            if open { return }
            await withCheckedContinuation { waiters.append($0) }
        }
        func release() {
            open = true
            for waiter in waiters { waiter.resume() }
            waiters.removeAll()
        }
    }

    @Test("300 events for 3 requests: one plan at a time, each request's newest head last, at most two plans per request")
    func burst() async throws {
        let queue = ReviewQueue(capacity: 8, workers: 1)
        let log = Log()
        let gate = Gate()
        var outcomes: [ReviewQueue.Outcome] = []
        for event in 0..<300 {
            let key = "pr-\(event % 3)"
            outcomes.append(
                await queue.submit(key) {
                    await log.begin(key, event)
                    await gate.wait()
                    await log.end()
                })
        }
        #expect(outcomes.filter { $0 == .full }.isEmpty)
        #expect(outcomes.filter { $0 == .replaced }.count > 290)
        await gate.release()
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            let counts = await queue.counts
            if counts.waiting == 0 && counts.running == 0 { break }
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(await log.peak == 1)
        let ran = await log.ran
        // pr-0 started on the first event; the other two waited and ran only their newest head.
        #expect(ran["pr-0"] == [0, 297])
        #expect(ran["pr-1"] == [298])
        #expect(ran["pr-2"] == [299])
    }

    @Test("past its capacity the queue refuses a new request but still replaces a waiting one")
    func capacity() async {
        let queue = ReviewQueue(capacity: 2, workers: 1)
        let gate = Gate()
        #expect(await queue.submit("running") { await gate.wait() } == .queued)
        try? await Task.sleep(for: .milliseconds(50))
        #expect(await queue.submit("a") {} == .queued)
        #expect(await queue.submit("b") {} == .queued)
        #expect(await queue.submit("c") {} == .full)
        #expect(await queue.submit("a") {} == .replaced)
        await gate.release()
    }

    @Test("webhook bodies: `limit` admitted, `waiting` more wait, the rest are refused at once")
    func admission() async throws {
        let admission = WebhookAdmission(limit: 2, waiting: 1)
        #expect(await admission.enter())
        #expect(await admission.enter())
        let waiter = Task { await admission.enter() }
        try await Task.sleep(for: .milliseconds(50))
        #expect(await admission.enter() == false)
        await admission.leave()
        #expect(await waiter.value)
        await admission.leave()
        await admission.leave()
        #expect(await admission.enter())
    }
}
