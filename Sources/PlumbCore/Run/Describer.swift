/// Describes every binding's scope, bindings in parallel (they are independent), and
/// returns one inventory per binding name.
public struct Describer: Sendable {
    public var providers: [String: any Provider]

    public init(providers: [String: any Provider]) {
        self.providers = providers
    }

    public func describe(scopes: [String: DescribeScope]) async throws -> [String: Inventory] {
        try await withThrowingTaskGroup(of: (String, Inventory).self) { group in
            for (name, scope) in scopes {
                guard let provider = providers[name] else { continue }
                group.addTask { (name, try await provider.describe(scope)) }
            }
            var result: [String: Inventory] = [:]
            for try await (name, inventory) in group { result[name] = inventory }
            return result
        }
    }
}
