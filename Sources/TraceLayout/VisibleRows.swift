import SpanModel
import SpanStore

/// The spans of a tree in display order (depth first, children by start time), leaving
/// out the descendants of collapsed spans. Computed once per tree and collapse change
/// (O(n)); drawing a frame then only looks at the rows on screen.
public struct VisibleRows: Sendable {
    /// Span indices, top to bottom.
    public let rows: [Int32]
    /// Row of each span index, or -1 if hidden under a collapsed ancestor.
    public let rowOfSpan: [Int32]

    public var count: Int { rows.count }

    public init(tree: TraceTree, collapsed: Set<SpanID> = []) {
        var rows: [Int32] = []
        rows.reserveCapacity(tree.count)
        var rowOfSpan = [Int32](repeating: -1, count: tree.count)
        var stack: [Int32] = tree.roots.reversed()
        while let i = stack.popLast() {
            rowOfSpan[Int(i)] = Int32(rows.count)
            rows.append(i)
            if !collapsed.isEmpty && collapsed.contains(tree.spans[Int(i)].spanID) { continue }
            let kids = tree.children(of: Int(i))
            stack.append(contentsOf: kids.reversed())
        }
        self.rows = rows
        self.rowOfSpan = rowOfSpan
    }
}
