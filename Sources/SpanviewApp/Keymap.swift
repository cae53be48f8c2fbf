import SpanWidgets
import TerminalInput

/// One row of the key table: the keys, what they do, where, and the text `?` shows.
public struct KeyBinding: Sendable {
    public var keys: [Key]
    public var action: Action
    public var context: KeyContext
    public var help: String
}

/// The one table that both binds keys and feeds the `?` screen, so they cannot drift apart.
public enum Keymap {
    public static let bindings: [KeyBinding] = [
        KeyBinding(keys: [.control("c")], action: .quit, context: .global, help: "quit"),
        KeyBinding(keys: [.character("?"), .function(1)], action: .help, context: .global, help: "show every key"),
        KeyBinding(keys: [.character("p")], action: .showProblems, context: .global, help: "the inputs, their notices and the values that were skipped"),
        KeyBinding(keys: [.character("/")], action: .search, context: .global, help: "find a trace by ID (a prefix, 0x…, a traceparent, trace_id=…)"),
        KeyBinding(keys: [.character("R")], action: .searchBackend, context: .global, help: "search the backend (Tempo: TraceQL; Jaeger: service op=… k=v min=…); again: what it found"),
        KeyBinding(keys: [.character("L")], action: .showLogs, context: .global, help: "the input's log lines (Enter opens a trace a line names)"),
        KeyBinding(keys: [.character("w")], action: .saveInput, context: .global, help: "write the trace or the listed traces (x.otlp.jsonl, .stdouttrace.jsonl, .jaeger.json…)"),
        KeyBinding(keys: [.character("T")], action: .showOwnSpans, context: .global, help: "spanview's own spans, live, as one more input"),

        KeyBinding(keys: [.character("q")], action: .quit, context: .list, help: "quit"),
        KeyBinding(keys: [.character("j"), .down], action: .moveDown, context: .list, help: "next trace"),
        KeyBinding(keys: [.character("k"), .up], action: .moveUp, context: .list, help: "previous trace"),
        KeyBinding(keys: [.pageDown, .control("f"), .character(" ")], action: .pageDown, context: .list, help: "page down"),
        KeyBinding(keys: [.pageUp, .control("b")], action: .pageUp, context: .list, help: "page up"),
        KeyBinding(keys: [.character("g"), .home], action: .top, context: .list, help: "first trace"),
        KeyBinding(keys: [.character("G"), .end], action: .bottom, context: .list, help: "last trace"),
        KeyBinding(keys: [.enter, .character("l"), .right], action: .open, context: .list, help: "open the trace"),
        KeyBinding(keys: [.character("s")], action: .cycleSort, context: .list, help: "sort by start, duration, errors, spans"),
        KeyBinding(keys: [.character("S")], action: .reverseSort, context: .list, help: "the same sort the other way (newest first, smallest first)"),
        KeyBinding(keys: [.character("f")], action: .filterTraces, context: .list, help: "filter traces: service=… duration>500ms errors http.status_code>=500"),
        KeyBinding(keys: [.escape], action: .back, context: .list, help: "show all traces again after a search or filter"),

        KeyBinding(keys: [.character("j"), .down], action: .moveDown, context: .waterfall, help: "next span"),
        KeyBinding(keys: [.character("k"), .up], action: .moveUp, context: .waterfall, help: "previous span"),
        KeyBinding(keys: [.pageDown, .control("f")], action: .pageDown, context: .waterfall, help: "page down"),
        KeyBinding(keys: [.pageUp, .control("b")], action: .pageUp, context: .waterfall, help: "page up"),
        KeyBinding(keys: [.character("g"), .home], action: .top, context: .waterfall, help: "first span"),
        KeyBinding(keys: [.character("G"), .end], action: .bottom, context: .waterfall, help: "last span"),
        KeyBinding(keys: [.character(" ")], action: .toggleCollapse, context: .waterfall, help: "collapse or expand the subtree"),
        KeyBinding(keys: [.character("h"), .left], action: .collapse, context: .waterfall, help: "collapse (or go to the parent)"),
        KeyBinding(keys: [.character("l"), .right], action: .expand, context: .waterfall, help: "expand"),
        KeyBinding(keys: [.character("[")], action: .collapseAll, context: .waterfall, help: "collapse all"),
        KeyBinding(keys: [.character("]")], action: .expandAll, context: .waterfall, help: "expand all"),
        KeyBinding(keys: [.character("<")], action: .collapseLevel, context: .waterfall, help: "collapse the deepest level shown"),
        KeyBinding(keys: [.character(">")], action: .expandLevel, context: .waterfall, help: "expand one more level"),
        KeyBinding(keys: [.tab], action: .nextTab, context: .waterfall, help: "next detail tab"),
        KeyBinding(keys: [.character("1")], action: .selectTab(.attributes), context: .waterfall, help: "Attributes tab"),
        KeyBinding(keys: [.character("2")], action: .selectTab(.events), context: .waterfall, help: "Events tab"),
        KeyBinding(keys: [.character("3")], action: .selectTab(.errors), context: .waterfall, help: "Errors tab"),
        KeyBinding(keys: [.character("4")], action: .selectTab(.links), context: .waterfall, help: "Links tab"),
        KeyBinding(keys: [.character("J"), .control("d")], action: .detailDown, context: .waterfall, help: "scroll the detail pane down"),
        KeyBinding(keys: [.character("K"), .control("u")], action: .detailUp, context: .waterfall, help: "scroll the detail pane up"),
        KeyBinding(keys: [.character("}")], action: .detailBottom, context: .waterfall, help: "the detail pane's end (a long value's last lines)"),
        KeyBinding(keys: [.character("{")], action: .detailTop, context: .waterfall, help: "the detail pane's start"),
        KeyBinding(keys: [.character("e")], action: .nextError, context: .waterfall, help: "next error span"),
        KeyBinding(keys: [.character("E")], action: .previousError, context: .waterfall, help: "previous error span"),
        KeyBinding(keys: [.character("+"), .character("=")], action: .zoomIn, context: .waterfall, help: "zoom the time axis in around the span"),
        KeyBinding(keys: [.character("-")], action: .zoomOut, context: .waterfall, help: "zoom out"),
        KeyBinding(keys: [.character("0")], action: .zoomReset, context: .waterfall, help: "whole trace"),
        KeyBinding(keys: [.character("z")], action: .zoomToSpan, context: .waterfall, help: "zoom to fit the selected span"),
        KeyBinding(keys: [.character(",")], action: .panLeft, context: .waterfall, help: "pan the zoomed time window left"),
        KeyBinding(keys: [.character(".")], action: .panRight, context: .waterfall, help: "pan the zoomed time window right"),
        KeyBinding(keys: [.character("d")], action: .toggleDetail, context: .waterfall, help: "hide or show the detail pane"),
        KeyBinding(keys: [.character("D")], action: .resizeDetail, context: .waterfall, help: "make the detail pane larger (then small again)"),
        KeyBinding(keys: [.character("|")], action: .resizeNames, context: .waterfall, help: "name column wider, narrower, as it was"),
        KeyBinding(keys: [.character("/")], action: .searchSpans, context: .waterfall, help: "search the trace's spans: words, \"phrases\", key=value, span ID"),
        KeyBinding(keys: [.character("n")], action: .nextMatch, context: .waterfall, help: "next match (Links tab with no search: the next link)"),
        KeyBinding(keys: [.character("N")], action: .previousMatch, context: .waterfall, help: "previous match (Links tab with no search: the previous link)"),
        KeyBinding(keys: [.character("f")], action: .toggleFilterMatches, context: .waterfall, help: "show only the matches and their ancestors, or all spans"),
        KeyBinding(keys: [.character("c")], action: .toggleCriticalPath, context: .waterfall, help: "critical path on the bars, or off"),
        KeyBinding(keys: [.character(")")], action: .nextOnPath, context: .waterfall, help: "next span along the critical path"),
        KeyBinding(keys: [.character("(")], action: .previousOnPath, context: .waterfall, help: "previous span along the critical path"),
        KeyBinding(keys: [.character("S")], action: .showStatistics, context: .waterfall, help: "statistics by operation, service or attribute"),
        KeyBinding(keys: [.character("F")], action: .showFlameGraph, context: .waterfall, help: "flame graph (siblings of the same service and name merged)"),
        KeyBinding(keys: [.character("t")], action: .showSpansTable, context: .waterfall, help: "every span in a table, sortable"),
        KeyBinding(keys: [.enter], action: .open, context: .waterfall, help: "follow the chosen link (Links tab, n/N)"),
        KeyBinding(keys: [.escape, .backspace], action: .back, context: .waterfall, help: "clear the search; back (to the linking trace, or the list)"),
        KeyBinding(keys: [.character("q")], action: .backOrQuit, context: .waterfall, help: "back; quit if the input has only this trace"),

        KeyBinding(keys: [.character("j"), .down], action: .moveDown, context: .statistics, help: "next row"),
        KeyBinding(keys: [.character("k"), .up], action: .moveUp, context: .statistics, help: "previous row"),
        KeyBinding(keys: [.pageDown, .control("f"), .character(" ")], action: .pageDown, context: .statistics, help: "page down"),
        KeyBinding(keys: [.pageUp, .control("b")], action: .pageUp, context: .statistics, help: "page up"),
        KeyBinding(keys: [.character("g"), .home], action: .top, context: .statistics, help: "first row"),
        KeyBinding(keys: [.character("G"), .end], action: .bottom, context: .statistics, help: "last row"),
        KeyBinding(keys: [.character("o")], action: .nextSortColumn, context: .statistics, help: "sort by the next column"),
        KeyBinding(keys: [.character("r")], action: .reverseSort, context: .statistics, help: "sort the other way"),
        KeyBinding(keys: [.character("b")], action: .nextGrouping, context: .statistics, help: "group by operation, service"),
        KeyBinding(keys: [.character("B")], action: .groupByAttribute, context: .statistics, help: "group by an attribute key (http.route, db.system, ...)"),
        KeyBinding(keys: [.enter], action: .open, context: .statistics, help: "highlight the row's spans in the waterfall (n/N walk them)"),
        KeyBinding(keys: [.escape, .character("S"), .character("q"), .backspace], action: .back, context: .statistics, help: "back to the waterfall"),

        KeyBinding(keys: [.character("h"), .left], action: .previousSibling, context: .flameGraph, help: "the node to the left"),
        KeyBinding(keys: [.character("l"), .right], action: .nextSibling, context: .flameGraph, help: "the node to the right"),
        KeyBinding(keys: [.character("k"), .up], action: .moveUp, context: .flameGraph, help: "the parent"),
        KeyBinding(keys: [.character("j"), .down], action: .moveDown, context: .flameGraph, help: "the widest child"),
        KeyBinding(keys: [.enter, .character("+"), .character("=")], action: .zoomIn, context: .flameGraph, help: "zoom into the node"),
        KeyBinding(keys: [.character("-")], action: .zoomOut, context: .flameGraph, help: "zoom out a level"),
        KeyBinding(keys: [.character("0")], action: .zoomReset, context: .flameGraph, help: "the whole trace"),
        KeyBinding(keys: [.character("m")], action: .open, context: .flameGraph, help: "mark the node's spans in the waterfall (n/N walk them)"),
        KeyBinding(keys: [.escape, .character("F"), .character("q"), .backspace], action: .back, context: .flameGraph, help: "back to the waterfall"),

        KeyBinding(keys: [.character("j"), .down], action: .moveDown, context: .spans, help: "next span"),
        KeyBinding(keys: [.character("k"), .up], action: .moveUp, context: .spans, help: "previous span"),
        KeyBinding(keys: [.pageDown, .control("f"), .character(" ")], action: .pageDown, context: .spans, help: "page down"),
        KeyBinding(keys: [.pageUp, .control("b")], action: .pageUp, context: .spans, help: "page up"),
        KeyBinding(keys: [.character("g"), .home], action: .top, context: .spans, help: "first span"),
        KeyBinding(keys: [.character("G"), .end], action: .bottom, context: .spans, help: "last span"),
        KeyBinding(keys: [.character("o")], action: .nextSortColumn, context: .spans, help: "sort by start, duration, self time, name, service"),
        KeyBinding(keys: [.character("r")], action: .reverseSort, context: .spans, help: "sort the other way"),
        KeyBinding(keys: [.enter], action: .open, context: .spans, help: "go to the span in the waterfall"),
        KeyBinding(keys: [.escape, .character("t"), .character("q"), .backspace], action: .back, context: .spans, help: "back to the waterfall"),

        KeyBinding(keys: [.escape, .character("q"), .backspace], action: .back, context: .overlay, help: "close"),
        KeyBinding(keys: [.enter], action: .open, context: .overlay, help: "close (in the Logs view: open the trace the line names)"),
        KeyBinding(keys: [.character("g"), .home], action: .top, context: .overlay, help: "top"),
        KeyBinding(keys: [.character("G"), .end], action: .bottom, context: .overlay, help: "bottom"),
        KeyBinding(keys: [.character("j"), .down], action: .moveDown, context: .overlay, help: "scroll down"),
        KeyBinding(keys: [.character("k"), .up], action: .moveUp, context: .overlay, help: "scroll up"),
        KeyBinding(keys: [.pageDown, .character(" ")], action: .pageDown, context: .overlay, help: "page down"),
        KeyBinding(keys: [.pageUp], action: .pageUp, context: .overlay, help: "page up"),
    ]

