/// Runs one attempt of a probe. Implementations live outside the core (they need sockets,
/// HTTP and processes); the core only decides when and how often, and what the samples mean.
public protocol CheckProbe: Sendable {
    /// One attempt; `remaining` bounds how long it may block.
    func attempt(_ probe: Check.Probe, workingDirectory: String, remaining: Duration) async -> ProbeOutcome
    /// One attempt of the whole check, knowing the chunk it follows: what a `command:`
    /// check's environment needs (`PLUMB_CHUNK`, its `env:` list). Defaults to the probe.
    func attempt(_ check: Check, chunk: Int?, workingDirectory: String, remaining: Duration) async -> ProbeOutcome
}

extension CheckProbe {
    public func attempt(_ check: Check, chunk: Int?, workingDirectory: String, remaining: Duration) async -> ProbeOutcome {
        await attempt(check.probe, workingDirectory: workingDirectory, remaining: remaining)
    }
}

public struct ProbeOutcome: Sendable {
    public var passed: Bool
    public var detail: String
    /// Figures the probe measured itself (a Prometheus query's values); latency is measured
    /// by the executor.
    public var figures: [String: Double]

    public init(passed: Bool, detail: String, figures: [String: Double] = [:]) {
        self.passed = passed
        self.detail = detail
        self.figures = figures
    }
}

/// Retries a check until it passes or its timeout runs out (SPEC §3 "Checks"), then holds
/// it for its `hold:` window (SPEC §8.7).
public struct CheckExecutor: Sendable {
    public var probe: any CheckProbe
    public var workingDirectory: String
    public var retryDelay: Duration
    public var clock: any CheckClock
    /// Applied to every result's detail: check output never carries a known secret.
    public var redactor: Redactor

    public init(
        probe: any CheckProbe, workingDirectory: String, retryDelay: Duration = .milliseconds(250),
        clock: any CheckClock = SystemCheckClock(), redactor: Redactor = Redactor()
    ) {
        self.probe = probe
        self.workingDirectory = workingDirectory
        self.retryDelay = retryDelay
        self.clock = clock
        self.redactor = redactor
    }

    /// `chunk`: the 1-based chunk the check follows, nil outside an apply.
    public func run(_ check: Check, chunk: Int? = nil) async -> CheckResult {
        let start = clock.now
        let deadline = start + check.timeout
        var attempts = 0
        var last = AttemptVerdict(passed: false, detail: "not run", figures: nil)
        // `timeout:` bounds the retries until the first passing attempt.
        while true {
            attempts += 1
            last = await attempt(check, chunk: chunk, deadline: deadline)
            if last.passed || clock.now + retryDelay >= deadline || Task.isCancelled { break }
            await clock.sleep(for: retryDelay)
        }
        guard last.passed else {
            let seconds = Int(Self.seconds(clock.now - start).rounded())
            let detail = "\(last.detail) (after \(attempts) attempt\(attempts == 1 ? "" : "s") in \(seconds)s)"
            return result(check, passed: false, attempts: attempts, start: start, detail: detail, figures: last.figures)
        }
        guard let hold = check.measure.hold else {
            return result(check, passed: true, attempts: attempts, start: start, detail: last.detail, figures: last.figures)
        }
        return await soak(check, chunk: chunk, window: hold, attempts: attempts, start: start, first: last)
    }

    /// `hold:` starts at the first pass and is not bounded by `timeout:`: every `interval`
    /// another attempt, and the first that fails fails the check.
    private func soak(_ check: Check, chunk: Int?, window: Duration, attempts: Int, start: Duration, first: AttemptVerdict) async -> CheckResult {
        let holdStart = clock.now
        var attempts = attempts
        var last = first
        while clock.now - holdStart < window {
            await clock.sleep(for: check.measure.interval)
            if Task.isCancelled {
                let detail = "interrupted \(Self.shown(clock.now - holdStart)) into its \(Self.shown(window)) hold"
                return result(check, passed: false, attempts: attempts, start: start, detail: detail, figures: last.figures)
            }
            attempts += 1
            // Each attempt in the window gets the check's timeout for its own samples.
            let verdict = await attempt(check, chunk: chunk, deadline: clock.now + check.timeout)
            if !verdict.passed {
                let detail = "failed \(Self.shown(clock.now - holdStart)) into its \(Self.shown(window)) hold: \(verdict.detail)"
                return result(check, passed: false, attempts: attempts, start: start, detail: detail, figures: verdict.figures)
            }
            last = verdict
        }
        var figures = last.figures ?? [:]
        figures["hold_s"] = FigureText.milliseconds(clock.now - holdStart) / 1000
        let detail = "\(last.detail); held \(Self.shown(window)) (\(attempts - 1) attempts after the first pass)"
        return result(check, passed: true, attempts: attempts, start: start, detail: detail, figures: figures)
    }

    /// `samples` probes spaced by `interval`, judged together. Sampling stops early once the
    /// failed samples exceed what `error_rate` allows: the attempt cannot pass any more.
    private func attempt(_ check: Check, chunk: Int?, deadline: Duration) async -> AttemptVerdict {
        let measure = check.measure
        // A plain check keeps its old budget (whatever is left, at least 100 ms); a sample of
        // a measured attempt may take what a whole check may, so late samples are not cut
        // short into errors that the latency bounds would have judged.
        let floor = measure.samples == 1 ? Duration.milliseconds(100) : min(check.timeout, .seconds(5))
        let allowedFailures = Int((measure.errorRate * Double(measure.samples)).rounded(.down))
        var samples: [ProbeSample] = []
        for index in 0..<measure.samples {
            if index > 0 {
                await clock.sleep(for: measure.interval)
                if Task.isCancelled { break }
            }
            let before = clock.now
            let outcome = await probe.attempt(check, chunk: chunk, workingDirectory: workingDirectory, remaining: max(deadline - before, floor))
            samples.append(ProbeSample(passed: outcome.passed, latency: clock.now - before, detail: outcome.detail, figures: outcome.figures))
            if samples.count(where: { !$0.passed }) > allowedFailures { break }
        }
        return AttemptVerdict.judge(samples, measure: measure)
    }

    private func result(_ check: Check, passed: Bool, attempts: Int, start: Duration, detail: String, figures: [String: Double]?) -> CheckResult {
        CheckResult(
            name: check.name, passed: passed, attempts: attempts, durationMs: FigureText.milliseconds(clock.now - start),
            detail: redactor.redact(detail), figures: figures)
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    /// `3.1 s`, `250 ms`.
    static func shown(_ duration: Duration) -> String {
        let tenths = (seconds(duration) * 10).rounded() / 10
        return tenths >= 1 ? "\(FigureText.number(tenths)) s" : "\(Int((seconds(duration) * 1000).rounded())) ms"
    }
}
