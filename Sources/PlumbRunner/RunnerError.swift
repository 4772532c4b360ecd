import PlumbCore

/// A failure to report to the user before stopping: a kind for code (the CLI's exit code,
/// the agent's `/status`, metrics labels, commit statuses and notifications), the message
/// for people, and the exit code it maps to (SPEC §5): 1 when nothing changed, 3 when an
/// apply stopped part-way.
public struct RunnerError: Error, CustomStringConvertible, Sendable {
    /// What went wrong, for code; never compare messages.
    public enum Kind: String, Sendable, Codable, Hashable, CaseIterable {
        /// Another process holds the stack's lock on this machine.
        case lockHeld = "lock_held"
        /// Another agent or command holds the stack's lease in the shared store.
        case leaseHeld = "lease_held"
        /// A saved plan no longer matches the live inventory.
        case stalePlan = "stale_plan"
        /// The plan broke a safety limit.
        case refused
        /// A provider could not be described (or configured) before any write.
        case describeFailed = "describe_failed"
        /// The state store could not be opened or written.
        case store
        /// A repository, ref or commit could not be read.
        case git
        /// The desired state, a flag or a saved plan is invalid.
        case invalidInput = "invalid_input"
    }

    public var kind: Kind
    public var message: String
    public var code: Int32
    /// When the desired state did not load: every problem, with its file:line:column.
    public var diagnostics: [Diagnostic]

    public init(_ kind: Kind, message: String, code: Int32 = 1, diagnostics: [Diagnostic] = []) {
        self.kind = kind
        self.message = message
        self.code = code
        self.diagnostics = diagnostics
    }

    /// A usage or input error (a flag, a file given on the command line).
    public init(message: String, code: Int32 = 1, diagnostics: [Diagnostic] = []) {
        self.init(.invalidInput, message: message, code: code, diagnostics: diagnostics)
    }

    public var description: String { message }
}
