import Yams

/// Refuses YAML alias bombs ("billion laughs") before Yams composes them.
///
/// Yams resolves an alias to the node its anchor names, so nine anchors of ten aliases each
/// (a few hundred bytes) denote 10⁹ nodes. Composing them is cheap (the nodes are shared),
/// but walking them is not: the loader turns IAM policies into JSON node by node, and Yams
/// itself hashes every mapping key in full to find duplicates, so an alias of a large
/// collection used as a key hangs inside `compose`.
///
/// So a file whose text may hold both an anchor and an alias is first composed with every
/// alias replaced by a plain scalar naming it. That tree has no shared nodes; one pass over
/// it gives each anchor's expanded size and so, without expanding anything, how many nodes
/// the aliases would add. The real file is composed only if that stays within a budget and
/// no mapping key is an alias of a collection.
enum YAMLAliasGuard {
    /// Aliases may add at most this many nodes to a file: far beyond sharing a few tag sets
    /// or rule lists, far below what takes noticeable time to walk.
    static let maxAddedNodes = 100_000

    /// A diagnostic when `text` must not be composed, nil when it may.
    static func refusal(_ text: String, file: String) -> Diagnostic? {
        let copy: AliasFreeCopy
        do {
            guard let made = try AliasFreeCopy(text) else { return nil }
            copy = made
        } catch {
            return Diagnostic(
                .syntax, at: SourceLocation(file: file, line: 1, column: 1),
                "this file uses YAML aliases and every private-use character; Plumb cannot check it for alias bombs and refuses it",
                hint: "write the aliased values out")
        }
        var walk = Walk(file: file, copy: copy)
        do {
            var documents = try Yams.compose_all(yaml: copy.text, .basic)
            // Yams keeps anchors from one document to the next; so does the walk.
            while let document = documents.next() {
                if let refusal = walk.check(document) { return refusal }
            }
            if let error = documents.error { throw error }
        } catch {
            // The copy differs from the text only where aliases were, so this is (nearly
            // always) the text's own syntax error; composing the text itself is not safe.
            return YAMLReader.syntaxDiagnostic(error, file: file)
        }
        return nil
    }

    /// The text with each alias `*NAME` written as the plain scalar OPEN NAME CLOSE N, N
    /// counting aliases: one of its own for each, so no two keys become equal in the copy
    /// that differ in the text. OPEN and CLOSE are private-use characters the text lacks.
    struct AliasFreeCopy {
        var text: String
        var open: Unicode.Scalar
        var close: Unicode.Scalar
        /// For each alias, how many characters the copy added before it on its line.
        var shifts: [Int] = []

        /// The text uses aliases and every private-use character: it cannot be checked.
        struct Unmarkable: Error {}

        /// Nil when the text holds no anchor or no alias and needs no check.
        ///
        /// `*` and `&` start an alias or an anchor only at the start of a token: after a
        /// blank, a line break, a flow indicator or `:`, `?`, `-`, quotes. Wherever else they
        /// stand (`dns.record/*`, `s3:*`, `a&b`) they are text. Treating a few such places as
        /// aliases too (`"*"`) costs only this check; missing a real alias is what must not
        /// happen, so the test is "not after a letter, a digit or one of / . _ ! < (tags)".
        init?(_ text: String) throws(Unmarkable) {
            // Most files hold no anchor: find out without copying anything.
            var hasAnchor = false
            var hasAlias = false
            var previous: Unicode.Scalar?
            for scalar in text.unicodeScalars {
                if scalar == "*" || scalar == "&", Self.startsToken(after: previous) {
                    if scalar == "*" { hasAlias = true } else { hasAnchor = true }
                    if hasAnchor && hasAlias { break }
                }
                previous = scalar
            }
            guard hasAnchor && hasAlias else { return nil }
            let scalars = Array(text.unicodeScalars)
            func startsToken(_ index: Int) -> Bool { Self.startsToken(after: index > 0 ? scalars[index - 1] : nil) }
            let present = Set(scalars.filter { $0.properties.generalCategory == .privateUse })
            let free = [0xE000...0xF8FF, 0xF0000...0xFFFFD, 0x100000...0x10FFFD].lazy.joined()
                .compactMap(Unicode.Scalar.init).filter { !present.contains($0) }
            guard let open = free.first, let close = free.dropFirst().first else { throw Unmarkable() }
            self.open = open
            self.close = close

            var copy = String.UnicodeScalarView()
            var added = 0
            var index = 0
            while index < scalars.count {
                let scalar = scalars[index]
                if "\n\r\u{85}\u{2028}\u{2029}".unicodeScalars.contains(scalar) { added = 0 }
                guard scalar == "*", startsToken(index) else {
                    copy.append(scalar)
                    index += 1
                    continue
                }
                shifts.append(added)
                copy.append(open)
                index += 1
                // libyaml's alias names: ASCII letters, digits, '_' and '-'.
                while index < scalars.count, YAMLAliasGuard.isNameCharacter(scalars[index]) {
                    copy.append(scalars[index])
                    index += 1
                }
                let number = "\(close)\(shifts.count - 1)"
                copy.append(contentsOf: number.unicodeScalars)
                added += number.unicodeScalars.count
                // `*a:b` in a flow collection is the key *a with the value b, but `Xa:b`
                // would be one plain scalar: keep the alias a scalar of its own.
                if index < scalars.count, scalars[index] == ":" || scalars[index] == "?" {
                    copy.append(" ")
                    added += 1
                }
            }
            self.text = String(copy)
        }

