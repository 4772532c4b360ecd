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
        TextStyle(color: stdoutIsTerminal && ProcessInfo.processInfo.environment["NO_COLOR"] == nil)
    }

    /// Writes to `--out FILE` when given, else stdout.
    static func emit(_ text: String, to file: String?) throws {
        if let file {
            try Data(text.utf8).write(to: URL(fileURLWithPath: file))
        } else {
            out(text)
        }
    }
}

/// Prints diagnostics as compilers do: position, message, the source line and a caret.
struct DiagnosticPrinter {
    let tree: any SourceTree

    func render(_ diagnostics: [Diagnostic]) -> String {
        var cache: [String: [Substring]] = [:]
        var out: [String] = []
        for diagnostic in diagnostics {
            out.append(diagnostic.description)
            guard let location = diagnostic.location else { continue }
            if cache[location.file] == nil {
                let text = (try? tree.read(location.file)).flatMap { String(data: $0, encoding: .utf8) } ?? ""
                cache[location.file] = text.split(separator: "\n", omittingEmptySubsequences: false)
            }
            if let lines = cache[location.file], location.line >= 1, location.line <= lines.count {
                let line = lines[location.line - 1]
                out.append("    " + line.prefix(200))
                out.append("    " + String(repeating: " ", count: max(0, min(location.column - 1, 200))) + "^")
            }
        }
        out.append("\(diagnostics.count) error\(diagnostics.count == 1 ? "" : "s") found; nothing was changed.")
        return out.joined(separator: "\n")
    }
}
