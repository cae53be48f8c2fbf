import CellGrid
import SpanFormats
import SpanIngest
import SpanModel
import SpanStore
import SpanWidgets
import TraceLayout

/// Drawing the state. Only what is on screen is laid out: the visible list rows, the
/// visible waterfall rows, the visible part of the detail pane.
extension App {
    public func render() -> Grid {
        var grid = Grid(width: layout.width, height: layout.height)
        if layout.isTooSmall {
            let lines = ["Terminal too small", glyphs.text("\(layout.width)×\(layout.height); spanview needs \(ScreenLayout.minimumWidth)×\(ScreenLayout.minimumHeight)")]
            for (i, line) in lines.enumerated() {
                let y = layout.height / 2 - 1 + i
                grid.put(line, x: max(0, (layout.width - DisplayWidth.of(line)) / 2), y: y, style: i == 0 ? .bold : .muted)
            }
            return grid
        }
        switch overlay {
        case .logs:
            drawLogs(into: &grid)
        case .found:
            drawFound(into: &grid)
        case .some:
            drawOverlay(into: &grid)
        case nil:
            switch screen {
            case .list: drawList(into: &grid)
            case .trace: drawTrace(into: &grid)
            }
        }
        drawStatus(into: &grid)
        return grid
    }

    // MARK: - List

    func drawList(into grid: inout Grid) {
        if list.count == 0 {
            var waiting = "No traces."
            if let reading = inputs.first(where: { $0.end == nil }) {
                waiting = (reading.isLive ? "Waiting for spans on " : "Reading ") + reading.quotedName + glyphs.ellipsis
            } else if live != nil {
                waiting = "The input ended without a span."
            }
            grid.put(waiting, x: 2, y: 1, style: .muted, maxWidth: max(0, layout.width - 2))
            var y = 3
            for hint in emptyListHints {
                grid.put(TerminalText.escaped(hint), x: 2, y: y, style: .muted, maxWidth: max(0, layout.width - 2))
                y += 1
            }
            if let backendName {
                grid.put(glyphs.text("/ and a trace ID fetches it from \(backendName) · R searches it"), x: 2, y: y + (y > 3 ? 1 : 0), style: .muted)
            }
            return
        }
        let widget = TraceListWidget(entries: list.entries, order: list.order, selected: list.selected, top: list.top,
                                     sortColumn: list.sort.column, ascending: list.ascending, glyphs: glyphs)
        widget.render(in: layout.list, into: &grid)
    }

    // MARK: - Trace

    func drawTrace(into grid: inout Grid) {
        guard let view = trace else { return }
        traceHeader(view).render(in: Rect(x: 0, y: 0, width: layout.width, height: 1), into: &grid)
        if view.panel != .waterfall {
            drawPanel(view, into: &grid)
            return
        }
        WaterfallWidget(trace: view.waterfallTrace,
                        state: .init(topRow: view.topRow, selectedRow: view.selectedRow, collapsed: view.collapsed,
                                     window: view.window, showsAxis: true),
                        options: .init(glyphs: glyphs, useColor: useColor, foldMarkers: true,
                                       parentsMayArrive: live.map { !$0.ended } ?? false, barShare: barShare, eventMarks: true),
                        decorations: waterfallDecorations)
            .render(in: layout.waterfall, into: &grid)
        drawDetail(view, into: &grid)
    }

    func traceHeader(_ view: TraceView) -> TraceHeader {
        let record = store.traces[view.traceIndex]
        return TraceHeader(title: history.isEmpty ? "Trace " : "Trace (via link) ", traceID: record.traceID,
                           duration: record.duration, spanCount: record.spanCount, depth: view.tree.depthCount,
                           errorCount: record.errorCount, flags: view.figures.flags,
                           notes: view.window != nil ? ["zoomed"] : [], glyphs: glyphs)
    }

    func tabTitles(_ view: TraceView, counts: [Int]?) -> [(DetailTab, String)] {
        DetailTab.allCases.map { tab in
            let count = counts?[tab.rawValue] ?? 0
            return (tab, " \(tab.rawValue + 1) \(tab.title)\(count > 0 ? " \(count)" : "") ")
        }
    }

