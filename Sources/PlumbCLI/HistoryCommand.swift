import ArgumentParser
import Foundation
import PlumbCore
import PlumbStore

struct HistoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history", abstract: "Past runs, their commits, outcomes and stage timings.")

    @Argument(help: "show ID: one run whole (its chunks, changes, checks, timings).")
    var words: [String] = []

    @OptionGroup var state: StateOptions

    @Flag(help: "min / median / p95 / max per stage across runs.")
    var stats = false

    @Flag(help: "A text chart of run durations.")
    var plot = false

    @Option(help: "text or json.")
    var format: ReportFormat = .text

    @Option(help: "How many runs.")
    var limit = 50

    func validate() throws {
        // Zero runs would print "No runs yet." over a history that has runs.
        guard limit >= 1 else { throw ValidationError("--limit must be 1 or more") }
        guard !words.isEmpty else { return }
        guard words.count == 2, words[0] == "show", Int64(words[1]) != nil else {
            throw ValidationError("expected `history show ID` (a run number)")
        }
    }

    func run() async throws {
        try await runReportingErrors {
            let store: any StateStore
            if let shared = try await state.openStore() {
                store = shared
            } else {
                guard FileManager.default.fileExists(atPath: SQLiteStateStore.path(inDirectory: state.state)) else {
                    throw CLIError(message: "no history under \(state.state) yet: nothing has been applied with --state \(state.state)")
                }
                store = try SQLiteStateStore(directory: state.state)
            }
            if words.count == 2, let id = Int64(words[1]) {
                guard let run = try await store.run(id) else { throw CLIError(message: "no run \(id) in \(store.location)") }
                Console.out(format == .json ? try JSONOutput.encode(run) : RunDetailRenderer(style: Console.style).render(run))
                return
            }
            if stats {
                let table = StageStats.compute(try await store.allTimings())
                Console.out(format == .json ? try JSONOutput.encode(table) : StageStats.render(table))
                return
            }
            let runs = try await store.runs(limit: limit)
            if plot {
                Console.out(HistoryRenderer.plot(runs))
            } else if format == .json {
                Console.out(try JSONOutput.encode(runs))
            } else {
                Console.out(HistoryRenderer.table(runs, style: Console.style))
            }
        }
    }
}
