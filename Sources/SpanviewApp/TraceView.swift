import SpanModel
import SpanStore
import SpanWidgets
import TraceLayout

/// One open trace: its tree, what is collapsed, the cursor, the zoom and the detail pane.
public struct TraceView: Sendable {
    public let traceIndex: Int
    public private(set) var tree: TraceTree
    public private(set) var rows: VisibleRows
    public private(set) var collapsed: Set<SpanID> = []
    public var selectedRow = 0
    public var topRow = 0
    /// The zoomed time window, or nil for the whole trace.
    public var window: (start: Int64, end: Int64)?
    public var tab = DetailTab.attributes
    public var detailScroll = 0

    public init(record: TraceRecord, traceIndex: Int) {
        self.traceIndex = traceIndex
        tree = TraceTree(record)
        rows = VisibleRows(tree: tree)
    }

    public var selectedSpan: Int? {
        selectedRow >= 0 && selectedRow < rows.count ? Int(rows.rows[selectedRow]) : nil
    }

    /// The whole trace's time range (earliest known start, latest known end).
    public var fullWindow: (start: Int64, end: Int64) {
        var start = Int64.max, end = Int64.min
        for span in tree.spans {
            if span.startTime != Timestamp.unknown { start = min(start, span.startTime) }
            if span.endTime != Timestamp.unknown { end = max(end, span.endTime) }
        }
        if start == Int64.max || end == Int64.min { return (0, 1) }
        return (start, max(end, start + 1))
    }

    public var currentWindow: (start: Int64, end: Int64) { window ?? fullWindow }

    // MARK: - Collapsing

    public mutating func setCollapsed(_ ids: Set<SpanID>) {
        let keep = selectedSpan
        collapsed = ids
        rows = VisibleRows(tree: tree, collapsed: collapsed)
        if let keep { reveal(keep) }
    }

    /// Selects span `index`, expanding its ancestors if they hide it.
    public mutating func reveal(_ index: Int) {
        if rows.rowOfSpan[index] < 0 {
            var ids = collapsed
            var p = Int(tree.parent[index])
            while p >= 0 {
                ids.remove(tree.spans[p].spanID)
                p = Int(tree.parent[p])
            }
            collapsed = ids
            rows = VisibleRows(tree: tree, collapsed: collapsed)
        }
        selectedRow = max(0, Int(rows.rowOfSpan[index]))
    }

    /// Every span in depth-first display order, ignoring collapse (for error navigation).
    func depthFirstOrder() -> [Int32] {
        VisibleRows(tree: tree).rows
    }

    /// Replaces the tree after new spans arrived, keeping the cursor on the same span.
    public mutating func update(record: TraceRecord) {
        let keep = selectedSpan.map { tree.spans[$0].spanID }
        tree = TraceTree(record)
        rows = VisibleRows(tree: tree, collapsed: collapsed)
        if let keep, let index = record.index(of: keep) { selectedRow = max(0, Int(rows.rowOfSpan[index])) }
    }
}
