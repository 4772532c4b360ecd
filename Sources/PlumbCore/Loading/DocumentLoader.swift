/// Reads `Desired/**/*.yaml` documents into declarations (SPEC §3).
struct DocumentLoader {
    static let topKeys = [
        "provider", "zone", "ttl", "protect", "waive", "records",
        "vpcs", "subnets", "security_groups", "roles", "checks",
    ]
    static let zoneKeys: Set<String> = ["zone", "ttl", "records"]
    static let cloudKeys: Set<String> = ["vpcs", "subnets", "security_groups", "roles"]

    let reader: YAMLReader
    var declarations = Declarations()

    init(file: String) {
        reader = YAMLReader(file: file)
    }

    /// The text is given up once composed: a large document's 8 MB are not held while its
    /// nodes become declarations.
    mutating func load(_ text: consuming String) {
        let documents = reader.documents(text)
        _ = consume text
        for document in documents {
            loadDocument(document)
        }
    }

    private mutating func loadDocument(_ root: YAMLNode) {
        if case .scalar(let scalar) = root, scalar.text.isEmpty { return }
        guard let entries = reader.mapping(root, "a desired-state document", allowed: Self.topKeys) else { return }
        let keys = Set(entries.map(\.key))
        let hasZone = !keys.isDisjoint(with: Self.zoneKeys)
        let hasCloud = !keys.isDisjoint(with: Self.cloudKeys)
        if hasZone && hasCloud {
            reader.error(
                .invalidValue, root, "a document holds one zone or network/IAM sections, not both", hint: "move the zone into a document of its own")
            return
        }
        var provider: String?
        var providerNode: YAMLNode?
        if let entry = entries.first(where: { $0.key == "provider" }) {
            provider = reader.string(entry.value, "provider")
            providerNode = entry.value
        }
        if (hasZone || hasCloud) && provider == nil && providerNode == nil {
            reader.error(
                .missingKey, root, "this document declares resources but names no provider", hint: "add 'provider: NAME' naming a file in Providers/")
        }
        let binding = provider ?? ""
        let before = declarations.resources.count
        if hasZone {
            loadZone(entries, root: root, provider: binding)
        } else {
            for key in ["protect", "waive"] where keys.contains(key) {
                reader.error(
                    .unknownKey, root, "'\(key)' at the top of a document applies to a zone", hint: "put '\(key):' on the resource it is about")
            }
        }
        for entry in entries {
            switch entry.key {
            case "vpcs": loadVPCs(entry.value, provider: binding)
            case "subnets": loadSubnets(entry.value, provider: binding)
            case "security_groups": loadSecurityGroups(entry.value, provider: binding)
            case "roles": loadRoles(entry.value, provider: binding)
            case "checks": loadChecks(entry.value)
            default: break
            }
        }
        let kinds = Set(declarations.resources[before...].map(\.address.kind))
        if let provider, let providerNode, !kinds.isEmpty {
            declarations.providerUses.append(ProviderUse(provider: provider, kinds: kinds, location: reader.location(providerNode)))
        }
    }

    static let sectionKinds: [String: ResourceKind] = ["vpcs": .vpc, "subnets": .subnet, "security_groups": .securityGroup, "roles": .role]

    /// Each entry of a `NAME: {…}` section, with the name validated as an identity and
    /// recorded as declared (even if its body turns out invalid).
    mutating func namedEntries(_ node: YAMLNode, _ section: String) -> [(name: String, node: YAMLNode, location: SourceLocation)] {
        guard let entries = reader.mapping(node, section) else { return [] }
        if let kind = Self.sectionKinds[section] {
            for entry in entries { declarations.named.insert(Address(kind: kind, name: entry.key)) }
        }
        return entries.compactMap { entry in
            let valid =
                !entry.key.isEmpty && entry.key.count <= 128
                && entry.key.allSatisfy { $0.isLetter || $0.isNumber || "-_.+=@,".contains($0) }
            if !valid {
                reader.error(
                    .invalidValue, entry.keyNode, "'\(entry.key.prefix(80))' is not a valid name in \(section)",
                    hint: "use letters, digits and - _ . + = @ , (at most 128 characters)")
                return nil
            }
            return (entry.key, entry.value, reader.location(entry.keyNode))
        }
    }

    /// Reads `protect:` and `tags:` entries common to cloud resources.
    func protectAndTags(_ entries: [YAMLEntry], what: String) -> (protect: Bool, tags: [String: String]) {
        var protect = false
        var tags: [String: String] = [:]
        for entry in entries {
            if entry.key == "protect" { protect = reader.bool(entry.value, "\(what) protect") ?? false }
            if entry.key == "tags" {
                tags = reader.stringMap(entry.value, "\(what) tags") ?? [:]
                for key in tags.keys where key == "Name" || key.hasPrefix("plumb:") {
                    reader.error(
                        .invalidValue, entry.value, "\(what): tag '\(key)' is managed by Plumb",
                        hint: "remove it; Plumb sets Name and plumb:stack itself")
                }
            }
        }
        return (protect, tags)
    }

    func required(_ entries: [YAMLEntry], _ key: String, in node: YAMLNode, what: String) -> YAMLNode? {
        if let entry = entries.first(where: { $0.key == key }) { return entry.value }
        reader.error(.missingKey, node, "\(what) has no '\(key):'", hint: "add '\(key):'")
        return nil
    }
}
