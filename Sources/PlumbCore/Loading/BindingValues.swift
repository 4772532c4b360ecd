import Foundation

/// What `validate` can check of a binding's values without the network (#23): a URL that is a
/// URL, a key that is not empty, a region AWS has. Every problem is reported at the value's
/// position by the loader, instead of as a provider error at `plan` time with no position.
enum BindingValues {
    struct Problem: Equatable {
        var message: String
        var hint: String?
    }

    /// AWS's commercial, GovCloud and China regions as of 2026; a well-formed name outside the
    /// list is accepted (a region newer than this list), a near miss of one is a typo.
    static let awsRegions = [
        "af-south-1", "ap-east-1", "ap-east-2", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-south-1",
        "ap-south-2", "ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4", "ap-southeast-5",
        "ap-southeast-7", "ca-central-1", "ca-west-1", "cn-north-1", "cn-northwest-1", "eu-central-1", "eu-central-2",
        "eu-north-1", "eu-south-1", "eu-south-2", "eu-west-1", "eu-west-2", "eu-west-3", "il-central-1", "me-central-1",
        "me-south-1", "mx-central-1", "sa-east-1", "us-east-1", "us-east-2", "us-gov-east-1", "us-gov-west-1",
        "us-west-1", "us-west-2",
    ]

    static func problem(type: ProviderType, key: String, value: String) -> Problem? {
        switch (type, key) {
        case (.powerdns, "url"):
            return httpURL(value, what: "url", example: "http://127.0.0.1:8081")
        case (.aws, "endpoint"):
            return value.isEmpty ? nil : httpURL(value, what: "endpoint", example: "http://127.0.0.1:5000 (or empty for AWS itself)")
        case (.powerdns, "server"):
            return value.isEmpty || value.contains("/")
                ? Problem(message: "server '\(value)' is not a PowerDNS server id", hint: "the default is localhost") : nil
        case (.aws, "region"):
            return region(value)
        case (.aws, "iam_path"):
            return iamPath(value)
        default:
            return nil
        }
    }

    /// What only matters once a document uses the binding: an example binding may leave its
    /// key empty (`${PDNS_API_KEY:-}`) as long as nothing points at it.
    static func problemWhenUsed(_ binding: ProviderBinding) -> (key: String, problem: Problem)? {
        if binding.type == .powerdns, binding.settings["api_key"]?.isEmpty == true {
            return ("api_key", Problem(message: "api_key is empty", hint: "set the PowerDNS API key, e.g. export PDNS_API_KEY"))
        }
        return nil
    }

    /// An IAM path: `/`, or `/` + segments + `/`, of IAM's characters, at most 512.
    static func iamPath(_ text: String) -> Problem? {
        let valid =
            text.hasPrefix("/") && text.hasSuffix("/") && text.count <= 512
            && text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "/+=,.@_-".contains($0)) }
        return valid
            ? nil : Problem(message: "iam_path '\(text.prefix(120))' is not an IAM path", hint: "write e.g. /plumb/ (it begins and ends with /)")
    }

    static func httpURL(_ text: String, what: String, example: String) -> Problem? {
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
            scheme == "http" || scheme == "https", let host = components.host, !host.isEmpty
        else {
            return Problem(message: "\(what) '\(text.prefix(120))' is not an http:// or https:// URL with a host", hint: "write e.g. \(example)")
        }
        return nil
    }

    static func region(_ text: String) -> Problem? {
        if awsRegions.contains(text) { return nil }
        let wellFormed = text.range(of: #"^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9]{1,2}$"#, options: .regularExpression) != nil
        if let hint = Suggestion.hint(for: text, in: awsRegions) {
            return Problem(message: "region '\(text)' is not an AWS region", hint: hint)
        }
        return wellFormed ? nil : Problem(message: "region '\(text.prefix(60))' is not an AWS region", hint: "write e.g. us-east-1")
    }
}
