/// TTLs outside one minute to one week: below, resolvers refetch constantly and some clamp
/// the value anyway; above, a mistake outlives its fix by more than a week (RFC 1035 §3.2.1
/// allows both; operators' guidance, e.g. RFC 1912 §2.2, does not).
struct DNSTTLRange: PolicyRule {
    let id = "dns-ttl-range"
    let defaultSeverity = PolicySeverity.warn
    let summary = "a TTL under 60 s or over 1 week"
    static let range = 60...604_800

    func violations(in context: PolicyContext) -> [PolicyViolation] {
        context.resources(.record).compactMap { resource in
            guard case .record(let spec) = resource.spec, !Self.range.contains(spec.ttl) else { return nil }
            let side = spec.ttl < Self.range.lowerBound ? "under 60 s" : "over 1 week (604800 s)"
            return PolicyViolation(
                address: resource.address, reason: "TTL \(spec.ttl) is \(side)",
                hint: "use a TTL from 60 to 604800, or waive with waive: {\(id): \"REASON\"}")
        }
    }
}
