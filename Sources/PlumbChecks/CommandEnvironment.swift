/// The environment of a `command:` check (SPEC §8.1): `PATH`, `HOME`, `LANG`,
/// `PLUMB_STACK`, `PLUMB_COMMIT`, `PLUMB_CHUNK`, `PLUMB_STATE_DIR`, plus the variables the
/// check names in `env:`. Nothing else of Plumb's environment (cloud keys, the webhook
/// secret, forge tokens) reaches a check unless the check asks for it by name.
public enum CommandEnvironment {
    static let inherited = ["PATH", "HOME", "LANG"]

    /// What every command check of a run shares: the inherited basics and the run's context.
    public static func base(process: [String: String], stack: String?, commit: String?, stateDirectory: String) -> [String: String] {
        var environment: [String: String] = ["PLUMB_STATE_DIR": stateDirectory]
        for name in inherited { environment[name] = process[name] }
        if environment["PATH"] == nil { environment["PATH"] = "/usr/local/bin:/usr/bin:/bin" }
        environment["PLUMB_STACK"] = stack
        environment["PLUMB_COMMIT"] = commit
        return environment
    }

    /// One check's: the base, its chunk, and the variables it names that are set.
    static func build(base: [String: String], chunk: Int?, names: [String], available: [String: String]) -> [String: String] {
        var environment = base
        if let chunk { environment["PLUMB_CHUNK"] = String(chunk) }
        for name in names { environment[name] = available[name] ?? environment[name] }
        return environment
    }
}
