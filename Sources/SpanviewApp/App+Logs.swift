import CellGrid
import SpanFormats
import SpanIngest
import SpanModel
import SpanWidgets

/// The Logs view (`L`): the lines of the input that were not spans, with a cursor; a line
/// that names a loaded trace (32 hex digits, as in `trace_id=…`) opens it with Enter.
extension App {
    mutating func performLogs(_ action: Action) {
        let rows = layout.overlayRows
        switch action {
        case .back: overlay = nil; return
        case .moveDown: logSelected += 1
        case .moveUp: logSelected -= 1
        case .pageDown: logSelected += rows
        case .pageUp: logSelected -= rows
        case .top: logSelected = 0
        case .bottom: logSelected = logs.count - 1
        case .open:
            guard logSelected < logs.count else { return }
            guard let id = logs[logSelected].traceID else {
                message = ("this line names no trace", false)
                return
            }
            guard let index = store.index(of: id) else {
                message = ("trace \(id.hex) is not in the input (yet)", true)
                return
            }
            overlay = nil
            history = []
            list.setFilter(nil)
            open(trace: index)
            message = ("opened the trace this log line names · L goes back to the logs", false)
            return
        default: break
        }
        logSelected = max(0, min(logSelected, logs.count - 1))
        if logSelected < overlayScroll { overlayScroll = logSelected }
        if logSelected >= overlayScroll + rows { overlayScroll = logSelected - rows + 1 }
    }

    /// New log lines from live input; the cursor follows the end while it is there.
    mutating func appendLogs(_ lines: [LogLine]) {
        guard !lines.isEmpty else { return }
        let following = logSelected >= logs.count - 1
        logs += lines
        let excess = logs.count - LogLines.maxKept
        if excess > 0 {
            logs.removeFirst(excess)
            logSelected = max(0, logSelected - excess)
            overlayScroll = max(0, overlayScroll - excess)
        }
        if following {
            logSelected = max(0, logs.count - 1)
            overlayScroll = max(0, logs.count - layout.overlayRows)
        }
    }

    func drawLogs(into grid: inout Grid) {
        let area = layout.overlay
        grid.put("Log lines", x: 1, y: area.y, style: Style(.accent, [.bold]))
        let stillArriving = inputs.contains { $0.isLive && $0.end == nil }
        let none = stillArriving ? "none yet" : (inputs.count == 1 ? "the input has no log lines" : "the inputs have no log lines")
        let note = glyphs.text(logs.isEmpty ? none + " · Esc closes" : "\(logs.count) line\(logs.count == 1 ? "" : "s") · Enter opens a named trace · Esc closes")
        grid.put(note, x: max(12, area.width - DisplayWidth.of(note) - 1), y: area.y, style: .muted)
        for row in 0..<layout.overlayRows {
            let n = overlayScroll + row
            guard n < logs.count else { break }
            let log = logs[n]
            let y = area.y + 1 + row
            let selected = n == logSelected
            let base = selected ? Style(.default, background: .selection, [.bold]) : Style.plain
            if selected { grid.fill(" ", x: 0, y: y, width: area.width, style: base) }
            let linked = log.traceID.map { store.index(of: $0) != nil } ?? false
            // With several inputs, each line says which it came from.
            let source = log.source == "-" ? "stdin" : (log.source.split(separator: "/").last.map(String.init) ?? log.source)
            let place = inputs.count > 1 ? "\(source):\(log.line)" : String(log.line)
            var x = grid.put(place.leftPadded(6) + " ", x: 0, y: y, style: Style(.muted, background: base.background))
            if linked { x += grid.put(glyphs.link, x: x, y: y, style: Style(.accent, background: base.background, [.bold])) } else { x += 1 }
            grid.put(" " + log.text, x: x, y: y, style: base, maxWidth: area.width - x)
        }
    }
}

extension String {
    func leftPadded(_ n: Int) -> String { count >= n ? self : String(repeating: " ", count: n - count) + self }
}
