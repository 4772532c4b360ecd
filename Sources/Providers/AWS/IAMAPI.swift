import Foundation
import PlumbCore

/// A role as IAM reports it, policies read separately.
struct IAMRole: Sendable, Equatable {
    var name: String
    var id: String
    var path: String
    var description: String
    /// The trust policy, canonical.
    var trust: JSONValue
    var tags: [String: String]
    var permissionsBoundary: String?
    var maxSessionDuration: Int
}

/// The IAM Query API calls Plumb makes.
struct IAMAPI: Sendable {
    let client: AWSClient

    /// Every role's name and path. `ListRoles` carries no tags, so ownership needs
    /// `getRole` per role.
    func listRoles(pathPrefix: String? = nil) async throws -> [(name: String, path: String)] {
        try await members("ListRoles", pathPrefix.map { [("PathPrefix", $0)] } ?? [], list: "Roles").compactMap { member in
            member.value("RoleName").map { ($0, member.value("Path") ?? "/") }
        }
    }

    /// Every member of a paginated IAM list, following `Marker` while `IsTruncated`.
    private func members(_ action: String, _ parameters: [(String, String)] = [], list: String) async throws -> [XMLElement] {
        var members: [XMLElement] = []
        var marker: String?
        repeat {
            var page = parameters + [("MaxItems", "1000")]
            if let marker { page.append(("Marker", marker)) }
            let answer = try await client.query(.iam, action, page)
            let result = answer.child(action + "Result") ?? answer
            members += result.items(list)
            marker = result.value("IsTruncated") == "true" ? result.value("Marker") : nil
        } while marker != nil
        return members
    }

    /// nil when there is no such role.
    func getRole(_ name: String) async throws -> IAMRole? {
        do {
            let answer = try await client.query(.iam, "GetRole", [("RoleName", name)])
            guard let role = answer.child("GetRoleResult")?.child("Role") ?? answer.descendants("Role").first else { return nil }
            var tags: [String: String] = [:]
            for tag in role.items("Tags") {
                if let key = tag.value("Key") { tags[key] = tag.value("Value") ?? "" }
            }
            return IAMRole(
                name: role.value("RoleName") ?? name, id: role.value("RoleId") ?? "",
                path: role.value("Path") ?? "/", description: role.value("Description") ?? "",
                trust: PolicyDocument.parse(role.value("AssumeRolePolicyDocument") ?? "{}") ?? .object([:]),
                tags: tags, permissionsBoundary: role.value("PermissionsBoundary", "PermissionsBoundaryArn"),
                maxSessionDuration: role.value("MaxSessionDuration").flatMap { Int($0) } ?? RoleSpec.defaultMaxSessionDuration)
        } catch let error as AWSError where error.isNotFound {
            return nil
        }
    }

    /// The names of the role's inline policies.
    func policyNames(_ role: String) async throws -> [String] {
        try await members("ListRolePolicies", [("RoleName", role)], list: "PolicyNames").map(\.text)
    }

    /// The role's inline policies by name, canonical.
    func inlinePolicies(_ role: String) async throws -> [String: JSONValue] {
        var policies: [String: JSONValue] = [:]
        for name in try await policyNames(role) {
            let answer = try await client.query(.iam, "GetRolePolicy", [("RoleName", role), ("PolicyName", name)])
            let text = answer.descendants("PolicyDocument").first?.text ?? "{}"
            policies[name] = PolicyDocument.parse(text) ?? .object([:])
        }
        return policies
    }

    /// The ARNs of the managed policies attached to the role.
    func attachedPolicies(_ role: String) async throws -> [String] {
        try await members("ListAttachedRolePolicies", [("RoleName", role)], list: "AttachedPolicies").compactMap { $0.value("PolicyArn") }
    }

    func attachPolicy(_ role: String, _ arn: String) async throws {
        _ = try await client.query(.iam, "AttachRolePolicy", [("RoleName", role), ("PolicyArn", arn)])
    }

