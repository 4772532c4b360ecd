import Foundation
import Logging
import PlumbStore

/// Decides which stacks this agent applies. Every `leaseInterval` it tells the store it is
/// alive (and learns how many agents are), renews the leases it holds, and takes free
/// stacks up to its fair share — ceil(stacks ÷ live agents) — or hands one back when it
/// holds more, so stacks spread across agents instead of piling onto the first to start.
/// A lease that cannot be renewed is dropped at once: its reconciler stops at the next
/// chunk boundary. When the store does not answer, nothing is applied until it does.
actor LeaseKeeper {
    let reconcilers: [Reconciler]
    let coordinator: any StackCoordinator
    let configuration: AgentConfiguration
    let metrics: AgentMetrics
    let logger: Logger
    private(set) var health: StoreHealth

    init(reconcilers: [Reconciler], store: any StateStore, configuration: AgentConfiguration, metrics: AgentMetrics, logger: Logger) {
        self.reconcilers = reconcilers
        coordinator = store.coordinator
        self.configuration = configuration
        self.metrics = metrics
        self.logger = logger
        health = StoreHealth(location: store.location)
    }

    /// An agent not heard from for three intervals is counted out.
    var liveWindow: Double { 3 * configuration.leaseInterval.seconds }

    func tick() async {
        var named: [(reconciler: Reconciler, stack: String)] = []
        for reconciler in reconcilers {
            do {
                named.append((reconciler, try await reconciler.restore()))
            } catch {
                logger.warning("cannot read the stack yet", metadata: ["repo": "\(reconciler.stack.repo)", "error": "\(error)"])
            }
        }
        let presence = AgentPresence(id: configuration.agentID, stacks: named.map(\.stack))
        let live: Int
        do {
            live = try await coordinator.heartbeat(agent: presence, within: liveWindow)
            if !health.available { logger.notice("the store answers again; resuming", metadata: ["store": "\(health.location)"]) }
            health.available = true
            health.error = nil
            health.agents = live
        } catch {
            if health.available {
                logger.error("the store does not answer; applying nothing until it does", metadata: ["error": "\(error)"])
            }
            health.available = false
            health.error = "\(error)"
            metrics.recordStore(available: false, leases: 0)
            for (reconciler, _) in named { await drop(reconciler) }
            return
        }
        var held = 0
        for (reconciler, stack) in named {
            guard let lease = await reconciler.lease else { continue }
            if await lease.renew() {
                held += 1
            } else {
                logger.warning("lost the lease; another agent may take the stack over", metadata: ["stack": "\(stack)"])
                await reconciler.leaseEnded()
            }
        }
        let share = (named.count + live - 1) / max(1, live)
        if held < share {
            held += await take(share - held, from: named)
        } else if held > share {
            held -= await handBack(from: named)
        }
        metrics.recordStore(available: true, leases: held)
        if let holders = try? await coordinator.holders(within: liveWindow) {
            for (reconciler, stack) in named { await reconciler.setHolder(holders[stack]) }
        }
    }

    /// Tries free stacks in an order of this agent's own, so agents starting together
    /// reach for different stacks first.
    private func take(_ wanted: Int, from named: [(reconciler: Reconciler, stack: String)]) async -> Int {
        var taken = 0
        let order = named.sorted { Self.rank(configuration.agentID, $0.stack) < Self.rank(configuration.agentID, $1.stack) }
        for (reconciler, stack) in order where taken < wanted {
            guard await reconciler.lease == nil else { continue }
            do {
                if let lease = try await coordinator.tryLease(stack: stack, agent: configuration.agentID) {
                    await reconciler.leaseTaken(lease)
                    taken += 1
                }
            } catch {
                logger.warning("could not ask for the stack's lease", metadata: ["stack": "\(stack)", "error": "\(error)"])
            }
        }
        return taken
    }

    /// Releases one idle stack (never one mid-run); another agent takes it on its next tick.
    private func handBack(from named: [(reconciler: Reconciler, stack: String)]) async -> Int {
        for (reconciler, stack) in named.reversed() {
            guard let lease = await reconciler.lease, !(await reconciler.busy) else { continue }
            await reconciler.leaseEnded()
            await lease.release()
            logger.info("handed the stack back so stacks spread across agents", metadata: ["stack": "\(stack)"])
            return 1
        }
        return 0
    }

    private func drop(_ reconciler: Reconciler) async {
        guard let lease = await reconciler.lease else { return }
        await reconciler.leaseEnded()
        await lease.release()
    }

    /// On shutdown: hand every stack back, so another agent takes it over at once — after
    /// the run in flight has finished its chunk (a minute at most).
    func releaseAll() async {
        let deadline = ContinuousClock.now + .seconds(60)
        for reconciler in reconcilers {
            while await reconciler.busy, ContinuousClock.now < deadline {
                try? await Task.sleep(for: .milliseconds(50))
            }
            await drop(reconciler)
        }
    }

    static func rank(_ agent: String, _ stack: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in "\(agent)/\(stack)".utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        return hash
    }
}

extension Duration {
    var seconds: Double {
        let (whole, fraction) = components
        return Double(whole) + Double(fraction) / 1e18
    }
}
