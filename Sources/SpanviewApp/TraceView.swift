import SpanAnalysis
import SpanModel
import SpanQuery
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
    /// Self times, the critical path, statistics and the flame graph of this tree, each
    /// computed when first asked for.
    public private(set) var analysis: TraceAnalysis

    /// What is shown below the header: the waterfall, or statistics, the flame graph, the
    /// spans table (`TraceView+Panels.swift`).
    public var panel = Panel.waterfall
    /// Statistics: the grouping (`b`, `B`), the table's cursor and sort, the rows (kept).
    public var statsGrouping = StatsGrouping.operation
    public var statsState = StatsTableWidget.State()
    var statistics: TraceStatistics?
    /// The flame graph and its zoom and selection (kept).
    public internal(set) var flame: (graph: FlameGraph, state: FlameGraphWidget.State)?
    /// The spans table's cursor and sort, and its row order (kept until the sort changes).
    public var spansState = SpansTableWidget.State()
    var spansOrder: [Int32]?

    /// The span search (`/` on a trace) and what it found.
    public private(set) var search: SpanSearchState?
    /// Whether the critical path is drawn on the bars (`c`), and its spans in path order.
    public private(set) var criticalPath: CriticalPathState?

    /// A span search's results, kept per tree (recomputed when new spans arrive).
    public struct SpanSearchState: Sendable {
        /// The query; nil for spans picked another way (a statistics row's).
        public var query: SpanSearch?
        /// What the matches are, for the status line (the query as typed, or the row's name).
        public var label: String
        /// Matching spans in display order (depth first).
        public var matches: [Int32]
        /// The same as a set, for the waterfall's highlight.
        public var highlighted: Set<Int32>
        /// Which match `n`/`N` are at, or nil before the first.
        public var current: Int?
        /// Only the matches and their ancestors are listed (`f`).
        public var filtering = false
    }

    /// The critical path as the waterfall draws it, and in path order for walking it.
    public struct CriticalPathState: Sendable {
        /// The parts of each span's time on the path.
        public var parts: [Int32: [Range<Int64>]]
        /// Spans on the path in the order the path meets them (a span met twice, once).
        public var order: [Int32]
        /// Where `)` and `(` are on it.
        public var current: Int?
        /// The root's duration, and the path's time spent in each span.
        public var onPath: [Int64]
    }

    public struct Figures: Sendable {
        public var fullWindow: (start: Int64, end: Int64)
        public var traceStart: Int64
        /// Spans per flag, for the header.
        public var flags: FlagCounts
        public var longestService: Int
        public var errors: Int
        /// Error spans in each span's subtree, for what a folded row hides.
        public var subtreeErrors: [Int32]

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
            subtreeErrors = errors == 0 ? [Int32](repeating: 0, count: tree.count) : WaterfallWidget.Trace.subtreeErrors(tree)
        }
    }

    public init(record: TraceRecord, traceIndex: Int) {
        self.traceIndex = traceIndex
        tree = TraceTree(record)
        rows = VisibleRows(tree: tree)
        figures = Figures(tree)
        analysis = TraceAnalysis(tree)
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
                              longestService: figures.longestService, subtreeErrors: figures.subtreeErrors)
    }

    // MARK: - Collapsing

    public mutating func setCollapsed(_ ids: Set<SpanID>) {
        let keep = selectedSpan
        collapsed = ids
        rebuildRows()
        if let keep { reveal(keep) }
    }

    /// The rows for what is collapsed and, while a search filters, only its matches and
    /// their ancestors.
    mutating func rebuildRows() {
        var only: [Bool]?
        if let search, search.filtering { only = SpanSearch.withAncestors(search.matches, in: tree) }
        rows = VisibleRows(tree: tree, collapsed: collapsed, only: only)
    }

    /// Collapses the spans at the deepest level shown (`expandingOne: false`), or shows one
    /// level more (`true`): Jaeger UI's Collapse +1 and Expand +1. Returns the levels now
    /// shown, or nil when every level is.
    public mutating func setLevel(expandingOne: Bool) -> Int? {
        // The levels shown now: one more than the deepest span whose children are listed.
        var shown = 1
        for row in rows.rows where row >= 0 {
            let i = Int(row)
            if tree.hasChildren(i) && !collapsed.contains(tree.spans[i].spanID) { shown = max(shown, Int(tree.depth[i]) + 2) }
        }
        let levels = expandingOne ? shown + 1 : max(1, shown - 1)
        let tree = self.tree
        var ids = Set<SpanID>()
        for i in tree.spans.indices where tree.hasChildren(i) && Int(tree.depth[i]) + 1 >= levels {
            ids.insert(tree.spans[i].spanID)
        }
        setCollapsed(ids)
        return levels >= tree.depthCount ? nil : levels
    }

    // MARK: - Span search

    /// Runs `query` over the tree: its matches highlighted, the cursor left where it is.
    /// `found`: the matches, when they were worked out elsewhere (on a thread of their own).
    public mutating func setSearch(_ query: SpanSearch?, found: [Int32]? = nil) {
        guard let query else {
            let wasFiltering = search?.filtering ?? false
            search = nil
            if wasFiltering { keepSelection { $0.rebuildRows() } }
            return
        }
        let matches = found ?? query.matches(in: tree)
        let filtering = search?.filtering ?? false
        search = SpanSearchState(query: query, label: "/" + query.description, matches: matches, highlighted: Set(matches),
                                 current: nil, filtering: filtering)
        if filtering { keepSelection { $0.rebuildRows() } }   // else the rows are as they were
    }

    /// Highlights `spans` as if a search had found them (a statistics row's spans), under
    /// `label`; `n`/`N` and `f` work on them as on matches.
    public mutating func setHighlight(_ spans: [Int32], label: String) {
        let position = displayPositions(of: spans)
        let matches = spans.sorted { position[Int($0)] < position[Int($1)] }
        let filtering = search?.filtering ?? false
        search = SpanSearchState(query: nil, label: label, matches: matches, highlighted: Set(matches), current: nil,
                                 filtering: filtering)
        if filtering { keepSelection { $0.rebuildRows() } }
    }

    /// Shows only the matches and their ancestors, or everything again.
    public mutating func setFiltering(_ on: Bool) {
        guard search != nil, search?.filtering != on else { return }
        search?.filtering = on
        keepSelection { $0.rebuildRows() }
    }

    /// Goes to the next (or previous) match after the cursor (at or after it, `including`),
    /// wrapping; returns its number (1-based) or nil when there are none.
    public mutating func goToMatch(forward: Bool, including: Bool = false) -> Int? {
        guard var state = search, !state.matches.isEmpty else { return nil }
        let n = state.matches.count
        let next: Int
        if let current = state.current, selectedSpan.map({ Int32($0) }) == state.matches[current] {
            next = ((current + (forward ? 1 : -1)) % n + n) % n
        } else {
            // From the cursor: the first match at or after it in display order (or before, backwards).
            let order = displayPositions(of: state.matches)
            let here = selectedSpan.map { order[$0] } ?? -1
            if forward {
                next = state.matches.firstIndex { order[Int($0)] > here || (including && order[Int($0)] == here) } ?? 0
            } else {
                next = state.matches.lastIndex { order[Int($0)] < here } ?? n - 1
            }
        }
        state.current = next
        search = state
        reveal(Int(state.matches[next]))
        return next + 1
    }

    /// Positions in display order for comparing `spans`: their rows when all of them are
    /// listed (no pass over the tree), else every span's place in depth-first order.
    func displayPositions(of spans: [Int32]) -> [Int32] {
        guard spans.allSatisfy({ rows.rowOfSpan[Int($0)] >= 0 }) else { return depthFirstPositions().map { Int32($0) } }
        return rows.rowOfSpan
    }

    /// Each span's position in depth-first display order.
    func depthFirstPositions() -> [Int] {
        var position = [Int](repeating: 0, count: tree.count)
        for (i, span) in depthFirstOrder().enumerated() where span >= 0 { position[Int(span)] = i }
        return position
    }

    // MARK: - Critical path

    /// Draws the critical path on the bars, or stops.
    public mutating func setCriticalPath(_ on: Bool) {
        guard on else { criticalPath = nil; return }
        let path = analysis.criticalPath
        var parts: [Int32: [Range<Int64>]] = [:]
        var order: [Int32] = []
        var seen = Set<Int32>()
        for segment in path.segments where segment.end > segment.start {
            let span = Int32(segment.span)
            parts[span, default: []].append(segment.start..<segment.end)
            if seen.insert(span).inserted { order.append(span) }
        }
        criticalPath = CriticalPathState(parts: parts, order: order, current: nil, onPath: path.onPath)
    }

    /// Goes to the next (or previous) span along the critical path; returns its number.
    public mutating func walkCriticalPath(forward: Bool) -> Int? {
        guard var state = criticalPath, !state.order.isEmpty else { return nil }
        let n = state.order.count
        let next: Int
        if let current = state.current, selectedSpan.map({ Int32($0) }) == state.order[current] {
            next = min(max(0, current + (forward ? 1 : -1)), n - 1)
        } else {
            next = selectedSpan.flatMap { s in state.order.firstIndex(of: Int32(s)) } ?? (forward ? 0 : n - 1)
        }
        state.current = next
        criticalPath = state
        reveal(Int(state.order[next]))
        return next + 1
    }

    /// Runs `change`, then puts the cursor back on the span it was on (if still listed).
    mutating func keepSelection(_ change: (inout TraceView) -> Void) {
        let keep = selectedSpan
        change(&self)
        if let keep, rows.rowOfSpan[keep] >= 0 { selectedRow = Int(rows.rowOfSpan[keep]) }
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
            rebuildRows()
        }
        if rows.rowOfSpan[index] < 0, search?.filtering == true {
            // Filtered out: show everything again rather than lose the span.
            search?.filtering = false
            rebuildRows()
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
        figures = Figures(tree)
        analysis = TraceAnalysis(tree)
        if let query = search?.query {
            // A query runs again over the new spans; picked spans keep their indices (a
            // record's spans keep theirs as spans arrive).
            let matches = query.matches(in: tree)
            search?.matches = matches
            search?.highlighted = Set(matches)
            search?.current = nil
        }
        statistics = nil
        spansOrder = nil
        if let old = flame {
            // The same zoom and selection where the merged nodes still are.
            let graph = analysis.flameGraph
            var state = old.state
            if state.zoom >= graph.nodes.count { state.zoom = FlameGraph.root }
            if state.selected >= graph.nodes.count { state.selected = state.zoom }
            flame = (graph, state)
        }
        switch panel {
        case .statistics: _ = currentStatistics()
        case .spans: _ = currentSpansOrder()
        case .flameGraph, .waterfall: break
        }
        if criticalPath != nil { setCriticalPath(true) }
        rebuildRows()
        if let keep, let index = record.index(of: keep) { selectedRow = max(0, Int(rows.rowOfSpan[index])) }
    }
}
