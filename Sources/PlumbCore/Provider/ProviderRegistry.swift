/// Builds providers from bindings. The CLI and the agent register a factory per
/// `ProviderType`; the core never knows how a provider talks to its backend.
public struct ProviderRegistry: Sendable {
    public typealias Factory = @Sendable (ProviderBinding, ProviderEnvironment) throws -> any Provider

    private var factories: [ProviderType: Factory] = [:]

    public init() {}

    public mutating func register(_ type: ProviderType, _ factory: @escaping Factory) {
        factories[type] = factory
    }

    public func make(_ binding: ProviderBinding, environment: ProviderEnvironment) throws -> any Provider {
        guard let factory = factories[binding.type] else {
            throw ProviderError(.other, provider: binding.name, "provider kind \(binding.type.rawValue) is not available in this build")
        }
        return try factory(binding, environment)
    }
}

/// What a provider may need from its surroundings.
public struct ProviderEnvironment: Sendable {
    /// `--state`: where local providers keep their files.
    public var stateDirectory: String
    public var variables: [String: String]

    public init(stateDirectory: String, variables: [String: String]) {
        self.stateDirectory = stateDirectory
        self.variables = variables
    }
}
