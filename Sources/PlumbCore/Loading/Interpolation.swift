/// `${VAR}` and `${VAR:-default}` in provider bindings (SPEC §2).
enum Interpolation {
    enum Failure: Error, Equatable {
        case unset(String)
        case malformed(String)
        /// `${PLUMB_*}`: the agent's own secrets are never read by a binding (SPEC §8.1).
        case forbidden(String)
    }

    static func isForbidden(_ name: some StringProtocol) -> Bool { name.uppercased().hasPrefix("PLUMB_") }

    /// The text with every reference replaced; `usedEnvironment` says whether any was.
    static func expand(
        _ text: String, environment: [String: String]
    ) -> Result<(value: String, usedEnvironment: Bool), Failure> {
        guard text.contains("${") else { return .success((text, false)) }
        var output = ""
        var rest = Substring(text)
        while let start = rest.range(of: "${") {
            output += rest[..<start.lowerBound]
            guard let end = rest[start.upperBound...].firstIndex(of: "}") else {
                return .failure(.malformed(String(rest[start.lowerBound...])))
            }
            let body = rest[start.upperBound..<end]
            let name: Substring
            let fallback: Substring?
            if let separator = body.range(of: ":-") {
                name = body[..<separator.lowerBound]
                fallback = body[separator.upperBound...]
            } else {
                name = body
                fallback = nil
            }
            guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else {
                return .failure(.malformed("${\(body)}"))
            }
            if isForbidden(name) { return .failure(.forbidden(String(name))) }
            // As in a shell, `:-` also stands in for a variable that is set but empty.
            if let value = environment[String(name)], !(value.isEmpty && fallback != nil) {
                output += value
            } else if let fallback {
                output += fallback
            } else {
                return .failure(.unset(String(name)))
            }
            rest = rest[rest.index(after: end)...]
        }
        output += rest
        return .success((output, true))
    }
}