    /// The action for `key` in `context` (the context's own bindings first, then global ones).
    public static func action(for key: Key, in context: KeyContext) -> Action? {
        if let binding = index[Lookup(context: context, key: key)] { return binding }
        return index[Lookup(context: .global, key: key)]
    }

    private struct Lookup: Hashable {
        let context: KeyContext
        let key: Key
    }

    private static let index: [Lookup: Action] = {
        var map: [Lookup: Action] = [:]
        for binding in bindings {
            for key in binding.keys where map[Lookup(context: binding.context, key: key)] == nil {
                map[Lookup(context: binding.context, key: key)] = binding.action
            }
        }
        return map
    }()

    /// Rows for the help screen: keys and what they do, by context.
    public static func helpLines() -> [StyledLine] {
        var lines: [StyledLine] = []
        for context in KeyContext.allCases {
            let rows = bindings.filter { $0.context == context }
            guard !rows.isEmpty else { continue }
            if !lines.isEmpty { lines.append(.blank) }
            lines.append(StyledLine(context.title, .init(.accent, [.bold])))
            for binding in rows {
                let keys = binding.keys.map(\.displayName).joined(separator: " ")
                let padded = keys.count >= 22 ? keys + " " : keys + String(repeating: " ", count: 22 - keys.count)
                lines.append(StyledLine([.init("  " + padded, .bold), .init(binding.help)]))
            }
        }
        lines.append(.blank)
        lines.append(StyledLine("Mouse: click a row to select it, the wheel scrolls, a click on a tab opens it.", .muted))
        return lines
    }
}
