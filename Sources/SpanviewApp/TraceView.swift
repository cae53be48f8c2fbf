import SpanModel
import SpanStore
import SpanWidgets
import TraceLayout
import CellGrid

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
    /// The link Enter follows (Links tab; `n`/`N`), by position in the selected span's links.
    public var selectedLink = 0

    /// Figures of the whole tree, computed once per tree (a frame must not walk every span).
    public private(set) var figures: Figures

    public struct Figures: Sendable {
        public var fullWindow: (start: Int64, end: Int64)
        public var traceStart: Int64
        /// Spans per flag, for the header.
        public var flags: FlagCounts
        public var longestService: Int
        public var errors: Int

        init(_ tree: TraceTree) {
            var start = Int64.max, end = Int64.min
            var longest = 0
            var seen = Set<ObjectIdentifier>()
            var last: ObjectIdentifier?
            var errors = 0
            let spans = tree.spans
            for i in spans.indices {
                let (s, e) = (spans[i].startTime, spans[i].endTime)
                if s != Timestamp.unknown { start = min(start, s) }
                if e != Timestamp.unknown { end = max(end, e) }
                if spans[i].status.code == .error { errors += 1 }
                let resource = ObjectIdentifier(spans[i].resource)
                if resource != last, seen.insert(resource).inserted {
                    longest = max(longest, DisplayWidth.of(TerminalText.escaped(spans[i].serviceName ?? "")))
                }
                last = resource
            }
            traceStart = start == Int64.max ? Timestamp.unknown : start
            fullWindow = start == Int64.max || end == Int64.min ? (0, 1) : (start, max(end, start + 1))
            flags = FlagCounts(tree)
            longestService = longest
            self.errors = errors
        }
    }

    public init(record: TraceRecord, traceIndex: Int) {
        self.traceIndex = traceIndex
        tree = TraceTree(record)
        rows = VisibleRows(tree: tree)
        figures = Figures(tree)
    }

    public var selectedSpan: Int? {
        rows.span(atRow: selectedRow)
    }

    /// The whole trace's time range (earliest known start, latest known end).
    public var fullWindow: (start: Int64, end: Int64) { figures.fullWindow }

    public var currentWindow: (start: Int64, end: Int64) { window ?? fullWindow }

    /// What the waterfall widget draws from (figures computed once per tree, not per frame).
    public var waterfallTrace: WaterfallWidget.Trace {
        WaterfallWidget.Trace(tree: tree, rows: rows, start: figures.traceStart, end: figures.fullWindow.end,
                              longestService: figures.longestService)
    }

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
        VisibleRows(tree: tree, groupOrphans: false).rows
    }

    /// Replaces the tree after new spans arrived, keeping the cursor on the same span.
    public mutating func update(record: TraceRecord) {
        let keep = selectedSpan.map { tree.spans[$0].spanID }
        tree = TraceTree(record)
        rows = VisibleRows(tree: tree, collapsed: collapsed)
        figures = Figures(tree)
        if let keep, let index = record.index(of: keep) { selectedRow = max(0, Int(rows.rowOfSpan[index])) }
    }
}
