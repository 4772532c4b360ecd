import Foundation
@_spi(Testing) import PlumbCore
import PlumbWebhooks

/// The fuzz targets. Each takes arbitrary bytes and must return (any refusal is fine); a
/// trap, a crash or a hang is the bug. Both the libFuzzer build (`-DFUZZING`) and the replay
/// command of the normal build call them.
enum FuzzTarget: String, CaseIterable {
    case loader, webhook

    /// One line about what happened to the input, for replays.
    func run(_ data: Data) -> String {
        switch self {
        case .loader: fuzzLoader(data)
        case .webhook: fuzzWebhook(data)
        }
    }
}

/// The bytes as `Desired/fuzz.yaml` beside a valid embedded binding `Providers/main.yaml`.
/// Diagnostics are the expected way to refuse; anything else thrown is a bug. And Plumb's
/// YAML composer must agree with Yams on every text it accepts (YAMLComposer).
@discardableResult
func fuzzLoader(_ data: Data) -> String {
    if let text = String(data: data, encoding: .utf8), case .disagreed(let difference) = YAMLComposerCheck.compare(text) {
        preconditionFailure("the YAML composer and Yams disagree: \(difference)")
    }
    let tree = BytesTree(
        [
            "Providers/main.yaml": Data("kind: embedded\n".utf8),
            "Desired/fuzz.yaml": data,
        ], label: "fuzz")
    do {
        let state = try DesiredStateLoader(environment: [:]).load(tree)
        return "loaded: \(state.resources.count) resources, \(state.checks.count) checks"
    } catch let error as DiagnosticsError {
        precondition(!error.diagnostics.isEmpty, "the loader threw DiagnosticsError without diagnostics")
        let first = error.diagnostics[0]
        let position = first.location.map { "\($0.line):\($0.column)" } ?? "-"
        return "refused: \(error.diagnostics.count) diagnostics, first at \(position) [\(first.code.rawValue)]"
    } catch {
        preconditionFailure("the loader threw something other than DiagnosticsError: \(error)")
    }
}

/// The bytes as a GitHub, a Gitea and a GitLab payload under each event name the agent
/// knows (and one it does not), after the signature checks the route does first.
@discardableResult
func fuzzWebhook(_ data: Data) -> String {
    let body = [UInt8](data)
    let secret = "fuzz-secret"

    // Signatures: the right one passes, a wrong or mangled one fails, a header made of the
    // input itself is merely refused.
    let signature = WebhookSignature.sign(body, secret: secret)
    precondition(WebhookSignature.verifyGitHub("sha256=" + signature, body: body, secret: secret), "GitHub signature of the body refused")
    precondition(WebhookSignature.verifyGitea(signature, body: body, secret: secret), "Gitea signature of the body refused")
    precondition(!WebhookSignature.verifyGitHub("sha256=" + signature, body: body, secret: secret + "x"), "a signature passed under another secret")
    if !body.isEmpty {
        var flipped = body
        flipped[flipped.count / 2] ^= 0x01
        precondition(!WebhookSignature.verifyGitHub("sha256=" + signature, body: flipped, secret: secret), "a signature passed for a changed body")
    }
    let headerFromInput = String(decoding: body.prefix(80), as: UTF8.self)
    _ = WebhookSignature.verifyGitHub(headerFromInput, body: body, secret: secret)
    _ = WebhookSignature.verifyGitHub("sha256=" + headerFromInput, body: body, secret: secret)
    _ = WebhookSignature.verifyGitea(headerFromInput, body: body, secret: secret)
    _ = WebhookSignature.verifyGitLab(headerFromInput, secret: secret)
    precondition(WebhookSignature.verifyGitLab(secret, secret: secret), "the GitLab token refused")

    let events: [(WebhookEvent.Source, [String])] = [
        (.github, ["push", "pull_request", "ping", "issues"]),
        (.gitea, ["push", "pull_request"]),
        (.gitlab, ["Push Hook", "Merge Request Hook", "System Hook", "Note Hook"]),
    ]
    var outcomes: [String] = []
    for (source, names) in events {
        for name in names {
            do {
                outcomes.append(summary(try WebhookEvent.parse(source: source, event: name, body: body)))
            } catch is WebhookEvent.Malformed {
                outcomes.append("malformed")
            } catch {
                preconditionFailure("WebhookEvent.parse threw something other than Malformed: \(error)")
            }
        }
    }
    // One line: how many parses gave each outcome.
    var counts: [String: Int] = [:]
    for outcome in outcomes { counts[outcome, default: 0] += 1 }
    return counts.sorted { $0.key < $1.key }.map { "\($0.key) ×\($0.value)" }.joined(separator: ", ")
}

private func summary(_ event: WebhookEvent) -> String {
    switch event {
    case .ping: "ping"
    case .push: "push"
    case .review: "review"
    case .merged: "merged"
    case .ignored: "ignored"
    }
}
