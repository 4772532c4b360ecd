import Foundation

extension DocumentLoader {
    mutating func loadRoles(_ node: YAMLNode, provider: String) {
        let allowed = [
            "description", "path", "trust", "policies", "managed_policies", "permissions_boundary",
            "max_session_duration", "tags", "protect", "waive",
        ]
        for (name, node, location) in namedEntries(node, "roles") {
            guard let fields = reader.mapping(node, "role \(name)", allowed: allowed),
                let trustNode = required(fields, "trust", in: node, what: "role \(name)")
            else { continue }
            if name.count > 64 {
                reader.error(.invalidValue, node, "role name '\(name.prefix(80))' is longer than 64 characters")
                continue
            }
            var path = "/"
            var description = ""
            var policies: [String: JSONValue] = [:]
            var managed: [String] = []
            var boundary: String?
            var session = RoleSpec.defaultMaxSessionDuration
            for field in fields {
                switch field.key {
                case "path":
                    guard let text = reader.string(field.value, "path") else { continue }
                    if text.hasPrefix("/") && text.hasSuffix("/") {
                        path = text
                    } else {
                        reader.error(
                            .invalidValue, field.value, "role \(name): path '\(text)' must begin and end with '/'",
                            hint: "write /\(text.trimmingCharacters(in: CharacterSet(charactersIn: "/")))/")
                    }
                case "description": description = reader.scalar(field.value, "description") ?? ""
                case "policies":
                    guard let entries = reader.mapping(field.value, "role \(name) policies") else { continue }
                    for entry in entries where policyDocument(entry.value, what: "role \(name) policy \(entry.key)") {
                        policies[entry.key] = reader.json(entry.value)
                    }
                case "managed_policies":
                    guard let entries = reader.strings(field.value, "managed_policies") else { continue }
                    for (arn, node) in entries where policyARN(arn, node, what: "role \(name): managed policy") {
                        if managed.contains(arn) {
                            reader.error(.invalidValue, node, "role \(name): managed policy '\(arn)' is listed twice", hint: "remove one of them")
                        }
                        managed.append(arn)
                    }
                case "permissions_boundary":
                    guard let arn = reader.string(field.value, "permissions_boundary"),
                        policyARN(arn, field.value, what: "role \(name): permissions_boundary")
                    else { continue }
                    boundary = arn
                case "max_session_duration":
                    if let seconds = sessionDuration(field.value, role: name) { session = seconds }
                default: break
                }
            }
            guard policyDocument(trustNode, what: "role \(name) trust") else { continue }
            let (protect, tags) = protectAndTags(fields, what: "role \(name)")
            declarations.resources.append(
                DesiredResource(
                    address: Address(kind: .role, name: name), provider: provider,
                    spec: .role(
                        RoleSpec(
                            path: path, description: description, trust: reader.json(trustNode), policies: policies,
                            managedPolicies: managed, permissionsBoundary: boundary, maxSessionDuration: session, tags: tags)),
                    protect: protect, location: location, waivers: waivers(fields, what: "role \(name)")))
        }
    }

    /// A managed policy's ARN: `arn:PARTITION:iam::ACCOUNT:policy/PATH/NAME`, the account
    /// being twelve digits or `aws` for AWS's own policies.
    private func policyARN(_ arn: String, _ node: YAMLNode, what: String) -> Bool {
        let parts = arn.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        let valid =
            parts.count == 6 && parts[0] == "arn" && parts[1].hasPrefix("aws") && parts[2] == "iam" && parts[3].isEmpty
            && (parts[4] == "aws" || (parts[4].count == 12 && parts[4].allSatisfy { $0.isASCII && $0.isNumber }))
            && parts[5].hasPrefix("policy/") && parts[5].count > "policy/".count && arn.count <= 2048
        if !valid {
            reader.error(
                .invalidValue, node, "\(what): '\(arn.prefix(120))' is not a managed policy's ARN",
                hint: "write arn:aws:iam::aws:policy/NAME or arn:aws:iam::ACCOUNT:policy/NAME")
        }
        return valid
    }

    /// `max_session_duration`: a duration (`2h`, `90m`) or seconds, from one to twelve hours
    /// in whole seconds, as IAM takes it.
    private func sessionDuration(_ node: YAMLNode, role: String) -> Int? {
        guard let text = reader.scalar(node, "max_session_duration") else { return nil }
        let seconds = DurationText.parse(text, bareSeconds: true).map { Double($0.components.seconds) + Double($0.components.attoseconds) / 1e18 }
        guard let seconds, seconds == seconds.rounded(), RoleSpec.sessionDurationRange.contains(Int(seconds)) else {
            reader.error(
                .invalidValue, node, "role \(role): max_session_duration '\(text)' must be from 1h to 12h",
                hint: "write a duration such as 1h, 90m or 12h")
            return nil
        }
        return Int(seconds)
    }

    /// A policy document needs `Statement:`; `Version:` should be 2012-10-17.
    private func policyDocument(_ node: YAMLNode, what: String) -> Bool {
        guard let fields = reader.mapping(node, what) else { return false }
        guard fields.contains(where: { $0.key == "Statement" }) else {
            reader.error(.missingKey, node, "\(what) has no 'Statement:'", hint: "write it in AWS's own shape: Version and Statement")
            return false
        }
        if let version = fields.first(where: { $0.key == "Version" }),
            !["2012-10-17", "2008-10-17"].contains(version.value.scalar?.text ?? "")
        {
            reader.error(
                .invalidValue, version.value, "\(what): Version must be \"2012-10-17\" (or the older \"2008-10-17\")",
                hint: "quote it: Version: \"2012-10-17\"")
            return false
        }
        return true
    }
}
