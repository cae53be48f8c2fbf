import CellGrid
import SpanAnalysis
import SpanModel
import SpanWidgets
import Tracing

/// Keys and drawing for a trace's other panels: statistics, flame graph, spans table.
extension App {
    /// Rows of a panel's table under its header.
    var panelRows: Int { max(1, panelArea.height - 1) }

    /// Where a panel goes: everything between the trace header and the status line.
    var panelArea: Rect { Rect(x: 0, y: 1, width: layout.width, height: max(0, layout.height - 2)) }

    mutating func performPanel(_ action: Action, on view: inout TraceView) {
        switch action {
        case .showStatistics, .showFlameGraph, .showSpansTable:
            let panel: TraceView.Panel = action == .showStatistics ? .statistics : action == .showFlameGraph ? .flameGraph : .spans
            let span = InstrumentationSystem.tracer.startSpan("open \(panel.title)", context: InstrumentationContext.current ?? .topLevel,
                                                              ofKind: .internal)
            defer {
                if span.isRecording { span.attributes["spans"] = view.tree.count }
                span.end()
            }
            view.panel = panel
            switch panel {
            case .statistics:
                let stats = view.currentStatistics()
                message = ("\(stats.rows.count) \(groupNoun(view.statsGrouping)) · o sorts, r reverses, b/B group, Enter marks its spans", false)
            case .flameGraph:
                _ = view.currentFlame()
                message = ("flame graph · h/l/j/k move, Enter zooms, - out, m marks the spans · Esc back", false)
            case .spans:
                let order = view.currentSpansOrder()
                if let selected = view.selectedSpan {
                    _ = view.spansState.select(span: Int32(selected), in: order, visibleRows: panelRows)
                }
                message = ("\(view.tree.count) spans · o sorts, r reverses, Enter goes to the span", false)
            case .waterfall:
                break
            }
            return
        case .back:
            view.panel = .waterfall
            return
        default:
            break
        }
        switch view.panel {
        case .statistics: performStatistics(action, on: &view)
        case .flameGraph: performFlame(action, on: &view)
        case .spans: performSpansTable(action, on: &view)
        case .waterfall: break
        }
    }

    func groupNoun(_ grouping: StatsGrouping) -> String {
        switch grouping {
        case .service: "services"
        case .operation: "operations"
        case .attribute(let key): "values of \(key)"
        }
    }

    /// The rows a cursor key moves a table of `count` rows by, or nil for other keys.
    func tableStep(_ action: Action, count: Int) -> Int? {
        switch action {
        case .moveDown: 1
        case .moveUp: -1
        case .pageDown: panelRows
        case .pageUp: -panelRows
        case .top: -count
        case .bottom: count
        default: nil
        }
    }

    mutating func performStatistics(_ action: Action, on view: inout TraceView) {
        let count = view.currentStatistics().rows.count
        if let step = tableStep(action, count: count) {
            view.statsState.move(by: step, rowCount: count, visibleRows: panelRows)
            return
        }
        switch action {
        case .nextSortColumn:
            let all = StatsColumn.allCases.filter { column in
                // No service column to sort by when grouped by an attribute's value.
                if case .attribute = view.statsGrouping, column == .service { return false }
                if view.statsGrouping == .service, column == .name { return false }
                return true
            }
            let next = all[((all.firstIndex(of: view.statsState.sortColumn) ?? -1) + 1) % all.count]
            view.statsState.sort(by: next)
            view.statsState.selectedRow = 0
            view.statsState.topRow = 0
            message = ("sorted by \(next.rawValue), \(view.statsState.ascending ? "smallest" : "largest") first", false)
        case .reverseSort:
            view.statsState.sort(by: view.statsState.sortColumn)
            view.statsState.selectedRow = 0
            view.statsState.topRow = 0
            message = ("sorted by \(view.statsState.sortColumn.rawValue), \(view.statsState.ascending ? "smallest" : "largest") first", false)
        case .nextGrouping:
            view.statsGrouping = view.statsGrouping == .operation ? .service : .operation
            view.statsState.selectedRow = 0
            view.statsState.topRow = 0
            if view.statsState.sortColumn == .name && view.statsGrouping == .service { view.statsState = .init() }
            message = ("\(view.currentStatistics().rows.count) \(groupNoun(view.statsGrouping))", false)
        case .groupByAttribute:
            prompt = Prompt(kind: .groupBy, text: { if case .attribute(let key) = view.statsGrouping { return key } else { return "" } }())
        case .open:
            let stats = view.currentStatistics().sorted(by: view.statsState.sortColumn, ascending: view.statsState.ascending)
            guard view.statsState.selectedRow < stats.rows.count else { return }
            let row = stats.rows[view.statsState.selectedRow]
            let name = StatsTableWidget.name(of: row, grouping: view.statsGrouping)
            let spans = view.spans(of: row)
            view.panel = .waterfall
            view.setHighlight(spans, label: name)
            if let number = view.goToMatch(forward: true, including: true) {
                message = ("\(spans.count) span\(spans.count == 1 ? "" : "s") of \(name) marked · match \(number) · n/N walk them, f only them, Esc clears", false)
            }
        default:
            break
        }
    }

