import Foundation
import PlumbCore

/// Prints diagnostics as compilers do: position, message, the source line and a caret.
public struct DiagnosticPrinter: Sendable {
    let tree: any SourceTree
    let style: TextStyle

    public init(tree: any SourceTree, style: TextStyle = TextStyle(color: false)) {
        self.tree = tree
        self.style = style
    }

    /// `file:line:col: error: message; hint`, coloured like a compiler's on a terminal.
    func headline(_ diagnostic: Diagnostic) -> String {
        guard style.color else { return diagnostic.description }
        let prefix = diagnostic.location.map { style.bold("\($0):") + " " } ?? ""
        let hint = diagnostic.hint.map { style.dim("; \($0)") } ?? ""
        return prefix + style.red(style.bold("error:")) + " " + diagnostic.message + hint
    }

    public func render(_ diagnostics: [Diagnostic]) -> String {
        var cache: [String: [Substring]] = [:]
        var out: [String] = []
        for diagnostic in diagnostics {
            out.append(headline(diagnostic))
            guard let location = diagnostic.location else { continue }
            if cache[location.file] == nil {
                let text = (try? tree.read(location.file)).flatMap { String(data: $0, encoding: .utf8) } ?? ""
                cache[location.file] = text.split(separator: "\n", omittingEmptySubsequences: false)
            }
            if let lines = cache[location.file], location.line >= 1, location.line <= lines.count {
                let line = lines[location.line - 1]
                out.append("    " + line.prefix(200))
                out.append("    " + String(repeating: " ", count: max(0, min(location.column - 1, 200))) + style.green("^"))
            }
        }
        out.append("\(diagnostics.count) error\(diagnostics.count == 1 ? "" : "s") found; nothing was changed.")
        return out.joined(separator: "\n")
    }
}