    func detachPolicy(_ role: String, _ arn: String) async throws {
        try await ignoringNotFound {
            _ = try await client.query(.iam, "DetachRolePolicy", [("RoleName", role), ("PolicyArn", arn)])
        }
    }

    func setBoundary(_ role: String, _ arn: String?) async throws {
        if let arn {
            _ = try await client.query(.iam, "PutRolePermissionsBoundary", [("RoleName", role), ("PermissionsBoundary", arn)])
        } else {
            try await ignoringNotFound {
                _ = try await client.query(.iam, "DeleteRolePermissionsBoundary", [("RoleName", role)])
            }
        }
    }

    /// IAM role names are unique: a repeated create fails with `EntityAlreadyExists`.
    /// The boundary and session duration are set by the create itself.
    func createRole(
        _ name: String, path: String, description: String, trust: JSONValue, tags: [String: String],
        boundary: String?, maxSessionDuration: Int
    ) async throws -> String {
        var parameters = [("RoleName", name), ("Path", path), ("AssumeRolePolicyDocument", trust.canonicalText)]
        if !description.isEmpty { parameters.append(("Description", description)) }
        if let boundary { parameters.append(("PermissionsBoundary", boundary)) }
        if maxSessionDuration != RoleSpec.defaultMaxSessionDuration {
            parameters.append(("MaxSessionDuration", String(maxSessionDuration)))
        }
        parameters += Self.tagParameters(tags)
        let answer = try await client.query(.iam, "CreateRole", parameters)
        return answer.descendants("RoleId").first?.text ?? ""
    }

    /// `UpdateRole` for the description and the session duration, whichever are given.
    func updateRole(_ role: String, description: String?, maxSessionDuration: Int?) async throws {
        var parameters = [("RoleName", role)]
        if let description { parameters.append(("Description", description)) }
        if let maxSessionDuration { parameters.append(("MaxSessionDuration", String(maxSessionDuration))) }
        guard parameters.count > 1 else { return }
        _ = try await client.query(.iam, "UpdateRole", parameters)
    }

    func updateTrust(_ role: String, _ trust: JSONValue) async throws {
        _ = try await client.query(.iam, "UpdateAssumeRolePolicy", [("RoleName", role), ("PolicyDocument", trust.canonicalText)])
    }

    func putPolicy(_ role: String, _ name: String, _ document: JSONValue) async throws {
        _ = try await client.query(.iam, "PutRolePolicy", [("RoleName", role), ("PolicyName", name), ("PolicyDocument", document.canonicalText)])
    }

    func deletePolicy(_ role: String, _ name: String) async throws {
        try await ignoringNotFound {
            _ = try await client.query(.iam, "DeleteRolePolicy", [("RoleName", role), ("PolicyName", name)])
        }
    }

    func tagRole(_ role: String, _ tags: [String: String]) async throws {
        guard !tags.isEmpty else { return }
        _ = try await client.query(.iam, "TagRole", [("RoleName", role)] + Self.tagParameters(tags))
    }

    func untagRole(_ role: String, _ keys: [String]) async throws {
        guard !keys.isEmpty else { return }
        _ = try await client.query(.iam, "UntagRole", [("RoleName", role)] + AWSQuery.list("TagKeys.member", keys.sorted()))
    }

    /// Deletes the role's inline policies and detaches its managed ones, then the role: IAM
    /// refuses to delete a role that still has either (`DeleteConflict`).
    func deleteRole(_ role: String) async throws {
        try await ignoringNotFound {
            for name in try await policyNames(role).sorted() {
                try await deletePolicy(role, name)
            }
            for arn in try await attachedPolicies(role).sorted() {
                try await detachPolicy(role, arn)
            }
            _ = try await client.query(.iam, "DeleteRole", [("RoleName", role)])
        }
    }

    static func tagParameters(_ tags: [String: String]) -> [(String, String)] {
        var parameters: [(String, String)] = []
        for (index, key) in tags.keys.sorted().enumerated() {
            parameters.append(("Tags.member.\(index + 1).Key", key))
            parameters.append(("Tags.member.\(index + 1).Value", tags[key] ?? ""))
        }
        return parameters
    }
}
