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
    let monitor: StoreMonitor
    let logger: Logger
    /// The heartbeat's view; `health` adds the integrity check's.
    private var heartbeat: StoreHealth

    init(
        reconcilers: [Reconciler], store: any StateStore, configuration: AgentConfiguration, metrics: AgentMetrics,
        monitor: StoreMonitor, logger: Logger
    ) {
        self.reconcilers = reconcilers
        self.monitor = monitor
        coordinator = store.coordinator
        self.configuration = configuration
        self.metrics = metrics
        self.logger = logger
        heartbeat = StoreHealth(location: store.location)
    }

    /// Whether the store answers the heartbeat and passed its last integrity check.
    var health: StoreHealth {
        get async {
            var health = heartbeat
            if let problem = await monitor.problem {
                health.available = false
                health.error = problem
            }
            return health
        }
    }

    /// An agent not heard from for three intervals is counted out.
    var liveWindow: Double { 3 * configuration.leaseInterval.seconds }

    func tick() async {
        // Held leases first, before anything that may wait on the store.
        var held = 0
        for reconciler in reconcilers {
            guard let lease = await reconciler.lease else { continue }
            if await lease.renew() {
                held += 1
            } else {
                logger.warning("lost the lease; another agent may take the stack over", metadata: ["stack": "\(lease.stack)"])
                await reconciler.leaseEnded()
                // A lock still on the session (a renewal that failed only by time) goes back.
                await lease.release()
            }
        }
        var named: [(reconciler: Reconciler, stack: String)] = []
        for reconciler in reconcilers {
            do {
                named.append((reconciler, try await reconciler.restore()))
            } catch {
                logger.warning("cannot read the stack yet", metadata: ["repo": "\(reconciler.stack.repo)", "error": "\(error)"])
            }
        }
        let presence = AgentPresence(id: configuration.agentID, stacks: named.map(\.stack))
        var live: Int?
        do {
            live = try await coordinator.heartbeat(agent: presence, within: liveWindow)
            if !heartbeat.available { logger.notice("the store answers again; resuming", metadata: ["store": "\(heartbeat.location)"]) }
            heartbeat.available = true
            heartbeat.error = nil
            heartbeat.agents = live ?? 1
        } catch {
            if heartbeat.available {
                logger.error("the store does not answer; applying nothing until it does", metadata: ["error": "\(error)"])
            }
            heartbeat.available = false
            heartbeat.error = "\(error)"
        }
        // A damaged store takes no new stacks either: nothing could be recorded.
        let problem = await monitor.problem
        for reconciler in reconcilers { await reconciler.storeChecked(problem: problem) }
        if problem != nil { live = nil }
        guard let live else {
            metrics.recordStore(available: false, leases: held)
            return
        }
        // A stack nobody has held for three ticks is taken whatever the share: agents
        // following different sets of stacks must not leave one unattended. Not knowing
        // the holders is not knowing that there are none.
        if let holders = try? await coordinator.holders(within: liveWindow) {
            for (reconciler, stack) in named {
                await reconciler.setHolder(holders[stack])
                let mine = await reconciler.lease != nil
                let unattended = holders[stack] == nil && !mine
                unheldTicks[stack] = unattended ? (unheldTicks[stack] ?? 0) + 1 : 0
            }
        }
        // Stacks taken as orphans stay, outside the share, so they are not handed back and
        // orphaned again.
        var adoptedHeld = 0
        for (reconciler, stack) in named where adopted.contains(stack) {
            if await reconciler.lease != nil { adoptedHeld += 1 } else { adopted.remove(stack) }
        }
        let share = (named.count + live - 1) / max(1, live)
        var counted = held - adoptedHeld
        if counted < share {
            counted += await take(share - counted, from: named).count
        } else if counted > share {
            counted -= await handBack(from: named.filter { !adopted.contains($0.stack) })
        }
        let orphans = named.filter { (unheldTicks[$0.stack] ?? 0) >= 3 }
        if !orphans.isEmpty {
            let taken = await take(orphans.count, from: orphans)
            adopted.formUnion(taken)
            adoptedHeld += taken.count
        }
        metrics.recordStore(available: true, leases: counted + adoptedHeld)
    }

    /// Ticks each stack has gone without any holder.
    private var unheldTicks: [String: Int] = [:]
    /// Stacks this agent took because nobody else would.
    private var adopted: Set<String> = []

    /// Tries free stacks in an order of this agent's own, so agents starting together
    /// reach for different stacks first. A store that cannot be reached ends the round.
    private func take(_ wanted: Int, from named: [(reconciler: Reconciler, stack: String)]) async -> [String] {
        var taken: [String] = []
        let order = named.sorted { Self.rank(configuration.agentID, $0.stack) < Self.rank(configuration.agentID, $1.stack) }
        for (reconciler, stack) in order where taken.count < wanted {
            guard await reconciler.lease == nil else { continue }
            do {
                if let lease = try await coordinator.tryLease(stack: stack, agent: configuration.agentID) {
                    await reconciler.leaseTaken(lease)
                    taken.append(stack)
                }
            } catch {
                logger.warning("could not ask for the stack's lease", metadata: ["stack": "\(stack)", "error": "\(error)"])
                break
            }
        }
        return taken
    }

    /// Releases one idle stack (never one mid-run); another agent takes it on its next tick.
    private func handBack(from named: [(reconciler: Reconciler, stack: String)]) async -> Int {
        for (reconciler, stack) in named.reversed() {
            guard let lease = await reconciler.relinquishIfIdle() else { continue }
            await lease.release()
            logger.info("handed the stack back so stacks spread across agents", metadata: ["stack": "\(stack)"])
            return 1
        }
        return 0
    }

    /// On shutdown: hand every idle stack back, so another agent takes it over at once; a
    /// run still going after a minute keeps its lease until the process exits (which
    /// closes the session and frees it then).
    func releaseAll() async {
        let deadline = ContinuousClock.now + .seconds(60)
        for reconciler in reconcilers {
            while await reconciler.busy, ContinuousClock.now < deadline {
                try? await Task.sleep(for: .milliseconds(50))
            }
            if let lease = await reconciler.relinquishIfIdle() { await lease.release() }
        }
    }

    static func rank(_ agent: String, _ stack: String) -> UInt64 {
        StableHash.fnv1a("\(agent)/\(stack)")
    }
}

extension Duration {
    var seconds: Double {
        let (whole, fraction) = components
        return Double(whole) + Double(fraction) / 1e18
    }
}
