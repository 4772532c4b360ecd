import Foundation

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// An XML element as a value: AWS answers are small documents read once, so a tree is
/// simpler than streaming. Names are local names: namespaces differ between AWS and
/// AWS-compatible servers (moto's EC2 namespace lacks AWS's trailing slash), so they are
/// ignored.
struct XMLElement: Sendable, Equatable {
    var name: String
    var attributes: [String: String] = [:]
    var children: [XMLElement] = []
    /// The element's own text, whitespace between child elements excluded.
    var text: String = ""

    /// The first child of that name.
    func child(_ name: String) -> XMLElement? { children.first { $0.name == name } }

    /// Every child of that name.
    func children(_ name: String) -> [XMLElement] { children.filter { $0.name == name } }

    /// The text of the first descendant along a path of child names, e.g. `"vpc", "vpcId"`.
    func value(_ path: String...) -> String? {
        var element = self
        for name in path {
            guard let next = element.child(name) else { return nil }
            element = next
        }
        return element.text
    }

    /// The `<item>` children of a child list (`<vpcSet><item>…</item></vpcSet>`), or the
    /// `<member>` children of an IAM list.
    func items(_ list: String) -> [XMLElement] {
        guard let container = child(list) else { return [] }
        return container.children.filter { $0.name == "item" || $0.name == "member" }
    }

    /// Every descendant of that name, depth first.
    func descendants(_ name: String) -> [XMLElement] {
        children.flatMap { ($0.name == name ? [$0] : []) + $0.descendants(name) }
    }

    /// Parses a whole document; nil when it is not well-formed XML.
    static func parse(_ data: Data) -> XMLElement? {
        let builder = TreeBuilder()
        let parser = XMLParser(data: data)
        parser.shouldProcessNamespaces = true
        // AWS never sends entities beyond the predefined ones; refusing external ones keeps
        // a hostile endpoint from reading local files.
        parser.shouldResolveExternalEntities = false
        parser.delegate = builder
        guard parser.parse(), parser.parserError == nil, let root = builder.root else { return nil }
        return root
    }
}

private final class TreeBuilder: NSObject, XMLParserDelegate {
    private var stack: [XMLElement] = []
    private var texts: [String] = []
    var root: XMLElement?

    func parser(
        _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
        qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]
    ) {
        stack.append(XMLElement(name: Self.localName(elementName), attributes: attributeDict))
        texts.append("")
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        guard !texts.isEmpty else { return }
        texts[texts.count - 1] += string
    }

    func parser(_ parser: XMLParser, foundCDATA CDATABlock: Data) {
        guard !texts.isEmpty else { return }
        texts[texts.count - 1] += String(decoding: CDATABlock, as: UTF8.self)
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?) {
        guard var element = stack.popLast(), let text = texts.popLast() else { return }
        element.text = element.children.isEmpty ? text : text.trimmingCharacters(in: .whitespacesAndNewlines)
        if stack.isEmpty {
            root = element
        } else {
            stack[stack.count - 1].children.append(element)
        }
    }

    private static func localName(_ name: String) -> String {
        guard let colon = name.lastIndex(of: ":") else { return name }
        return String(name[name.index(after: colon)...])
    }
}
