import Foundation
import PlumbCore
import PlumbHTTP
import PlumbProviderKit

/// The AWS services Plumb calls, with what requests to each need.
enum AWSService: String, Sendable {
    case ec2, iam, route53

    /// The Query API version (EC2, IAM) or the REST path prefix (Route 53).
    var apiVersion: String {
        switch self {
        case .ec2: return "2016-11-15"
        case .iam: return "2010-05-08"
        case .route53: return "2013-04-01"
        }
    }
}

/// Signed requests to AWS over the binding's transport (rate limit, concurrency, retries).
///
/// Every request is signed again on every attempt, after the rate limiter lets it go, so a
/// request that waited in the queue never carries a stale date.
struct AWSClient: Sendable {
    let provider: String
    let transport: ProviderTransport
    let credentials: AWSCredentials
    let region: String
    /// One endpoint for every service (an AWS-compatible server); nil: AWS's own.
    let endpoint: String?

    func baseURL(_ service: AWSService) -> String {
        if let endpoint { return endpoint }
        switch service {
        case .ec2: return "https://ec2.\(region).amazonaws.com"
        case .iam: return "https://iam.amazonaws.com"
        case .route53: return "https://route53.amazonaws.com"
        }
    }

    /// IAM and Route 53 are global services, signed for us-east-1.
    func signingRegion(_ service: AWSService) -> String {
        service == .ec2 ? region : "us-east-1"
    }

    /// A Query API call (EC2, IAM): a form POST of `Action`, `Version` and the parameters.
    ///
    /// `safeToRepeat: false` marks calls that would create a second resource if a timed-out
    /// attempt had in fact been executed: those are retried only when AWS said it did not
    /// run them (throttling) or the connection was never made.
    func query(
        _ service: AWSService, _ action: String, _ parameters: [(String, String)] = [],
        safeToRepeat: Bool = true
    ) async throws -> XMLElement {
        let form = AWSQuery.formBody([("Action", action), ("Version", service.apiVersion)] + parameters)
        let request = HTTPRequest(
            method: "POST", url: baseURL(service) + "/",
            headers: [(name: "Content-Type", value: "application/x-www-form-urlencoded; charset=utf-8")],
            body: Data(form.utf8))
        return try await send(request, service: service, operation: action, safeToRepeat: safeToRepeat)
    }

    /// A REST call (Route 53): `path` below the API version, an optional XML body.
    func rest(
        _ method: String, _ path: String, query: [(String, String)] = [], body: String? = nil,
        operation: String, safeToRepeat: Bool = true
    ) async throws -> XMLElement {
        var url = baseURL(.route53) + "/" + AWSService.route53.apiVersion + path
        if !query.isEmpty { url += "?" + AWSQuery.formBody(query) }
        var headers: [(name: String, value: String)] = []
        if body != nil { headers.append((name: "Content-Type", value: "application/xml")) }
        let request = HTTPRequest(method: method, url: url, headers: headers, body: body.map { Data($0.utf8) })
        return try await send(request, service: .route53, operation: operation, safeToRepeat: safeToRepeat)
    }

    private func send(_ request: HTTPRequest, service: AWSService, operation: String, safeToRepeat: Bool) async throws -> XMLElement {
        let signer = SigV4Signer(credentials: credentials, region: signingRegion(service), service: service.rawValue)
        let response = try await transport.send(
            request, operation: operation, safeToRepeat: safeToRepeat,
            prepare: { signer.sign($0, date: Date()) },
            throttled: { response in
                // AWS says so in the error code, whatever the status.
                response.status >= 400 && AWSError(status: response.status, body: XMLElement.parse(response.body), operation: "").isThrottling
            })
        let document = XMLElement.parse(response.body)
        guard response.isSuccess else {
            throw AWSError(status: response.status, body: document, operation: operation)
        }
        if let document { return document }
        if response.body.isEmpty { return XMLElement(name: operation + "Response") }
        throw AWSError(code: "MalformedResponse", message: "the answer is not XML", status: response.status, operation: operation)
    }
}

extension AWSQuery {
    /// EC2 filters: `Filter.N.Name`, `Filter.N.Value.M`.
    static func filters(_ filters: [(name: String, values: [String])]) -> [(String, String)] {
        var parameters: [(String, String)] = []
        for (index, filter) in filters.enumerated() {
            parameters.append(("Filter.\(index + 1).Name", filter.name))
            for (valueIndex, value) in filter.values.enumerated() {
                parameters.append(("Filter.\(index + 1).Value.\(valueIndex + 1)", value))
            }
        }
        return parameters
    }

    /// EC2 tags at creation: `TagSpecification.1.ResourceType` and its tags.
    static func tagSpecification(_ resourceType: String, _ tags: [String: String]) -> [(String, String)] {
        var parameters = [("TagSpecification.1.ResourceType", resourceType)]
        for (index, key) in tags.keys.sorted().enumerated() {
            parameters.append(("TagSpecification.1.Tag.\(index + 1).Key", key))
            parameters.append(("TagSpecification.1.Tag.\(index + 1).Value", tags[key] ?? ""))
        }
        return parameters
    }

    /// A numbered list: `Prefix.1`, `Prefix.2`…
    static func list(_ prefix: String, _ values: [String]) -> [(String, String)] {
        values.enumerated().map { ("\(prefix).\($0.offset + 1)", $0.element) }
    }
}
