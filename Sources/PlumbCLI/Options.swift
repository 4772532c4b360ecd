import ArgumentParser
import Foundation
import PlumbCore

/// `SOURCE: --root DIR | --repo URL_OR_PATH [--ref REF]` (SPEC §5).
struct SourceOptions: ParsableArguments {
    @Option(help: "A desired-state repository on disk.")
    var root: String?

    @Option(help: "A git repository (path or URL) to read the desired state from, without a checkout.")
    var repo: String?

    @Option(help: "With --repo: the branch, tag, commit or ref to read.")
    var ref: String?

    mutating func validate() throws {
        if root != nil && repo != nil { throw ValidationError("give --root or --repo, not both") }
        if ref != nil && repo == nil { throw ValidationError("--ref needs --repo") }
    }
}

struct StateOptions: ParsableArguments {
    @Option(help: "Where Plumb keeps history, journal, git mirrors and the embedded inventory.")
    var state: String = ".plumb"
}

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json, markdown
}
