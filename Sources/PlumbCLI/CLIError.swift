import ArgumentParser

/// A failure the CLI reports on stderr before exiting with `code` (SPEC §5 exit codes).
struct CLIError: Error, CustomStringConvertible {
    var message: String
    var code: Int32 = 1

    var description: String { message }
}

extension ExitCode {
    /// With `--exit-code`: the plan has changes or drift was found.
    static let changesPresent = ExitCode(2)
    /// An apply stopped part-way: some changes were made and some not.
    static let partiallyApplied = ExitCode(3)
}
