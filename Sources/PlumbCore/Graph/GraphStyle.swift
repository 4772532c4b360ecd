/// Colours of what a plan does, shared by every graph format: GitHub's own greens, ambers
/// and reds, so a diagram reads like the diff beside it.
enum GraphStyle {
    static func color(_ status: NetworkGraph.Status) -> String {
        switch status {
        case .created: return "#1a7f37"
        case .changed: return "#9a6700"
        case .deleted: return "#cf222e"
        }
    }

    static func fill(_ status: NetworkGraph.Status) -> String {
        switch status {
        case .created: return "#dafbe1"
        case .changed: return "#fff8c5"
        case .deleted: return "#ffebe9"
        }
    }

    static let legend = "green: created · amber: changed · red: deleted"
}
