import Logging
import ServiceLifecycle
import Testing

@testable import PlumbAgent

/// The agent's services as the agent orders them: on graceful shutdown the bus ends first,
/// then the feedback drains. Before, the feedback service returned as soon as its stream
/// ended, which the group calls "finished unexpectedly": SIGTERM then exited 1 (seen in CI).
@Suite("agent shutdown")
struct AgentShutdownTests {
    @Test("the feedback service outlives the end of the bus until it is told: shutdown is clean, every time")
    func feedbackAfterBus() async throws {
        var failures: [String] = []
        for _ in 0..<10 {
            let bus = EventBus()
            let feedback = Feedback(configuration: AgentConfiguration(stacks: []), origins: WebhookOrigins(), logger: Logger(label: "test"))
            let group = ServiceGroup(
                configuration: .init(
                    services: [.init(service: FeedbackService(bus: bus, feedback: feedback)), .init(service: EventBusService(bus: bus))],
                    logger: Logger(label: "test")))
            let running = Task { try await group.run() }
            // The bus may end before the group reaches the feedback service (under load it
            // did): end it first, give the service time to see it, then shut down.
            try await Task.sleep(for: .milliseconds(5))
            bus.finish()
            try await Task.sleep(for: .milliseconds(5))
            await group.triggerGracefulShutdown()
            do {
                try await running.value
            } catch {
                failures.append("\(error)")
            }
        }
        #expect(failures.isEmpty, "\(failures.count) of 10 shutdowns failed: \(failures.first ?? "")")
    }
}
