import PlumbCore

/// An error answer from an AWS API: the service's code (`InvalidGroup.Duplicate`,
/// `NoSuchEntity`, `Throttling`…), its message and the HTTP status.
///
/// EC2 wraps it in `<Response><Errors><Error>`, IAM and Route 53 in `<ErrorResponse><Error>`;
/// both carry `<Code>` and `<Message>`.
struct AWSError: Error, Sendable, CustomStringConvertible {
    var code: String
    var message: String
    var status: Int
    var operation: String

    init(code: String, message: String, status: Int, operation: String) {
        self.code = code
        self.message = message
        self.status = status
        self.operation = operation
    }

    /// Reads the error out of a response body; a body that is not AWS's XML (an HTML page
    /// from a proxy) still gives an error with its status.
    init(status: Int, body: XMLElement?, operation: String) {
        let error = body?.name == "Error" ? body : body?.descendants("Error").first
        self.init(
            code: ErrorExcerpt.of(error?.value("Code") ?? "HTTP\(status)", limit: 80),
            message: ErrorExcerpt.of(error?.value("Message") ?? "HTTP \(status)"),
            status: status, operation: operation)
    }

    var description: String { "\(operation): \(code): \(message)" }

    /// Throttling answers: the request was not executed, so it is always safe to retry.
    static let throttlingCodes: Set<String> = [
        "Throttling", "ThrottlingException", "RequestLimitExceeded", "TooManyRequestsException",
        "PriorRequestNotComplete", "RequestThrottled", "RequestThrottledException", "SlowDown",
    ]

    var isThrottling: Bool { Self.throttlingCodes.contains(code) }

    var isNotFound: Bool {
        code.hasSuffix(".NotFound") || code.hasPrefix("NoSuch") || code == "NotFound"
    }

    /// The provider-neutral kind of failure, for the apply loop and the user.
    var providerCode: ProviderError.Code {
        if isThrottling { return .throttled }
        if isNotFound { return .notFound }
        switch code {
        case "InvalidGroup.Duplicate", "InvalidPermission.Duplicate", "EntityAlreadyExists",
            "HostedZoneAlreadyExists", "InvalidSubnet.Conflict", "InvalidVpc.Range",
            "ConflictingDomainExists", "InvalidChangeBatch":
            return .conflict
        case "DependencyViolation", "DeleteConflict", "HostedZoneNotEmpty", "InvalidGroup.InUse":
            return .dependency
        case "AuthFailure", "InvalidClientTokenId", "SignatureDoesNotMatch", "UnauthorizedOperation",
            "AccessDenied", "AccessDeniedException", "MissingAuthenticationToken", "ExpiredToken",
            "InvalidAccessKeyId", "UnrecognizedClientException":
            return .unauthorized
        case "InternalError", "InternalFailure", "ServiceUnavailable", "Unavailable", "ServiceFailure":
            return .unavailable
        default:
            return status >= 500 ? .unavailable : .invalid
        }
    }

    func providerError(_ provider: String, address: Address? = nil) -> ProviderError {
        ProviderError(providerCode, provider: provider, description, address: address)
    }
}
