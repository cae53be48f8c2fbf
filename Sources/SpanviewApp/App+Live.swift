import SpanFormats
import SpanModel
import SpanStore
import SpanviewKit
import SpanWidgets

/// Spans arriving while the viewer is open (`go run . | spanview`).
public struct LiveState: Sendable {
    public var ended = false
    /// Traces and spans evicted to stay under `App.maxSpans`.
    public var evictedTraces = 0
    public var evictedSpans = 0
    public var error: String?
    /// (time in seconds, spans seen so far), for the rate shown in the status line.
    var samples: [(Double, Int)] = []

    /// Spans per second over the last two seconds or so.
    public var rate: Double {
        guard let first = samples.first, let last = samples.last, last.0 > first.0 else { return 0 }
        return Double(last.1 - first.1) / (last.0 - first.0)
    }
}

extension App {
    /// Keeps the store under `maxSpans` by dropping the oldest whole traces; the list, the
    /// open trace and the caches follow (by trace ID, since trace indices shift).
    mutating func evictIfNeeded() {
        guard store.spanCount > maxSpans else { return }
        let openID = trace.map { store.traces[$0.traceIndex].traceID }
        let selectedID = list.selectedTrace.map { store.traces[$0].traceID }
        let gone = store.evictOldest(keepingAtMost: maxSpans)
        guard gone.traces > 0 else { return }
        viewCache = [:]
        detailCache = nil   // trace indices shift
        recentDetails = []
        history = []
        let top = list.top
        list = TraceList(store: store)
        list.top = top
        list.select(trace: selectedID.flatMap { store.index(of: $0) })
        keepListSelectionVisible()
        if let openID {
            if let index = store.index(of: openID), let view = trace {
                var moved = TraceView(record: store.traces[index], traceIndex: index)
                moved.setCollapsed(view.collapsed)
                moved.selectedRow = view.selectedRow
                moved.topRow = view.topRow
                moved.tab = view.tab
                moved.window = view.window
                trace = moved
            } else {
                trace = nil
                screen = .list
                message = ("the open trace was evicted (over --max-spans)", true)
            }
        }
        if var state = live {
            state.evictedTraces += gone.traces
            state.evictedSpans += gone.spans
            live = state
        }
    }

    /// Starts empty, for input that is still to come on `source`.
    public init(liveSource source: String, width: Int, height: Int, glyphs: Glyphs = .unicode, useColor: Bool = true) {
        var inputs = LoadedInputs()
        inputs.files = [InputFile(path: source, format: "unknown", stats: ReadStats(), problems: [])]
        self.init(inputs: inputs, width: width, height: height, glyphs: glyphs, useColor: useColor)
        live = LiveState()
    }

    /// Takes in what arrived. New traces join the list and new spans the open waterfall,
    /// without moving the cursor or the scroll position.
    public mutating func ingest(_ update: consuming LiveFeed.Update, now: Double) {
        defer { refreshDetail() }
        var spans: [Span] = []
        swap(&spans, &update.spans)   // unshared, so the store moves the spans out, not copies
        let changed = store.insert(moving: &spans)
        if !changed.isEmpty {
            let keep = list.selectedTrace
            list.refresh(store: store, changed: changed)
            list.select(trace: keep)
            keepListSelectionVisible()
            if var view = trace, changed.contains(view.traceIndex) {
                view.update(record: store.traces[view.traceIndex])
                trace = view
                keepSpanSelectionVisible()
            }
        }
        evictIfNeeded()
        appendLogs(update.logLines)
        if let notice = update.notices.last { message = (notice, false) }
        if !inputs.isEmpty {
            inputs[0].stats = update.stats
            inputs[0].problems += update.problems
            if !update.formats.isEmpty { inputs[0].format = update.formats.joined(separator: "+") }
        }
        if var state = live {
            state.samples.append((now, update.stats.spans))
            state.samples.removeAll { now - $0.0 > 2 }
            if update.ended && !state.ended {
                state.ended = true
                state.error = update.error
                let truncated = update.problems.contains { $0.reason.hasPrefix("truncated") }
                message = (update.error.map { "input failed: \($0)" }
                           ?? "input ended" + (truncated ? "; its last value was cut off (p shows it)" : ""), update.error != nil)
            }
            live = state
        }
    }
}
