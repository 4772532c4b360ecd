import Foundation

/// The right to apply one stack, held by one agent at a time among all that share a store.
public protocol StackLease: Sendable {
    var stack: String { get }
    /// False once the lease is lost (its connection closed) or released. Checked before
    /// every chunk: a holder that lost its lease stops at the next chunk boundary.
    var isHeld: Bool { get }
    /// Confirms the lease with the store; false (and lost for good) when it cannot.
    func renew() async -> Bool
    func release() async
}

/// Hands out stack leases and keeps track of the agents sharing a store, so stacks spread
/// across agents instead of piling onto one.
public protocol StackCoordinator: Sendable {
    /// Says this agent is alive and returns how many agents are (this one included): those
    /// heard from within the last `seconds`.
    func heartbeat(agent: AgentPresence, within seconds: Double) async throws -> Int
    /// Takes the stack's lease if nobody holds it; nil when somebody does.
    func tryLease(stack: String, agent: String) async throws -> (any StackLease)?
    /// Who holds which stack: leases renewed within the last `seconds`.
    func holders(within seconds: Double) async throws -> [String: String]
}

/// What an agent says of itself in its heartbeat.
public struct AgentPresence: Sendable, Hashable {
    public var id: String
    public var host: String
    public var pid: Int32
    public var stacks: [String]

    public init(id: String, host: String = ProcessInfo.processInfo.hostName, pid: Int32 = getpid(), stacks: [String]) {
        self.id = id
        self.host = host
        self.pid = pid
        self.stacks = stacks
    }
}

/// A store only this machine uses (SQLite under `--state`): every lease is granted, and the
/// stack lock taken by each apply keeps two processes from applying one stack at once.
public struct LocalCoordinator: StackCoordinator {
    public init() {}

    public func heartbeat(agent: AgentPresence, within seconds: Double) async throws -> Int { 1 }

    public func tryLease(stack: String, agent: String) async throws -> (any StackLease)? {
        LocalLease(stack: stack)
    }

    public func holders(within seconds: Double) async throws -> [String: String] { [:] }
}

struct LocalLease: StackLease {
    var stack: String
    var isHeld: Bool { true }
    func renew() async -> Bool { true }
    func release() async {}
}

/// FNV-1a, 64 bits: the same for the same text on every machine and in every run (unlike
/// Swift's seeded `hashValue`), for lock keys and for the order agents try stacks in.
public enum StableHash {
    public static func fnv1a(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        return hash
    }
}
