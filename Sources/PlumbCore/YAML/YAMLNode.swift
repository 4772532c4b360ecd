import Yams

/// A composed YAML node as the loaders read it: text, style and position, nothing else.
///
/// Plumb's own value type rather than `Yams.Node`: a 100,000-record document is about
/// 700,000 nodes, and Yams gives each of them a class-backed tag and copies them through
/// existentials; these are plain values (see `YAMLComposer`, Docs/decisions.md).
public enum YAMLNode: Sendable, Equatable {
    case scalar(YAMLScalar)
    case sequence([YAMLNode], YAMLMark)
    case mapping([YAMLPair], YAMLMark)
    /// Only from the Yams path: an alias Yams kept as such.
    case alias(YAMLMark)

    public var mark: YAMLMark {
        switch self {
        case .scalar(let scalar): scalar.mark
        case .sequence(_, let mark), .mapping(_, let mark), .alias(let mark): mark
        }
    }

    public var scalar: YAMLScalar? {
        if case .scalar(let scalar) = self { return scalar }
        return nil
    }

    /// YAML 1.1 booleans, as Yams reads them: untagged plain scalars and those tagged other
    /// than `!!str`; a quoted `"true"` is a string (libyaml tags quoted scalars `!!str`).
    public var bool: Bool? {
        guard let scalar, scalar.tag != .string else { return nil }
        switch scalar.text.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: return nil
        }
    }
}

public struct YAMLPair: Sendable, Equatable {
    public var key: YAMLNode
    public var value: YAMLNode
}

public struct YAMLScalar: Sendable, Equatable {
    public enum Style: UInt8, Sendable {
        case plain, singleQuoted, doubleQuoted, literal, folded
    }

    /// The tag libyaml gives: none for plain scalars, `!!str` for quoted ones, or one
    /// written out (only on the Yams path: the composer declines tags).
    public enum Tag: UInt8, Sendable {
        case implicit, string, other
    }

    public var text: String
    public var style: Style
    public var mark: YAMLMark
    public var tag: Tag = .implicit

    init(text: String, style: Style, mark: YAMLMark, tag: Tag = .implicit) {
        self.text = text
        self.style = style
        self.mark = mark
        self.tag = tag
    }
}

/// 1-based line and column (columns count characters, as libyaml does).
public struct YAMLMark: Sendable, Equatable {
    public var line: Int32
    public var column: Int32
}

extension YAMLNode {
    /// Every document of `text` as Yams composes it: the loader's path for YAML outside the
    /// composer's subset, and the reference `YAMLComposerCheck` holds the composer to.
    static func composeAll(_ text: String) throws -> [YAMLNode] {
        var nodes: [YAMLNode] = []
        var documents = try Yams.compose_all(yaml: text, .basic)
        while let node = documents.next() { nodes.append(YAMLNode(node)) }
        if let error = documents.error { throw error }
        return nodes
    }

    /// The same tree from what Yams composed (the path for YAML outside the composer's subset).
    init(_ node: Yams.Node) {
        self.init(node, isKey: false)
    }

    private init(_ node: Yams.Node, isKey: Bool) {
        let mark = YAMLMark(node.mark)
        switch node {
        case .scalar(let scalar):
            let style: YAMLScalar.Style =
                switch scalar.style {
                case .singleQuoted: .singleQuoted
                case .doubleQuoted: .doubleQuoted
                case .literal: .literal
                case .folded: .folded
                default: .plain
                }
            // Yams resolves a plain key's tag to `!!str` when it checks keys for duplicates;
            // no key is read as a boolean, so a key keeps the tag it was written with.
            let tag: YAMLScalar.Tag =
                switch scalar.tag.rawValue {
                case Tag.Name.implicit.rawValue: .implicit
                case Tag.Name.str.rawValue: isKey && style == .plain ? .implicit : .string
                default: .other
                }
            self = .scalar(YAMLScalar(text: scalar.string, style: style, mark: mark, tag: tag))
        case .sequence(let sequence):
            self = .sequence(sequence.map { YAMLNode($0, isKey: false) }, mark)
        case .mapping(let mapping):
            self = .mapping(mapping.map { YAMLPair(key: YAMLNode($0.key, isKey: true), value: YAMLNode($0.value, isKey: false)) }, mark)
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
