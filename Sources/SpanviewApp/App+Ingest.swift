import SpanFormats
import SpanIngest
import SpanModel
import SpanStore
import SpanWidgets

/// Input that may still grow (a pipe, a followed file) while the viewer is open.
public struct LiveState: Sendable {
    /// Every live input has ended.
    public var ended = false
    /// Traces and spans evicted to stay under `App.maxSpans`.
    public var evictedTraces = 0
    public var evictedSpans = 0
    /// (time in seconds, live spans read so far), for the rate shown in the status line.
    var samples: [(Double, Int)] = []

    /// Spans per second over the last two seconds or so: 0 once input pauses that long.
    public var rate: Double {
        guard let first = samples.first, let last = samples.last, last.0 > first.0 else { return 0 }
        return Double(last.1 - first.1) / (last.0 - first.0)
    }

    mutating func sample(now: Double, spans: Int) {
        samples.append((now, spans))
        samples.removeAll { now - $0.0 > 2 }
    }
}

/// Files being read while the viewer is already open: what the progress bar shows.
public struct LoadProgress: Sendable {
    /// When the first batch came (seconds, the run loop's clock).
    public var started: Double?
    public var now: Double = 0

    /// Bytes read per second so far.
    func rate(done: Int64) -> Double {
        guard let started, now > started else { return 0 }
        return Double(done) / (now - started)
    }
}

extension App {
    /// Starts empty, for inputs still to be read: one status per source, in the order of
    /// their numbers in the inbox.
    public init(reading inputs: [InputStatus], width: Int, height: Int, glyphs: Glyphs = .unicode, useColor: Bool = true) {
        var loaded = LoadedInputs()
        loaded.inputs = inputs
        self.init(inputs: loaded, width: width, height: height, glyphs: glyphs, useColor: useColor)
        if inputs.contains(where: \.isLive) { live = LiveState() }
        if inputs.contains(where: { !$0.isLive && $0.end == nil }) { loading = LoadProgress() }
    }

    /// `T`: spanview's own spans join as one more live input (service `spanview`).
    mutating func showOwnSpans() {
        if ownSpansSource != nil {
            message = ("spanview's own spans are already an input (service spanview)", false)
            return
        }
        guard let open = openOwnSpans, let source = open() else {
            message = ("spanview's own spans are off (OTEL_SDK_DISABLED, or spanview started without them)", true)
            return
        }
        guard source == inputs.count else {
            message = ("spanview's own spans could not be added (source \(source), \(inputs.count) inputs)", true)
            return
        }
        inputs.append(InputStatus(name: "spanview (own spans)", isLive: true, isEphemeral: false))
        ownSpansSource = source
        if live == nil { live = LiveState() }
        message = ("spanview's own spans are now an input: its traces join the list as service spanview", false)
    }

    /// The same state for the terminal that opened: its size, and whether it shows colour.
    public func reopened(width: Int, height: Int, useColor: Bool) -> App {
        var app = self
        app.useColor = useColor
        app.resize(width: width, height: height)
        return app
    }

    /// Whether a live input (a pipe, a followed file) is still delivering.
    public var liveInputArriving: Bool { inputs.contains { $0.isLive && $0.end == nil } }
    /// Whether input that exists only in this process (a pipe) is still arriving: quitting
    /// would lose it, so `q` asks first.
    public var ephemeralInputArriving: Bool { inputs.contains { $0.isEphemeral && $0.end == nil } }

    /// Takes in what arrived. New traces join the list and new spans the open waterfall
    /// without moving the cursor or the scroll position, except that a cursor on the newest
    /// trace of live input follows new traces (like `tail -f`).
    public mutating func ingest(_ deliveries: [Inbox.Delivery], now: Double) {
        defer { refreshDetail() }
        var changed = Set<Int>()
        for delivery in deliveries where inputs.indices.contains(delivery.source) {
            for var batch in delivery.batches {
                if !batch.spans.isEmpty {
                    if loading != nil && loading?.started == nil { loading?.started = now }
                    changed.formUnion(store.insert(moving: &batch.spans))
                }
                let wasOpen = inputs[delivery.source].end == nil
                inputs[delivery.source].take(batch)
                appendLogs(batch.logLines)
                if let notice = batch.notices.last { message = (notice, false) }
                if wasOpen, let end = batch.end { inputEnded(delivery.source, end) }
            }
        }
        loading?.now = now
        if !changed.isEmpty { refreshList(changed) }
        evictIfNeeded()
        if var state = live {
            state.sample(now: now, spans: liveSpansRead)
            state.ended = !liveInputArriving
            live = state
        }
        if loading != nil && !inputs.contains(where: { !$0.isLive && $0.end == nil }) { finishLoading() }
    }

