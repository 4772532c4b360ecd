import Foundation
import PlumbCore

/// Where output goes: data on stdout, messages and progress on stderr. Colour and progress
/// only when the stream is a terminal.
enum Console {
    static var stdoutIsTerminal: Bool { isatty(STDOUT_FILENO) == 1 }
    static var stderrIsTerminal: Bool { isatty(STDERR_FILENO) == 1 }
    static var stdinIsTerminal: Bool { isatty(STDIN_FILENO) == 1 }

    static func out(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    static func err(_ text: String) {
        FileHandle.standardError.write(Data((text.hasSuffix("\n") ? text : text + "\n").utf8))
    }

    /// A progress line, only on a terminal.
    static func progress(_ text: String) {
        guard stderrIsTerminal else { return }
        err("\u{1B}[2m" + text + "\u{1B}[0m")
    }

    static var style: TextStyle {
        TextStyle(color: stdoutIsTerminal && colorAllowed)
    }

    /// NO_COLOR (no-color.org) turns colour off everywhere.
    static var colorAllowed: Bool { ProcessInfo.processInfo.environment["NO_COLOR"] == nil }

    /// Writes to `--out FILE` when given, else stdout.
    static func emit(_ text: String, to file: String?) throws {
        if let file {
            try Data(text.utf8).write(to: URL(fileURLWithPath: file))
        } else {
            out(text)
        }
    }
}
