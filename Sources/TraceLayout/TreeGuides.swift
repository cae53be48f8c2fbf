import SpanStore

/// One column pair of the tree drawing to the left of a span's name.
public enum Guide: Hashable, Sendable {
    /// Nothing: the ancestor at this level has no later siblings.
    case blank
    /// `│`: the ancestor at this level has later siblings.
    case vertical
    /// `├─`: this span has later siblings.
    case tee
    /// `└─`: this span is its parent's last child.
    case corner
}

extension TraceTree {
    /// Whether span `index` is the last of its parent's children (or the last top-level span).
    public func isLastChild(_ index: Int) -> Bool {
        let p = parent[index]
        if p < 0 { return roots.last == Int32(index) }
        return children(of: Int(p)).last == Int32(index)
    }

    /// The guides for span `index`, one per level below the top: O(depth).
    public func guides(for index: Int) -> [Guide] {
        let d = Int(depth[index])
        guard d > 0 else { return [] }
        var guides = [Guide](repeating: .blank, count: d)
        guides[d - 1] = isLastChild(index) ? .corner : .tee
        var ancestor = Int(parent[index])
        var level = d - 2
        while level >= 0 && ancestor >= 0 {
            guides[level] = isLastChild(ancestor) ? .blank : .vertical
            ancestor = Int(parent[ancestor])
            level -= 1
        }
        return guides
    }
}
