import SpanWidgets

/// Everything a user can ask the viewer to do. Keys map to actions through `Keymap`.
public enum Action: Hashable, Sendable {
    case quit, back, help, showProblems, showLogs
    /// Back, or quit when there is nothing to go back to but a list of this one trace.
    case backOrQuit
    /// The link Enter follows on the Links tab.
    case nextLink, previousLink
    case moveUp, moveDown, pageUp, pageDown, top, bottom
    case open
    case search
    /// `R`: search the trace backend (TraceQL in Tempo), or show what it found.
    case searchBackend
    case saveInput
    case showOwnSpans
    case cycleSort, reverseSort
    /// `f` on the list: filter traces by an expression.
    case filterTraces
    /// `/` on a trace: search its spans; `n`/`N` go through the matches (on the Links tab
    /// without a search, through the links); `f` shows only matches and their ancestors.
    case searchSpans, nextMatch, previousMatch, toggleFilterMatches
    /// `z` zooms to fit the selected span; `,` and `.` pan the zoomed window.
    case zoomToSpan, panLeft, panRight
    /// `<` and `>`: one level less or more of the tree shown (Jaeger's Collapse +1, Expand +1).
    case collapseLevel, expandLevel
    /// `d` hides or shows the detail pane; `D` makes it larger (then small again).
    case toggleDetail, resizeDetail
    /// `|` makes the name column wider, then narrower, then as it was.
    case resizeNames
    /// `S`, `F`, `t` on a trace: statistics, the flame graph, the spans table (the same key,
    /// or Esc, back to the waterfall).
    case showStatistics, showFlameGraph, showSpansTable
    /// In the tables: the next column to sort by (`o`); the grouping of statistics (`b`), or
    /// an attribute key to group by (`B`).
    case nextSortColumn, nextGrouping, groupByAttribute
    /// In the flame graph: the sibling to the left or right.
    case previousSibling, nextSibling
    /// `c` draws the critical path on the bars; `)` and `(` walk along it.
    case toggleCriticalPath, nextOnPath, previousOnPath
    case toggleCollapse, collapse, expand, collapseAll, expandAll
    case nextTab, selectTab(DetailTab)
    case nextError, previousError
    case zoomIn, zoomOut, zoomReset
    case detailDown, detailUp, detailTop, detailBottom
}

/// Where a key is pressed: bindings apply in one context, or everywhere (`global`).
public enum KeyContext: Hashable, Sendable, CaseIterable {
    case global, list, waterfall, statistics, flameGraph, spans, overlay

    public var title: String {
        switch self {
        case .global: "Everywhere"
        case .list: "Trace list"
        case .waterfall: "Waterfall"
        case .statistics: "Statistics (S on a trace)"
        case .flameGraph: "Flame graph (F on a trace)"
        case .spans: "Spans table (t on a trace)"
        case .overlay: "Help, problems, log lines, found traces"
        }
    }
}