    /// Groups the statistics by an attribute key (`B`, then Enter).
    mutating func groupStatistics(byAttribute key: String) {
        guard var view = trace else { return }
        let key = key.trimmingCharacters(in: .whitespaces)
        view.statsGrouping = key.isEmpty ? .operation : StatsGrouping(key)
        view.statsState = .init()
        let rows = view.currentStatistics().rows.count
        trace = view
        message = ("\(rows) \(groupNoun(view.statsGrouping))", false)
    }

    mutating func performFlame(_ action: Action, on view: inout TraceView) {
        var (graph, state) = view.currentFlame()
        var moved = true
        switch action {
        case .moveUp: moved = state.selectParent(in: graph)
        case .moveDown: moved = state.selectFirstChild(in: graph)
        case .previousSibling: moved = state.selectPreviousSibling(in: graph)
        case .nextSibling: moved = state.selectNextSibling(in: graph)
        case .zoomIn: moved = state.zoomIn(in: graph)
        case .zoomOut: moved = state.zoomOut(in: graph)
        case .zoomReset: state.resetZoom()
        case .open:
            let spans = Array(graph.spans(of: state.selected))
            let label = FlameGraphWidget.label(graph.nodes[state.selected], isRoot: state.selected == FlameGraph.root)
            view.panel = .waterfall
            view.setHighlight(spans, label: label)
            if let number = view.goToMatch(forward: true, including: true) {
                message = ("\(spans.count) span\(spans.count == 1 ? "" : "s") of \(label) marked · match \(number) · n/N walk them, Esc clears", false)
            }
        default:
            moved = false
        }
        if !moved && action != .open { message = ("nothing there", false) }
        state.scrollToSelection(in: graph, height: panelArea.height)
        view.flame = (graph, state)
    }

    mutating func performSpansTable(_ action: Action, on view: inout TraceView) {
        let order = view.currentSpansOrder()
        let count = order.count
        if let step = tableStep(action, count: count) {
            view.spansState.move(by: step, rowCount: count, visibleRows: panelRows)
            return
        }
        switch action {
        case .nextSortColumn, .reverseSort:
            let keep = view.spansState.selectedSpan(in: order)
            if action == .reverseSort {
                view.spansState.sort(by: view.spansState.sortKey)
            } else {
                let all = SpansTableWidget.SortKey.allCases
                view.spansState.sort(by: all[((all.firstIndex(of: view.spansState.sortKey) ?? -1) + 1) % all.count])
            }
            view.spansOrder = nil
            let newOrder = view.currentSpansOrder()
            if let keep { _ = view.spansState.select(span: keep, in: newOrder, visibleRows: panelRows) }
            message = ("sorted by \(view.spansState.sortKey.rawValue), \(view.spansState.ascending ? "ascending" : "descending")", false)
        case .open:
            guard let span = view.spansState.selectedSpan(in: order) else { return }
            view.panel = .waterfall
            view.reveal(Int(span))
        default:
            break
        }
    }

    // MARK: - Drawing

    func drawPanel(_ view: TraceView, into grid: inout Grid) {
        var view = view
        let area = panelArea
        switch view.panel {
        case .statistics:
            StatsTableWidget(stats: view.currentStatistics(), state: view.statsState, options: .init(glyphs: glyphs))
                .render(in: area, into: &grid)
        case .flameGraph:
            let (graph, state) = view.currentFlame()
            FlameGraphWidget(graph: graph, state: state, options: .init(glyphs: glyphs, useColor: useColor))
                .render(in: area, into: &grid)
        case .spans:
            SpansTableWidget(trace: .init(tree: view.tree, selfTimes: view.analysis.selfTimes, start: view.figures.traceStart,
                                          longestService: view.figures.longestService), order: view.currentSpansOrder(),
                             state: view.spansState, options: .init(glyphs: glyphs))
                .render(in: area, into: &grid)
        case .waterfall:
            break
        }
    }

    /// The flame graph's selected node in words, for the status line.
    var flameFooter: StyledLine? {
        guard let view = trace, view.panel == .flameGraph, let flame = view.flame else { return nil }
        return FlameGraphWidget.tooltip(flame.graph, node: flame.state.selected, glyphs: glyphs)
    }
}
