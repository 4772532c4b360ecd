/// Runs one attempt of a probe. Implementations live outside the core (they need sockets,
/// HTTP and processes); the core only decides when and how often.
public protocol CheckProbe: Sendable {
    /// One attempt; `remaining` bounds how long it may block.
    func attempt(_ probe: Check.Probe, workingDirectory: String, remaining: Duration) async -> ProbeOutcome
}

public struct ProbeOutcome: Sendable {
    public var passed: Bool
    public var detail: String

    public init(passed: Bool, detail: String) {
        self.passed = passed
        self.detail = detail
    }
}

/// Retries a check until it passes or its timeout runs out (SPEC §3 "Checks").
public struct CheckExecutor: Sendable {
    public var probe: any CheckProbe
    public var workingDirectory: String
    public var retryDelay: Duration

    public init(probe: any CheckProbe, workingDirectory: String, retryDelay: Duration = .milliseconds(250)) {
        self.probe = probe
        self.workingDirectory = workingDirectory
        self.retryDelay = retryDelay
    }

    public func run(_ check: Check) async -> CheckResult {
        let clock = ContinuousClock()
        let deadline = clock.now + check.timeout
        let watch = Stopwatch()
        var attempts = 0
        var last = ProbeOutcome(passed: false, detail: "not run")
        while true {
            attempts += 1
            let remaining = deadline - clock.now
            last = await probe.attempt(check.probe, workingDirectory: workingDirectory, remaining: max(remaining, .milliseconds(100)))
            if last.passed || clock.now + retryDelay >= deadline || Task.isCancelled { break }
            try? await Task.sleep(for: retryDelay)
        }
        let detail = last.passed ? last.detail : "\(last.detail) (after \(attempts) attempt\(attempts == 1 ? "" : "s") in \(Int(watch.seconds.rounded()))s)"
        return CheckResult(name: check.name, passed: last.passed, attempts: attempts, durationMs: watch.milliseconds, detail: detail)
    }
}
