import Foundation
extension DocumentLoader {
    mutating func loadRoles(_ node: YAMLNode, provider: String) {
        let allowed = ["description", "path", "trust", "policies", "tags", "protect", "waive"]
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
            for field in fields {
                switch field.key {
                case "path":
                    guard let text = reader.string(field.value, "path") else { continue }
                    if text.hasPrefix("/") && text.hasSuffix("/") {
                        path = text
                    } else {
                        reader.error(.invalidValue, field.value, "role \(name): path '\(text)' must begin and end with '/'", hint: "write /\(text.trimmingCharacters(in: CharacterSet(charactersIn: "/")))/")
                    }
                case "description": description = reader.scalar(field.value, "description") ?? ""
                case "policies":
                    guard let entries = reader.mapping(field.value, "role \(name) policies") else { continue }
                    for entry in entries where policyDocument(entry.value, what: "role \(name) policy \(entry.key)") {
                        policies[entry.key] = reader.json(entry.value)
                    }
                default: break
                }
            }
            guard policyDocument(trustNode, what: "role \(name) trust") else { continue }
            let (protect, tags) = protectAndTags(fields, what: "role \(name)")
            declarations.resources.append(DesiredResource(
                address: Address(kind: .role, name: name), provider: provider,
                spec: .role(RoleSpec(path: path, description: description, trust: reader.json(trustNode), policies: policies, tags: tags)),
                protect: protect, location: location, waivers: waivers(fields, what: "role \(name)")))
        }
    }

    /// A policy document needs `Statement:`; `Version:` should be 2012-10-17.
    private func policyDocument(_ node: YAMLNode, what: String) -> Bool {
        guard let fields = reader.mapping(node, what) else { return false }
        guard fields.contains(where: { $0.key == "Statement" }) else {
            reader.error(.missingKey, node, "\(what) has no 'Statement:'", hint: "write it in AWS's own shape: Version and Statement")
            return false
        }
        if let version = fields.first(where: { $0.key == "Version" }),
           !["2012-10-17", "2008-10-17"].contains(version.value.scalar?.text ?? "") {
            reader.error(.invalidValue, version.value, "\(what): Version must be \"2012-10-17\" (or the older \"2008-10-17\")", hint: "quote it: Version: \"2012-10-17\"")
            return false
        }
        return true
    }
}
