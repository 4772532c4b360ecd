import Foundation
import PlumbTestSupport
import Testing

@testable import PlumbCore

struct PolicyPair: CustomTestStringConvertible, Sendable {
    var id: String
    var a: String
    var b: String
    var equal: Bool
    var testDescription: String { id }
}

@Suite("Policy documents")
struct PolicyDocumentTests {
    @Test(
        "documents compare semantically",
        arguments: [
            PolicyPair(
                id: "one-element-list-equals-element",
                a: #"{"Statement":[{"Action":"s3:GetObject"}]}"#,
                b: #"{"Statement":{"Action":["s3:GetObject"]}}"#, equal: true),
            PolicyPair(
                id: "key-order-ignored",
                a: #"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"x"}}"#,
                b: #"{"Statement":{"Action":"x","Effect":"Allow"},"Version":"2012-10-17"}"#, equal: true),
            PolicyPair(
                id: "list-order-ignored",
                a: #"{"Action":["s3:GetObject","s3:PutObject"]}"#,
                b: #"{"Action":["s3:PutObject","s3:GetObject"]}"#, equal: true),
            PolicyPair(
                id: "repeated-list-items-ignored",
                a: #"{"Action":["a","a","b"]}"#,
                b: #"{"Action":["b","a"]}"#, equal: true),
            PolicyPair(
                id: "url-encoded-equals-plain",
                a: "%7B%22Action%22%3A%22sts%3AAssumeRole%22%7D",
                b: #"{"Action":"sts:AssumeRole"}"#, equal: true),
            PolicyPair(
                id: "nested-one-element-lists",
                a: #"{"Principal":{"Service":["ec2.amazonaws.com"]}}"#,
                b: #"{"Principal":{"Service":"ec2.amazonaws.com"}}"#, equal: true),
            PolicyPair(
                id: "different-action",
                a: #"{"Action":"s3:GetObject"}"#,
                b: #"{"Action":"s3:PutObject"}"#, equal: false),
            PolicyPair(
                id: "extra-list-item",
                a: #"{"Action":["a"]}"#,
                b: #"{"Action":["a","b"]}"#, equal: false),
            PolicyPair(
                id: "different-effect",
                a: #"{"Effect":"Allow"}"#,
                b: #"{"Effect":"Deny"}"#, equal: false),
            PolicyPair(
                id: "value-case-matters",
                a: #"{"Resource":"arn:aws:s3:::Bucket"}"#,
                b: #"{"Resource":"arn:aws:s3:::bucket"}"#, equal: false),
        ])
    func semanticEquality(_ pair: PolicyPair) throws {
        let a = try #require(PolicyDocument.parse(pair.a))
        let b = try #require(PolicyDocument.parse(pair.b))
        #expect((a == b) == pair.equal)
        let trustA = RoleSpec(trust: a)
        let trustB = RoleSpec(trust: b)
        #expect((trustA == trustB) == pair.equal, "roles compare their documents the same way")
    }

    @Test("canonical form is idempotent")
    func idempotent() throws {
        let doc = try #require(PolicyDocument.parse(#"{"Statement":[{"Action":["b","a"],"Resource":["x"]},{"Action":"c"}]}"#))
        #expect(PolicyDocument.canonical(doc) == doc)
    }

    @Test("scalar types survive parsing")
    func scalars() throws {
        let doc = try #require(PolicyDocument.parse(#"{"n":3600,"flag":true,"s":"true","none":null}"#))
        #expect(doc["n"] == .int(3600))
        #expect(doc["flag"] == .bool(true))
        #expect(doc["s"] == .string("true"))
        #expect(doc["none"] == .null)
    }

    @Test("text that is not JSON does not parse")
    func notJSON() {
        #expect(PolicyDocument.parse("not a policy") == nil)
    }

    @Test("a document written in YAML equals the provider's JSON of it")
    func yamlEqualsJSON() throws {
        let state = try Fixtures.load([
            "iam.yaml": """
            provider: main
            roles:
              ci:
                trust:
                  Version: "2012-10-17"
                  Statement:
                    - Effect: Allow
                      Principal: {Service: [ec2.amazonaws.com]}
                      Action: sts:AssumeRole
                      Condition: {NumericLessThan: {"aws:MultiFactorAuthAge": 3600}}
            """
        ])
        guard case .role(let role)? = state.resources[Address(kind: .role, name: "ci")]?.spec else {
            Issue.record("role not loaded")
            return
        }
        let json =
            #"{"Version":"2012-10-17","Statement":[{"Condition":{"NumericLessThan":{"aws:MultiFactorAuthAge":3600}},"Action":["sts:AssumeRole"],"Principal":{"Service":"ec2.amazonaws.com"},"Effect":"Allow"}]}"#
        let encoded = json.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        #expect(role.trust == PolicyDocument.parse(json))
        #expect(role.trust == PolicyDocument.parse(encoded))
    }

    @Test("a role decoded from its attributes keeps canonical documents")
    func decodedRole() throws {
        let attributes = JSONValue.object([
            "path": .string("/"), "description": .string(""), "tags": .object([:]),
            "trust": .object(["Statement": .array([.object(["Action": .array([.string("sts:AssumeRole")])])])]),
            "policies": .object(["p": .object(["Action": .array([.string("b"), .string("a")])])]),
        ])
        let spec = try ResourceSpec(kind: .role, attributes: attributes)
        let expected = RoleSpec(
            trust: .object(["Statement": .object(["Action": .string("sts:AssumeRole")])]),
            policies: ["p": .object(["Action": .array([.string("a"), .string("b")])])])
        #expect(spec == .role(expected))
    }
}
