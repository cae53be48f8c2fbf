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
        // Collapsed spans as a mask over indices, found through the ID table: reading each
        // visited span's ID instead would touch every span's memory (a cache miss apiece).
        var folded = [Bool](repeating: false, count: collapsed.isEmpty ? 0 : tree.count)
        for id in collapsed {
            if let index = tree.index(of: id) { folded[index] = true }
        }
        var stack: [Int32] = tree.roots.reversed()
        while let i = stack.popLast() {
            rowOfSpan[Int(i)] = Int32(rows.count)
            rows.append(i)
            if !folded.isEmpty && folded[Int(i)] { continue }
            let kids = tree.children(of: Int(i))
            stack.append(contentsOf: kids.reversed())
        }
        self.rows = rows
        self.rowOfSpan = rowOfSpan
    }
}