    func tabAt(x: Int, view: TraceView) -> DetailTab? {
        var column = 0
        for (tab, title) in tabTitles(view, counts: currentDetail(view)?.counts) {
            let w = DisplayWidth.of(title)
            if x >= column && x < column + w { return tab }
            column += w + 1
        }
        return nil
    }

    func drawDetail(_ view: TraceView, into grid: inout Grid) {
        let area = layout.detail
        guard area.height > 1, area.width > 4 else { return }
        if layout.detailBeside {
            for y in area.y..<(area.y + area.height) { grid.put(glyphs.rule, x: area.x - 1, y: y, style: .muted) }
        }
        // Laid out once per span, tab and width (`DetailCache`); only the visible lines are made.
        let detail = currentDetail(view)
        let (tabBar, body) = area.splitRows(top: 1)
        var x = 0
        for (tab, title) in tabTitles(view, counts: detail?.counts) {
            let active = tab == view.tab
            let hasErrors = tab == .errors && (detail?.counts[DetailTab.errors.rawValue] ?? 0) > 0
            let style = active ? Style(hasErrors ? .error : .default, background: .selection, [.bold])
                : Style(hasErrors ? .error : .muted)
            x += grid.put(title, x: x, y: 0, in: tabBar, style: style) + 1
        }
        grid.fill(glyphs.axisLine, x: x, y: 0, width: tabBar.width - x, in: tabBar, style: .muted)
        let text = body.inset(left: 1, right: 1)
        guard let detail else {
            if let placeholder = view.rows.placeholder(atRow: view.selectedRow) {
                let message = "\(placeholder.orphans.count) span\(placeholder.orphans.count == 1 ? "" : "s") below name \(placeholder.parentID.hex) as their parent, "
                    + (live.map { !$0.ended } ?? false
                        ? "which has not arrived yet. The Go SDK writes a span when it ends, so children come before their parents; they move under it when it comes."
                        : "which is not in the input.")
                for (i, line) in TextWrap.lines(message, width: text.width).prefix(text.height).enumerated() {
                    grid.put(line, x: 0, y: i, in: text, style: .muted)
                }
            } else {
                grid.put("No span selected.", x: 0, y: 0, in: text, style: .muted)
            }
            return
        }
        let lines = detail.lines
        let rows = body.height
        let scroll = max(0, min(view.detailScroll, max(0, lines.count - rows)))
        for (i, line) in lines.lines(scroll..<(scroll + rows)).enumerated() {
            line.render(in: text.row(i), into: &grid)
        }
        if lines.count > rows {
            // "+": a long value is laid out further as it is scrolled to.
            let label = " \(scroll + 1)-\(min(lines.count, scroll + rows))/\(lines.count)\(lines.isComplete ? "" : "+") J/K "
            grid.put(label, x: max(0, tabBar.width - DisplayWidth.of(label)), y: 0, in: tabBar, style: .muted)
        }
    }

    // MARK: - Overlays

    func overlayLines() -> [StyledLine] {
        switch overlay {
        case .help: return Keymap.helpLines().map(glyphs.text)
        case .logs, .found: return []
        case .problems:
            let problems = self.problems
            var lines = inputLines() + [.blank]
            if problems.isEmpty { return lines + [StyledLine("Nothing was skipped: every value read was a good span or other text.", .muted)] }
            lines += [StyledLine("\(problems.count) value\(problems.count == 1 ? " was" : "s were") skipped; the spans around them were kept.", .bold), .blank]
            for p in problems {
                lines.append(StyledLine([.init("\(p.source):\(p.line)", Style(.accent)), .init("  byte \(p.offset)", .muted)]))
                lines += TextWrap.lines(p.reason, width: max(1, layout.width - 6)).map { StyledLine("    " + $0) }
            }
            return lines
        case nil: return []
        }
    }

    /// Most of an input's notices the `p` view lists (the latest).
    static let noticesShown = 5

    /// One line per input: its name, format, counts and state; under it, its latest notices
    /// (a receiver's refused requests, a backend's partial answer).
    func inputLines() -> [StyledLine] {
        let width = min(40, inputs.map { DisplayWidth.of($0.shortName) }.max() ?? 0)
        return inputs.flatMap { input in
            [inputLine(input, nameWidth: width)] + input.notices.suffix(Self.noticesShown).flatMap { notice in
                TextWrap.lines(notice, width: max(1, layout.width - 8)).map { StyledLine("    " + $0, .muted) }
            }
        }
    }

