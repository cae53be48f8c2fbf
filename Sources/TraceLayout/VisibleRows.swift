import SpanModel
import SpanStore

/// The spans of a tree in display order (depth first, children by start time), leaving
/// out the descendants of collapsed spans. Computed once per tree and collapse change
/// (O(n)); drawing a frame then only looks at the rows on screen.
///
/// Spans whose parent is missing are gathered under a placeholder row for that parent
/// ("waiting for parent …" while input is live): the Go SDK writes children before their
/// parents, so in a live view this is the normal state until the parent arrives.
public struct VisibleRows: Sendable {
    /// A missing parent, shown as a row with the spans that name it below.
    public struct Placeholder: Hashable, Sendable {
        public var parentID: SpanID
        /// Top-level orphans waiting for it, by start time.
        public var orphans: [Int32]
    }

    /// Top to bottom: a span index, or `-(k + 1)` for `placeholders[k]`.
    public let rows: [Int32]
    /// Row of each span index, or -1 if hidden under a collapsed ancestor.
    public let rowOfSpan: [Int32]
    public let placeholders: [Placeholder]
    /// For each top-level orphan under a placeholder: whether it is the last there.
    private let lastInGroup: [Int32: Bool]

    public var count: Int { rows.count }

    /// - Parameter only: when given (one flag per span), just the spans it marks are shown
    ///   (a search's matches with their ancestors, so each shown span's parent is shown too);
    ///   a span it leaves out hides its subtree.
    public init(tree: TraceTree, collapsed: Set<SpanID> = [], groupOrphans: Bool = true, only: [Bool]? = nil) {
        let only = only.flatMap { $0.count == tree.count ? $0 : nil }
        var rows: [Int32] = []
        rows.reserveCapacity(tree.count)
        var rowOfSpan = [Int32](repeating: -1, count: tree.count)
        // Collapsed spans as a mask over indices, found through the ID table: reading each
        // visited span's ID instead would touch every span's memory (a cache miss apiece).
        var folded = [Bool](repeating: false, count: collapsed.isEmpty ? 0 : tree.count)
        for id in collapsed {
            if let index = tree.index(of: id) { folded[index] = true }
        }

        // Top-level items: roots, and one placeholder per missing parent where its first
        // orphan would be.
        var tops: [Int32] = []
        var placeholders: [Placeholder] = []
        var groupOf: [SpanID: Int] = [:]
        for root in tree.roots {
            if let only, !only[Int(root)] { continue }
            guard groupOrphans && tree.flags[Int(root)].contains(.orphan) else {
                tops.append(root)
                continue
            }
            let parentID = tree.spans[Int(root)].parentSpanID
            if let k = groupOf[parentID] {
                placeholders[k].orphans.append(root)
            } else {
                groupOf[parentID] = placeholders.count
                tops.append(-Int32(placeholders.count) - 1)
                placeholders.append(Placeholder(parentID: parentID, orphans: [root]))
            }
        }
        var lastInGroup: [Int32: Bool] = [:]
        for p in placeholders {
            for (n, orphan) in p.orphans.enumerated() { lastInGroup[orphan] = n == p.orphans.count - 1 }
        }

        var stack: [Int32] = tops.reversed()
        while let item = stack.popLast() {
            if item < 0 {
                rows.append(item)
                stack.append(contentsOf: placeholders[Int(-item - 1)].orphans.reversed())
                continue
            }
            rowOfSpan[Int(item)] = Int32(rows.count)
            rows.append(item)
            if !folded.isEmpty && folded[Int(item)] { continue }
            if let only {
                for child in tree.children(of: Int(item)).reversed() where only[Int(child)] { stack.append(child) }
            } else {
                stack.append(contentsOf: tree.children(of: Int(item)).reversed())
            }
        }
        self.rows = rows
        self.rowOfSpan = rowOfSpan
        self.placeholders = placeholders
        self.lastInGroup = lastInGroup
    }

    /// The span on a row, or nil for a placeholder row.
    public func span(atRow row: Int) -> Int? {
        row >= 0 && row < rows.count && rows[row] >= 0 ? Int(rows[row]) : nil
    }

    /// The placeholder on a row, if it is one.
    public func placeholder(atRow row: Int) -> Placeholder? {
        row >= 0 && row < rows.count && rows[row] < 0 ? placeholders[Int(-rows[row] - 1)] : nil
    }

    /// The tree guides for span `index`, one level deeper under a placeholder.
    public func guides(for index: Int, in tree: TraceTree) -> [Guide] {
        let own = tree.guides(for: index)
        guard !lastInGroup.isEmpty else { return own }
        var top = index
        while tree.parent[top] >= 0 { top = Int(tree.parent[top]) }
        guard let isLast = lastInGroup[Int32(top)] else { return own }
        if top == index { return [isLast ? .corner : .tee] }
        return [isLast ? .blank : .vertical] + own
    }

    /// Whether span `index` is a top-level span shown under a placeholder.
    public func isUnderPlaceholder(_ index: Int) -> Bool { lastInGroup[Int32(index)] != nil }
}
