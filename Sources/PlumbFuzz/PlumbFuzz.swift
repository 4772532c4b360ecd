import Foundation
import Synchronization

// Two builds of one executable:
//
// - `-DFUZZING -sanitize=fuzzer[,address]` (scripts/fuzz): a libFuzzer binary. The target
//   comes from PLUMB_FUZZ_TARGET=loader|webhook; every other argument is libFuzzer's.
// - the normal build: `plumb-fuzz replay loader|webhook [--max-seconds S] PATH...` runs
//   files (or every file below directories) through the same functions once each, without
//   the sanitizer, so CI can replay the corpus.
//
// Both keep `@main`: SwiftPM links Linux executables with `--defsym main=PlumbFuzz_main`,
// so the module must define its entry point. Under FUZZING that entry point hands
// control to libFuzzer's own driver (LLVMFuzzerRunDriver), which then works exactly like
// the `main` libFuzzer would otherwise provide.

#if FUZZING
    /// libFuzzer's entry point, also used by LLVMFuzzerRunDriver below.
    @_cdecl("LLVMFuzzerTestOneInput")
    public func fuzzTestOneInput(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
        let data = start.map { Data(bytes: $0, count: count) } ?? Data()
        fuzzTargetFromEnvironment.run(data)
        return 0
    }

    let fuzzTargetFromEnvironment: FuzzTarget = {
        let name = ProcessInfo.processInfo.environment["PLUMB_FUZZ_TARGET"] ?? ""
        guard let target = FuzzTarget(rawValue: name) else {
            FileHandle.standardError.write(Data("plumb-fuzz: set PLUMB_FUZZ_TARGET to loader or webhook (got '\(name)')\n".utf8))
            exit(2)
        }
        return target
    }()

    /// libFuzzer's driver (compiler-rt, FuzzerDriver.cpp): parses libFuzzer flags from argv
    /// and runs the callback. Its arguments are plain pointers, passed alike by the Swift and
    /// C calling conventions on the platforms this builds on.
    @_silgen_name("LLVMFuzzerRunDriver")
    func LLVMFuzzerRunDriver(
        _ argc: UnsafeMutablePointer<CInt>,
        _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
        _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
    ) -> CInt
#endif

@main
enum PlumbFuzzMain {
    static func main() {
        let arguments = Array(CommandLine.arguments.dropFirst())
        if arguments.first == "replay" {
            exit(Replay.run(Array(arguments.dropFirst())))
        }
        #if FUZZING
            _ = fuzzTargetFromEnvironment  // refuse a bad PLUMB_FUZZ_TARGET before libFuzzer starts
            var argc = CommandLine.argc
            var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
            exit(LLVMFuzzerRunDriver(&argc, &argv, { start, count in fuzzTestOneInput(start, count) }))
        #else
            FileHandle.standardError.write(Data(Replay.usage.utf8))
            exit(2)
        #endif
    }
}

/// Runs files through a fuzz target once each and times them.
enum Replay {
    static let usage = """
        usage: plumb-fuzz replay loader|webhook [--max-seconds S] PATH...
          Runs each file (or every file below each directory) through the fuzz target once,
          printing a line per file. Exits 1 if any file takes longer than S seconds
          (default 5), and stops with exit status 3 if one takes over 4×S (a hang).
          The fuzzer itself is built by scripts/fuzz.

        """

    /// The file being run and since when, for the watchdog.
    static let current = Mutex<(path: String, start: ContinuousClock.Instant)?>(nil)

    static func run(_ arguments: [String]) -> Int32 {
        var rest = arguments[...]
        guard let name = rest.popFirst(), let target = FuzzTarget(rawValue: name) else {
            FileHandle.standardError.write(Data(usage.utf8))
            return 2
        }
        var bound = Duration.seconds(5)
        var paths: [String] = []
        while let argument = rest.popFirst() {
            if argument == "--max-seconds" {
                guard let text = rest.popFirst(), let seconds = Double(text), seconds > 0 else {
                    FileHandle.standardError.write(Data(usage.utf8))
                    return 2
                }
                bound = .milliseconds(Int64(seconds * 1000))
            } else {
                paths.append(argument)
            }
        }
        guard !paths.isEmpty else {
            FileHandle.standardError.write(Data(usage.utf8))
            return 2
        }
        let files = paths.flatMap(expand)
        guard !files.isEmpty else {
            FileHandle.standardError.write(Data("plumb-fuzz: no files in \(paths.joined(separator: " "))\n".utf8))
            return 2
        }

        startWatchdog(limit: bound * 4)
        let clock = ContinuousClock()
        var slow = 0
        var unreadable = 0
        var slowest: (Duration, String) = (.zero, "")
        for file in files {
            guard let data = FileManager.default.contents(atPath: file) else {
                print("UNREADABLE  \(file)")
                unreadable += 1
                continue
            }
            let start = clock.now
            current.withLock { $0 = (file, start) }
            let outcome = target.run(data)
            let elapsed = clock.now - start
            current.withLock { $0 = nil }
            if elapsed > slowest.0 { slowest = (elapsed, file) }
            let tooSlow = elapsed > bound
            if tooSlow { slow += 1 }
            print("\(tooSlow ? "SLOW" : "ok  ") \(milliseconds(elapsed).leftPadded(10)) ms  \(file)  \(outcome)")
        }
        print(
            "\(files.count) files through \(target.rawValue): \(slow) over \(bound), \(unreadable) unreadable; slowest \(milliseconds(slowest.0)) ms (\(slowest.1))"
        )
        return slow == 0 && unreadable == 0 ? 0 : 1
    }

    /// A file, or every regular file below a directory (hidden ones skipped), sorted.
    static func expand(_ path: String) -> [String] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { return [path] }
        guard isDirectory.boolValue else { return [path] }
        let base = URL(fileURLWithPath: path)
        guard
            let enumerator = FileManager.default.enumerator(
                at: base, includingPropertiesForKeys: [.isRegularFileKey], options: [.skipsHiddenFiles])
        else { return [] }
        var files: [String] = []
        for case let url as URL in enumerator where (try? url.resourceValues(forKeys: [.isRegularFileKey]))?.isRegularFile == true {
            files.append(url.path)
        }
        return files.sorted()
    }

    /// A file that never finishes cannot report itself: a thread watches the clock and
    /// ends the process, naming the file.
    static func startWatchdog(limit: Duration) {
        let thread = Thread {
            let clock = ContinuousClock()
            while true {
                Thread.sleep(forTimeInterval: 0.05)
                if let (path, start) = current.withLock({ $0 }), clock.now - start > limit {
                    FileHandle.standardError.write(Data("HANG: \(path) still running after \(limit); stopping\n".utf8))
                    exit(3)
                }
            }
        }
        thread.start()
    }

    static func milliseconds(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        let value = Double(seconds) * 1000 + Double(attoseconds) / 1e15
        return String(format: "%.1f", value)
    }
}

extension String {
    func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