    private func inputLine(_ input: InputStatus, nameWidth width: Int) -> StyledLine {
        var state = input.isLive ? "live" : "reading"
        if let p = input.progress, input.end == nil, !input.isLive { state = "reading, \(Int(p.fraction * 100))%" }
        if let end = input.end { state = end.failure.map { "failed: \($0)" } ?? (input.isLive ? "ended" : "read") }
        let name = input.shortName + String(repeating: " ", count: max(0, width - DisplayWidth.of(input.shortName)))
        let counts = glyphs.text("\(input.formatLabel) · \(input.stats.spans) spans · \(input.stats.nonJSONLines) log lines · \(input.stats.skipped) skipped · ")
        return StyledLine([.init(name, Style(.accent, [.bold])), .init("  " + counts, .plain),
                           .init(state, input.end?.failure != nil ? Style(.error) : .muted)])
    }

    func drawOverlay(into grid: inout Grid) {
        let area = layout.overlay
        let (titleBar, body) = area.splitRows(top: 1)
        let title = overlay == .help ? "Keys" : "Inputs and skipped values"
        grid.put(title, x: 1, y: 0, in: titleBar, style: Style(.accent, [.bold]))
        let lines = overlayLines()
        let rows = layout.overlayRows
        // Where the view is in a list longer than the screen, and how to move it.
        var note = "Esc closes"
        if lines.count > rows {
            let first = min(overlayScroll + 1, lines.count), last = min(lines.count, overlayScroll + rows)
            note = "lines \(first)-\(last) of \(lines.count), " + glyphs.scrollKeys + " to scroll · " + note
        }
        note = glyphs.text(note)
        grid.put(note, x: max(DisplayWidth.of(title) + 3, titleBar.width - DisplayWidth.of(note) - 1), y: 0, in: titleBar, style: .muted)
        let text = body.inset(left: 1, right: 1)
        for (i, line) in lines.dropFirst(overlayScroll).prefix(rows).enumerated() {
            line.render(in: text.row(i), into: &grid)
        }
    }

    // MARK: - Status line

    func drawStatus(into grid: inout Grid) {
        let y = layout.statusLine
        let bar = Style(.default, background: .selection)
        grid.fill(" ", x: 0, y: y, width: layout.width, style: bar)
        if let prompt {
            var x = grid.put(prompt.label, x: 0, y: y, style: Style(.accent, background: .selection, [.bold]))
            x += grid.put(prompt.text, x: x, y: y, style: Style(.default, background: .selection, [.bold]))
            grid.put(glyphs.cursor, x: x, y: y, style: Style(.accent, background: .selection))
            let hint = glyphs.text(prompt.hint)
            if x + 4 + DisplayWidth.of(hint) < layout.width {
                grid.put(hint, x: layout.width - DisplayWidth.of(hint) - 1, y: y, style: Style(.muted, background: .selection))
            }
            return
        }
        let right = position()
        let rightWidth = DisplayWidth.of(right)
        if let message {
            grid.put(glyphs.text(message.text), x: 1, y: y, style: Style(message.isError ? .error : .default, background: .selection, [.bold]),
                     maxWidth: layout.width - rightWidth - 3)
        } else if let loading {
            drawProgress(loading, into: &grid, y: y, width: layout.width - rightWidth - 2)
        } else if let footer = flameFooter {
            footer.render(in: Rect(x: 1, y: y, width: max(0, layout.width - rightWidth - 3), height: 1), into: &grid)
        } else {
            var x = 1
            for (text, style) in summaryParts() {
                x += grid.put(glyphs.text(text), x: x, y: y, style: style, maxWidth: max(0, layout.width - rightWidth - 2 - x))
            }
        }
        grid.put(right, x: max(0, layout.width - rightWidth - 1), y: y, style: Style(.muted, background: .selection))
    }

