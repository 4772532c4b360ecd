/// Runs `body` for every input at once (within `limiter` when given), failing with the
/// first error; results in the inputs' order. Requests inside stay within the transport's
/// own rate and concurrency limits either way.
public func concurrentMap<Input: Sendable, Output: Sendable>(
    _ inputs: [Input], limiter: ConcurrencyLimiter? = nil,
    _ body: @escaping @Sendable (Input) async throws -> Output
) async throws -> [Output] {
    try await withThrowingTaskGroup(of: (Int, Output).self) { group in
        for (index, input) in inputs.enumerated() {
            group.addTask {
                if let limiter { return (index, try await limiter.run { try await body(input) }) }
                return (index, try await body(input))
            }
        }
        var results = [Output?](repeating: nil, count: inputs.count)
        for try await (index, value) in group { results[index] = value }
        return results.compactMap { $0 }
    }
}
