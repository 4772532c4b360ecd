/// A failure to report to the user before stopping, with the exit code it maps to
/// (SPEC §5): 1 when nothing changed, 3 when an apply stopped part-way.
public struct RunnerError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public var code: Int32

    public init(message: String, code: Int32 = 1) {
        self.message = message
        self.code = code
    }

    public var description: String { message }
}