    func summaryParts() -> [(String, Style)] {
        let bar = Style(.default, background: .selection)
        let names = inputs.map(\.shortName)
        var parts: [(String, Style)] = []
        parts.append((names.count <= 2 ? names.joined(separator: ", ") : "\(names.count) inputs", Style(.default, background: .selection, [.bold])))
        if let live {
            if live.ended {
                let failed = inputs.contains { $0.end?.failure != nil }
                parts.append((failed ? " · input failed" : " · input ended", Style(failed ? .error : .muted, background: .selection, [.bold])))
            } else {
                parts.append((" · ● live \(Int(live.rate.rounded())) spans/s", Style(.ok, background: .selection, [.bold])))
            }
            if live.evictedTraces > 0 {
                parts.append((" · \(live.evictedTraces) old traces evicted", Style(.warning, background: .selection, [.bold])))
            }
        }
        var seen: [SpanFormat] = []
        for format in inputs.flatMap(\.formats) where !seen.contains(format) { seen.append(format) }
        // No format until one is seen (a receiver or pipe that has sent nothing yet).
        let formats = seen.isEmpty ? "" : " · " + SpanFormat.label(seen)
        parts.append((formats + " · \(store.traceCount) trace" + (store.traceCount == 1 ? "" : "s") + " · \(store.spanCount) spans", bar))
        let logLines = inputs.reduce(0) { $0 + $1.stats.nonJSONLines }
        if logLines > 0 { parts.append((" · \(logLines) log line" + (logLines == 1 ? "" : "s") + " (L)", bar)) }
        if let pending = pendingSearch {
            parts.append((" · searching for \(pending.query.description)\(glyphs.ellipsis) (Esc stops)", Style(.accent, background: .selection, [.bold])))
        }
        if let pending = pendingFilter {
            parts.append((" · filtering by \(pending.filter.description)\(glyphs.ellipsis) (Esc stops)", Style(.accent, background: .selection, [.bold])))
        } else if let traceFilter, screen == .list {
            parts.append((" · filter \(traceFilter.description): \(list.count) of \(store.traceCount) (f edits, Esc: all)", Style(.accent, background: .selection, [.bold])))
        } else if let filter = list.filter, screen == .list {
            parts.append((" · \(filter.count) search results (Esc: all)", Style(.accent, background: .selection, [.bold])))
        }
        if screen == .trace, let view = trace {
            if let search = view.search {
                let shown = search.filtering ? ", only these shown" : ""
                parts.append((" · \(search.label): \(search.matches.count) match\(search.matches.count == 1 ? "" : "es")\(shown) (n/N, f, Esc)",
                              Style(.accent, background: .selection, [.bold])))
            }
            if view.criticalPath != nil { parts.append((" · critical path ( )", Style(.accent, background: .selection, [.bold]))) }
        }
        let skipped = problems.count
        if skipped > 0 { parts.append((" · \(skipped) skipped (p)", Style(.warning, background: .selection, [.bold]))) }
        parts.append((" · ? keys", Style(.muted, background: .selection)))
        return parts
    }

    func position() -> String {
        if overlay == .logs { return logs.isEmpty ? "" : "line \(logSelected + 1)/\(logs.count)" }
        if overlay == .found, let found { return found.hits.isEmpty ? "" : "trace \(found.selected + 1)/\(found.hits.count)" }
        if overlay != nil { return "" }
        switch screen {
        case .list:
            return list.count == 0 ? "" : "trace \(list.selected + 1)/\(list.count)"
        case .trace:
            guard let view = trace else { return "" }
            switch view.panel {
            case .statistics:
                let count = view.statistics?.rows.count ?? 0
                return count == 0 ? "" : "row \(view.statsState.selectedRow + 1)/\(count)"
            case .spans:
                return "span \(view.spansState.selectedRow + 1)/\(view.tree.count)"
            case .flameGraph:
                return ""
            case .waterfall:
                break
            }
            var match = ""
            if let search = view.search, !search.matches.isEmpty {
                let here = view.selectedSpan.flatMap { s in search.matches.firstIndex(of: Int32(s)) }
                match = here.map { "match \($0 + 1)/\(search.matches.count) · " } ?? "\(search.matches.count) matches · "
            }
            return match + "span \(view.selectedRow + 1)/\(view.rows.count)" + (view.rows.count < view.tree.count ? " shown of \(view.tree.count)" : "")
        }
    }
}
