import ArgumentParser
import PlumbRunner

/// A failure the CLI reports on stderr before exiting with its code (SPEC §5 exit codes).
typealias CLIError = RunnerError

extension ExitCode {
    /// With `--exit-code`: the plan has changes or drift was found.
    static let changesPresent = ExitCode(2)
    /// An apply stopped part-way: some changes were made and some not.
    static let partiallyApplied = ExitCode(3)
}