    /// Lets time pass with no input: the live rate falls to 0 when input pauses.
    public mutating func tick(now: Double) {
        loading?.now = now
        guard var state = live, !state.ended else { return }
        state.sample(now: now, spans: liveSpansRead)
        live = state
    }

    var liveSpansRead: Int { inputs.reduce(0) { $0 + ($1.isLive ? $1.stats.spans : 0) } }

    mutating func refreshList(_ changed: Set<Int>) {
        let keep = list.selectedTrace
        // Following the newest (tail -f) only while the list is what is on screen: under an
        // open trace, the list keeps the trace it was left on.
        // Newest first (S): the cursor stays on the first row, which is the newest.
        let newestFirst = list.sort == .start && list.reversed
        let atNewest = live != nil && screen == .list && overlay == nil && list.filter == nil && list.sort == .start
            && (list.count == 0 || list.selected == (newestFirst ? 0 : list.count - 1))
        list.refresh(store: store, changed: changed)
        refilter(changed: changed)
        if atNewest {
            list.selected = newestFirst ? 0 : max(0, list.count - 1)
        } else if listMoved || screen != .list {
            list.select(trace: keep)
        }
        keepListSelectionVisible()
        if var view = trace, changed.contains(view.traceIndex) {
            view.update(record: store.traces[view.traceIndex])
            trace = view
            keepSpanSelectionVisible()
        }
    }

    mutating func inputEnded(_ index: Int, _ end: InputEnd) {
        if let fetch = fetches.first(where: { $0.source == index }) { return fetchEnded(fetch, end) }
        let input = inputs[index]
        let name = inputs.count == 1 ? "input" : input.shortName
        if let failure = end.failure {
            message = ("\(name) failed: \(failure)", true)
        } else if input.isLive, input.problems.contains(where: { $0.reason.hasPrefix("truncated") }) {
            message = ("\(name) ended; its last value was cut off (p shows it)", false)
        }
    }

    /// Every file has been read: big traces are prepared, and a lone trace opens.
    mutating func finishLoading() {
        loading = nil
        let big = store.traces.indices.filter { store.traces[$0].spanCount >= Self.prepareAtStart && viewCache[$0] == nil }
        for index in big.prefix(64) { viewCache[index] = TraceView(record: store.traces[index], traceIndex: index) }
        if store.traceCount == 1 && screen == .list && overlay == nil && !listMoved && live == nil {
            open(trace: store.traces.startIndex)
        }
        if store.spanCount == 0 && live == nil {
            let reasons = inputs.compactMap { input in input.emptinessReason.map { "\(input.shortName) \($0)" } }
            message = (reasons.joined(separator: "; "), true)
        }
    }

    /// Keeps the store under `maxSpans` while live input arrives, by dropping the oldest
    /// whole traces. Trace indices are stable, so the rest of the state only loses what
    /// referred to the traces that went.
    mutating func evictIfNeeded() {
        guard live != nil, store.spanCount > maxSpans else { return }
        let gone = store.evictOldest(keepingAtMost: maxSpans)
        guard gone.traces > 0 else { return }
        viewCache = viewCache.filter { store.contains($0.key) }
        history.removeAll { !store.contains($0.traceIndex) }
        if let cache = detailCache, !store.contains(cache.key.traceIndex) { detailCache = nil }
        recentDetails.removeAll { !store.contains($0.key.traceIndex) }
        let keep = list.selectedTrace
        list.refresh(store: store, changed: [])
        if let keep, store.contains(keep) { list.select(trace: keep) }
        keepListSelectionVisible()
        if let view = trace, !store.contains(view.traceIndex) {
            trace = nil
            screen = .list
            message = ("the open trace was evicted (over --max-spans)", true)
        }
        live?.evictedTraces += gone.traces
        live?.evictedSpans += gone.spans
    }
}
