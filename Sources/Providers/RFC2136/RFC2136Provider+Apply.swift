import PlumbChecks
import PlumbCore
import PlumbProviderKit

extension RFC2136Provider {
    /// One UPDATE for one zone's changes (more only past the message size limit). A failed
    /// prerequisite (YXRRSET, NXRRSET) means someone changed an rrset since the plan: the
    /// server applied nothing of that UPDATE, and each of its rrsets is asked for again to
    /// name the ones that moved. When every rrset already holds what the change wants (an
    /// earlier attempt of this same UPDATE went through), it counts as applied.
    func applyZone(_ zone: String, _ changes: [Change]) async -> [Address: ChangeOutcome.Status] {
        var outcomes: [Address: ChangeOutcome.Status] = [:]
        func all(_ changes: [Change], _ status: ChangeOutcome.Status) {
            for change in changes where outcomes[change.address] == nil { outcomes[change.address] = status }
        }
        guard zones.contains(zone) else {
            all(changes, .failed(ProviderError(.invalid, provider: binding.name, "zone \(zone) is not in zones: of Providers/\(binding.name).yaml")))
            return outcomes
        }
        do {
            for part in try RFC2136Update.build(zone: zone, changes: changes) {
                let response = try await client.update(part.update)
                switch response.rcode {
                case 0:
                    all(part.changes, .applied(id: nil))
                case 7, 8:
                    outcomes.merge(try await prerequisiteFailure(part.changes, rcode: response.rcodeName)) { first, _ in first }
                default:
                    all(part.changes, .failed(client.failure(response, what: "UPDATE of \(zone)")))
                }
                if outcomes.values.contains(where: \.isFailed) { break }
            }
        } catch let error as ProviderError {
            all(changes.filter { outcomes[$0.address] == nil }, .failed(error))
        } catch {
            all(changes, .failed(ProviderError(.other, provider: binding.name, "UPDATE of \(zone): \(error)")))
        }
        return outcomes
    }

    private func prerequisiteFailure(_ changes: [Change], rcode: String) async throws -> [Address: ChangeOutcome.Status] {
        let client = self.client
        let live = try await concurrentMap(changes, limiter: limiter) { change in (change, try await Self.live(change.address, client: client)) }
        func spec(_ resource: ResourceSpec?) -> [String]? {
            if case .record(let record)? = resource { record.values } else { nil }
        }
        // Plain loops: the same test written as closures over the (change, live) tuples
        // crashed the optimiser (Swift 6.3.1, -O: "Found outside of lifetime use").
        var allApplied = true
        var moved: [Address] = []
        for (change, current) in live {
            let wanted = spec(change.after)
            if wanted != current?.values || (wanted != nil && current?.ttl != recordTTL(change.after)) { allApplied = false }
            if spec(change.before) != current?.values { moved.append(change.address) }
        }
        if allApplied {
            return Dictionary(changes.map { ($0.address, ChangeOutcome.Status.applied(id: nil)) }, uniquingKeysWith: { first, _ in first })
        }
        let names = moved.isEmpty ? "an rrset of this chunk" : moved.map { $0.description }.joined(separator: ", ")
        var outcomes: [Address: ChangeOutcome.Status] = [:]
        for change in changes {
            let error = ProviderError(
                .conflict, provider: binding.name,
                "the UPDATE's prerequisites failed (\(rcode)): \(names) changed on the server since the plan; nothing of this UPDATE was applied. Plan again to see the server's state",
                address: moved.contains(change.address) ? change.address : moved.first)
            outcomes[change.address] = .failed(error)
        }
        return outcomes
    }

    private func recordTTL(_ resource: ResourceSpec?) -> Int? {
        if case .record(let record)? = resource { record.ttl } else { nil }
    }
}