        static func startsToken(after previous: Unicode.Scalar?) -> Bool {
            guard let previous else { return true }
            return
                !(("a"..."z").contains(previous) || ("A"..."Z").contains(previous) || ("0"..."9").contains(previous)
                || "/._!<".unicodeScalars.contains(previous))
        }

        /// The name and number of the alias a scalar of the copy stands for, if it does.
        func alias(_ string: String) -> (name: String, number: Int)? {
            guard string.unicodeScalars.first == open else { return nil }
            let scalars = Array(string.unicodeScalars)
            guard scalars.first == open, let closing = scalars.firstIndex(of: close),
                let number = Int(String(String.UnicodeScalarView(scalars[(closing + 1)...]))),
                shifts.indices.contains(number)
            else { return nil }
            return (String(String.UnicodeScalarView(scalars[1..<closing])), number)
        }
    }

    static func isNameCharacter(_ scalar: Unicode.Scalar) -> Bool {
        scalar.isASCII
            && (("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar)
                || ("0"..."9").contains(scalar) || scalar == "_" || scalar == "-")
    }

    /// One pass over the alias-free copy, in the order Yams registers anchors: a node's
    /// anchor is set once the node is complete, a later anchor of the same name wins. The
    /// walk keeps its own stack: documents nest up to libyaml's limit of 1,000 levels, and
    /// this check must not be what runs a thread out of stack.
    private struct Walk {
        let file: String
        let copy: AliasFreeCopy
        var anchorSizes: [String: Int] = [:]
        var added = 0

        /// A collection being walked: its children (each with whether it sits in a mapping
        /// key), the next one to walk, and the expanded size so far.
        struct Frame {
            var node: Node
            var children: [(node: Node, inKey: Bool)]
            var next = 0
            var total = 1

            init(_ node: Node, inKey: Bool) {
                self.node = node
                switch node {
                case .sequence(let sequence): children = sequence.map { ($0, inKey) }
                case .mapping(let mapping): children = mapping.flatMap { [($0.key, true), ($0.value, inKey)] }
                case .scalar, .alias: children = []
                }
            }
        }

        /// Walks one document; why the file is refused, or nil. Sizes stay below the file's
        /// own node count plus `maxAddedNodes`: the walk stops there.
        mutating func check(_ document: Node) -> Diagnostic? {
            var stack: [Frame] = []
            var pending: [(node: Node, inKey: Bool)] = [(document, false)]
            while true {
                if let (node, inKey) = pending.popLast() {
                    if case .scalar = node {
                        let (size, refusal) = leaf(node, inKey: inKey)
                        if let refusal { return refusal }
                        complete(node, size, into: &stack)
                    } else {
                        stack.append(Frame(node, inKey: inKey))
                    }
                }
                guard let top = stack.indices.last else { return nil }
                if stack[top].next < stack[top].children.count {
                    pending.append(stack[top].children[stack[top].next])
                    stack[top].next += 1
                } else {
                    let frame = stack.removeLast()
                    complete(frame.node, frame.total, into: &stack)
                    if stack.isEmpty { return nil }
                }
            }
        }

        /// Records a finished node: its anchor's size, and its size in its parent's.
        mutating func complete(_ node: Node, _ size: Int, into stack: inout [Frame]) {
            if let anchor = node.anchor { anchorSizes[anchor.rawValue] = size }
            if let parent = stack.indices.last { stack[parent].total += size }
        }

        /// A scalar's expanded size: 1, or the size of the anchor an alias names.
        mutating func leaf(_ node: Node, inKey: Bool) -> (size: Int, refusal: Diagnostic?) {
            guard case .scalar(let scalar) = node, let (name, number) = copy.alias(scalar.string),
                let size = anchorSizes[name]
            else { return (1, nil) }
            if inKey && size > 1 {
                return (
                    size,
                    refuse(
                        node, number, "a mapping key here is an alias of a list or mapping; Plumb refuses it rather than expand it",
                        hint: "keys must be plain strings")
                )
            }
            added += size - 1
            if added > YAMLAliasGuard.maxAddedNodes {
                return (
                    size,
                    refuse(
                        node, number,
                        "YAML aliases would expand this file by more than \(YAMLAliasGuard.maxAddedNodes) nodes (an alias bomb, 'billion laughs'); it is refused rather than expanded",
                        hint: "write the repeated values out, or use fewer aliases of aliases")
                )
            }
            return (size, nil)
        }

        /// A diagnostic at the alias, where it stands in the text.
        func refuse(_ node: Node, _ number: Int, _ message: String, hint: String) -> Diagnostic {
            let column = (node.mark?.column ?? 1) - copy.shifts[number]
            return Diagnostic(.syntax, at: SourceLocation(file: file, line: node.mark?.line ?? 1, column: max(1, column)), message, hint: hint)
        }
    }
}
