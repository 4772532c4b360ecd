import Yams

/// A composed YAML node as the loaders read it: text, style and position, nothing else.
///
/// Plumb's own value type rather than `Yams.Node`: a 100,000-record document is about
/// 700,000 nodes, and Yams gives each of them a class-backed tag and copies them through
/// existentials; these are plain values (see `YAMLComposer`, Docs/decisions.md).
enum YAMLNode: Sendable, Equatable {
    case scalar(YAMLScalar)
    case sequence([YAMLNode], YAMLMark)
    case mapping([YAMLPair], YAMLMark)
    /// Only from the Yams path: an alias Yams kept as such.
    case alias(YAMLMark)

    var mark: YAMLMark {
        switch self {
        case .scalar(let scalar): scalar.mark
        case .sequence(_, let mark), .mapping(_, let mark), .alias(let mark): mark
        }
    }

    var scalar: YAMLScalar? {
        if case .scalar(let scalar) = self { return scalar }
        return nil
    }

    /// YAML 1.1 booleans, as Yams reads an untagged scalar.
    var bool: Bool? {
        guard let text = scalar?.text else { return nil }
        switch text.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: return nil
        }
    }
}

struct YAMLPair: Sendable, Equatable {
    var key: YAMLNode
    var value: YAMLNode
}

struct YAMLScalar: Sendable, Equatable {
    enum Style: UInt8, Sendable {
        case plain, singleQuoted, doubleQuoted, literal, folded
    }

    var text: String
    var style: Style
    var mark: YAMLMark
}

/// 1-based line and column (columns count characters, as libyaml does).
struct YAMLMark: Sendable, Equatable {
    var line: Int32
    var column: Int32
}

extension YAMLNode {
    /// The same tree from what Yams composed (the path for YAML outside the composer's subset).
    init(_ node: Yams.Node) {
        let mark = YAMLMark(node.mark)
        switch node {
        case .scalar(let scalar):
            let style: YAMLScalar.Style = switch scalar.style {
            case .singleQuoted: .singleQuoted
            case .doubleQuoted: .doubleQuoted
            case .literal: .literal
            case .folded: .folded
            default: .plain
            }
            self = .scalar(YAMLScalar(text: scalar.string, style: style, mark: mark))
        case .sequence(let sequence):
            self = .sequence(sequence.map(YAMLNode.init), mark)
        case .mapping(let mapping):
            self = .mapping(mapping.map { YAMLPair(key: YAMLNode($0.key), value: YAMLNode($0.value)) }, mark)
        case .alias:
            self = .alias(mark)
        }
    }
}

extension YAMLMark {
    init(_ mark: Yams.Mark?) {
        self.init(line: Int32(clamping: mark?.line ?? 1), column: Int32(clamping: mark?.column ?? 1))
    }
}
