import SpanFormats
import SpanIngest
import SpanModel
import SpanQuery
import SpanStore
import SpanviewKit
import SpanWidgets
import TerminalInput
import Tracing

/// The viewer's whole state and the one place it changes: `handle(_:)` takes a key,
/// `render()` draws the current state into a grid. No terminal in sight, so scripted key
/// sessions test the viewer exactly as a user drives it.
public struct App: Sendable {
    public enum Screen: Sendable { case list, trace }
    public enum Overlay: Sendable { case help, problems, logs, found }

    public internal(set) var store: TraceStore
    /// Each input's name, formats, totals, problems and progress, by source number.
    public internal(set) var inputs: [InputStatus]
    /// The inputs' log lines (the last 10,000), and the cursor in the Logs view.
    public internal(set) var logs: [LogLine]
    public internal(set) var logSelected = 0
    public internal(set) var screen = Screen.list
    public internal(set) var overlay: Overlay?
    public internal(set) var overlayScroll = 0
    public internal(set) var list: TraceList
    public internal(set) var trace: TraceView?
    /// Traces left by following links, to come back to.
    public internal(set) var history: [TraceView] = []
    /// Opened (or prepared) traces, kept so opening again is instant and keeps the cursor,
    /// collapsed subtrees and zoom. Traces of 20,000 spans or more are prepared at start.
    var viewCache: [Int: TraceView] = [:]
    static let prepareAtStart = 20_000
    /// The selected span's detail pane, laid out (see `DetailCache`), and the last few
    /// before it (so Tab and back, or j and k, do not lay a long value out again).
    var detailCache: DetailCache?
    var recentDetails: [DetailCache] = []
    static let recentDetailCount = 3
    /// Set by `}` for `refreshDetail`: after laying out more, show the new end.
    var detailToEnd = false
    /// How many times a detail pane was laid out from scratch (for tests).
    var detailLayouts = 0
    /// Work units (`WrappedText`: about a byte of ASCII text each) that one key may spend
    /// laying out long values: 3 to 4 MB of ASCII text, 0.7 MB of CJK; the rest of a longer
    /// value is laid out this much at a time as it is scrolled to, so no key waits on a whole
    /// huge value (docs/benchmarks.md).
    public var layoutBudget = App.defaultLayoutBudget
    /// The prompt at the bottom while it is open: a trace ID, a span search, a trace filter,
    /// or a file to save to.
    public internal(set) var prompt: Prompt?
    /// The trace list's filter expression (`f`), while one is applied.
    public internal(set) var traceFilter: TraceFilter?
    /// A filter still being worked out on its own thread (one that reads every span of a big
    /// store), and the traces that changed meanwhile (tested again when it is done).
    var pendingFilter: (filter: TraceFilter, job: BackgroundJob<[Int]>, changed: Set<Int>)?
    /// Filters that read spans go to a thread of their own from this many spans in the store.
    public var backgroundFilterFrom = 200_000
    /// A span search of a big trace still being worked out on its own thread.
    var pendingSearch: (traceIndex: Int, version: Int, query: SpanSearch, job: BackgroundJob<[Int32]>)?
    /// Span searches go to a thread of their own from this many spans in the trace.
    public var backgroundSearchFrom = 75_000
    public internal(set) var message: (text: String, isError: Bool)?
    /// The terminal's size, clamped to `maximumSize` (a grid is drawn for every frame: a
    /// terminal that reports 65535 columns, or a `COLUMNS` that says more, must not cost
    /// gigabytes; what lies beyond is left blank).
    public internal(set) var size: (width: Int, height: Int)
    /// The largest grid the viewer draws.
    public static let maximumSize = (width: 1000, height: 1000)
    /// Where things go on screen now (the split depends on the open trace's rows).
    public var layout: ScreenLayout {
        ScreenLayout(width: size.width, height: size.height, spanRows: trace?.rows.count, detailSize: detailSize)
    }
    /// The detail pane's size (`D`), or hidden (`d`).
    public internal(set) var detailSize = ScreenLayout.DetailSize.normal
    /// The size it had before `d` hid it.
    var shownDetailSize = ScreenLayout.DetailSize.normal
    /// The waterfall's bar share of its width (`|` cycles it: the name column gets the rest).
    public internal(set) var barShare = WaterfallColumns.defaultBarShare
    static let barShares = [WaterfallColumns.defaultBarShare, 0.25, 0.55]
    public internal(set) var wantsQuit = false
    /// Set while reading input that is still being written.
    public internal(set) var live: LiveState?
    /// Set while files are still being read (the progress bar).
    public internal(set) var loading: LoadProgress?
    /// The user has moved the list's cursor (until then it stays on the first row while
    /// traces are read in; after, on the trace it is on).
    var listMoved = false
    /// `q` was pressed while live input was still arriving; the next `q` quits.
    var quitArmed = false
    /// Starts spanview's own spans as one more input (`T`): its source number in the inbox,
    /// or nil if self-tracing is off. Set by the executable, which owns the inbox and tracer.
    public var openOwnSpans: (@Sendable () -> Int?)?
    /// The source number of spanview's own spans once `T` opened them.
    public internal(set) var ownSpansSource: Int?
    /// Lines the empty trace list shows under "Waiting for spans…", set by the executable
    /// (how to send spans to `--listen`'s receiver).
    public var emptyListHints: [String] = []
    /// The trace backend `/` asks for an ID that is not loaded (`useBackend`), as said to the
    /// user (`Tempo at http://tempo:3200`), and how a fetch is started.
    public internal(set) var backendName: String?
    var fetchTrace: (@Sendable (TraceID) -> Int)?
    /// Fetches started by `/`, oldest first.
    var fetches: [Fetch] = []
    /// `R`: how the backend is searched, what the prompt says of the query, the last query, a
    /// search under way and what the last one found.
    var backendSearch: BackendSearch?
    var backendSearchHint = ""
    var lastBackendQuery = ""
    var pendingBackendSearch: (query: String, job: BackgroundJob<Result<[TraceHit], BackendSearchFailure>>)?
    var found: Found?
    /// `w`'s writing, on its own thread, and what to say when it is done.
    var pendingExport: (job: BackgroundJob<Result<ExportResult, InputError>>, done: String, target: String)?
    /// Saves live input received so far to a path (`w`): the bytes saved, or why not.
    public var saveInput: (@Sendable (String) -> Result<Int64, InputError>)?
    /// Spans kept while input is live; the oldest whole traces go beyond it (`--max-spans`).
    public var maxSpans = 1_000_000
    public let glyphs: Glyphs
    public internal(set) var useColor: Bool

    public init(inputs: LoadedInputs, width: Int, height: Int, glyphs: Glyphs = .unicode, useColor: Bool = true) {
        store = inputs.store
        self.inputs = inputs.inputs
        logs = inputs.logs.lines
        list = TraceList(store: inputs.store)
        size = Self.clamped(width: width, height: height)
        self.glyphs = glyphs
        self.useColor = useColor
        let big = store.traces.indices.filter { store.traces[$0].spanCount >= Self.prepareAtStart }
        for index in big.prefix(64) { viewCache[index] = TraceView(record: store.traces[index], traceIndex: index) }
        if store.traceCount == 1 { open(trace: store.traces.startIndex) }
        refreshDetail()
    }

    static func clamped(width: Int, height: Int) -> (width: Int, height: Int) {
        (min(max(0, width), maximumSize.width), min(max(0, height), maximumSize.height))
    }

    public var problems: [ReadProblem] { inputs.flatMap(\.problems) }

    var context: KeyContext {
        if overlay != nil { return .overlay }
        if screen == .list { return .list }
        switch trace?.panel ?? .waterfall {
        case .waterfall: return .waterfall
        case .statistics: return .statistics
        case .flameGraph: return .flameGraph
        case .spans: return .spans
        }
    }

    // MARK: - Input

    public mutating func handle(_ key: Key) {
        defer { refreshDetail() }
        if case .resize(let width, let height) = key {
            resize(width: width, height: height)
            return
        }
        if prompt != nil {
            handlePrompt(key)
            return
        }
        if case .mouse(let event) = key {
            handleMouse(event)
            return
        }
        message = nil
        guard let action = Keymap.action(for: key, in: context) else {
            quitArmed = false
            if key != .escape { message = ("\(key.displayName) does nothing here; ? lists the keys", false) }
            return
        }
        perform(action)
    }

    public mutating func resize(width: Int, height: Int) {
        defer { refreshDetail() }
        size = Self.clamped(width: width, height: height)
        keepListSelectionVisible()
        keepSpanSelectionVisible()
    }

    public mutating func perform(_ action: Action) {
        defer { refreshDetail() }
        if action != .quit && action != .backOrQuit { quitArmed = false }
        switch action {
        case .quit:
            if ephemeralInputArriving && !quitArmed {
                quitArmed = true
                let names = inputs.filter { $0.isEphemeral && $0.end == nil }.map(\.shortName).joined(separator: ", ")
                message = ("input is still arriving on \(names): w saves it to a file · q again quits", true)
            } else {
                wantsQuit = true
            }
        case .saveInput: askSave()
        case .help: overlay = .help; overlayScroll = 0
        case .showProblems: overlay = .problems; overlayScroll = 0
        case .showLogs:
            overlay = .logs
            logSelected = max(0, logs.count - 1)
            overlayScroll = max(0, logs.count - layout.overlayRows)
        case .search: prompt = Prompt(kind: .search, text: "")
        case .searchBackend: askBackendSearch()
        case .showOwnSpans: showOwnSpans()
        default:
            if overlay != nil { performOverlay(action) } else if screen == .list { performList(action) } else { performTrace(action) }
        }
    }

    mutating func performOverlay(_ action: Action) {
        let rows = layout.overlayRows
        if overlay == .logs {
            performLogs(action)
            return
        }
        if overlay == .found {
            performFound(action)
            return
        }
        switch action {
        case .back, .open: overlay = nil
        case .top: overlayScroll = 0
        case .bottom: overlayScroll = overlayLines().count
        case .moveDown: overlayScroll += 1
        case .moveUp: overlayScroll = max(0, overlayScroll - 1)
        case .pageDown: overlayScroll += rows
        case .pageUp: overlayScroll = max(0, overlayScroll - rows)
        default: break
        }
        overlayScroll = min(overlayScroll, max(0, overlayLines().count - rows))
    }

    mutating func performList(_ action: Action) {
        let page = layout.listRows
        if [.moveDown, .moveUp, .pageDown, .pageUp, .top, .bottom, .cycleSort].contains(action) { listMoved = true }
        switch action {
        case .moveDown: list.selected += 1
        case .moveUp: list.selected -= 1
        case .pageDown: list.selected += page
        case .pageUp: list.selected -= page
        case .top: list.selected = 0
        case .bottom: list.selected = list.count - 1
        case .cycleSort: list.cycleSort(); message = ("sorted by \(list.sortLabel) · S reverses", false)
        case .reverseSort: list.reverseSort(); message = ("sorted by \(list.sortLabel)", false)
        case .filterTraces: prompt = Prompt(kind: .filter, text: traceFilter?.description ?? "")
        case .open: if let index = list.selectedTrace { open(trace: index) }
        case .back:
            if let pending = pendingBackendSearch {
                pending.job.cancel()
                pendingBackendSearch = nil
                message = ("search stopped", false)
            } else if let pending = pendingFilter {
                pending.job.cancel()
                pendingFilter = nil
                message = ("filter stopped", false)
            } else if list.filter != nil {
                list.setFilter(nil)
                traceFilter = nil
            }
        default: break
        }
        list.selected = max(0, min(list.selected, list.count - 1))
        keepListSelectionVisible()
    }

    mutating func keepListSelectionVisible() {
        let page = layout.listRows
        if list.selected < list.top { list.top = list.selected }
        if list.selected >= list.top + page { list.top = list.selected - page + 1 }
        list.top = max(0, min(list.top, max(0, list.count - page)))
    }

    // MARK: - Opening traces

    mutating func open(trace index: Int, selecting spanID: SpanID? = nil) {
        if let current = trace { viewCache[current.traceIndex] = current }
        var view: TraceView
        if let cached = viewCache[index], cached.tree.version == store.traces[index].version {
            view = cached
        } else {
            view = TraceView(record: store.traces[index], traceIndex: index)
        }
        if let spanID, let spanIndex = store.traces[index].index(of: spanID) { view.reveal(spanIndex) }
        trace = view
        screen = .trace
        list.select(trace: index)
        keepListSelectionVisible()
        keepSpanSelectionVisible()
    }

    // MARK: - Search

    mutating func handlePrompt(_ key: Key) {
        guard let kind = prompt?.kind, var text = prompt?.text else { return }
        switch key {
        case .escape, .control("c"), .control("g"):
            prompt = nil
            return
        case .enter:
            prompt = nil
            switch kind {
            case .search: search(text)
            case .spanSearch: searchSpans(text)
            case .filter: filterTraces(text)
            case .groupBy: groupStatistics(byAttribute: text)
            case .save: save(to: text)
            case .backendSearch: searchBackend(text)
            }
            return
        case .backspace:
            if text.isEmpty { prompt = nil; return }
            text.removeLast()
        case .control("u"):
            text = ""
        case .character(let c):
            if text.count < prompt?.limit ?? 256 { text.append(c) }
        default:
            break
        }
        prompt?.text = text
    }

    /// Opens the one trace whose ID starts with `text`, lists several, or says none does.
    public mutating func search(_ text: String) {
        let span = InstrumentationSystem.tracer.startSpan("search", context: InstrumentationContext.current ?? .topLevel, ofKind: .internal)
        defer {
            if span.isRecording {
                span.attributes["search.text"] = text
                span.attributes["search.traces"] = store.traceCount
            }
            span.end()
            refreshDetail()
        }
        let prefix: TraceIDPrefix
        do {
            prefix = try TraceIDInput(parsing: text).prefix
        } catch {
            message = ("not a trace ID: \(error.message) (hex digits; 0x, dashes, trace_id=… and a traceparent are fine)", true)
            return
        }
        guard prefix.digits > 0 else {
            message = ("type some hex digits of a trace ID", true)
            return
        }
        let matches = store.traces(matching: prefix)
        switch matches.count {
        case 0:
            if backendName != nil, let id = (try? TraceIDInput(parsing: text))?.wholeTraceID {
                fetch(id)
            } else if let backendName {
                message = ("no trace ID starts with \(prefix.text); give 16 to 32 digits to ask \(backendName)", true)
            } else {
                message = ("no trace ID starts with \(prefix.text)", true)
            }
        case 1:
            history = []
            list.setFilter(nil)
            traceFilter = nil
            open(trace: matches[0])
            message = ("opened the trace matching \(prefix.text)", false)
        default:
            history = []
            trace = nil
            screen = .list
            traceFilter = nil
            list.setFilter(matches)
            keepListSelectionVisible()
            message = ("\(matches.count) traces start with \(prefix.text) · Esc shows all", false)
        }
    }

    // MARK: - Mouse

    mutating func handleMouse(_ event: MouseEvent) {
        message = nil
        if overlay != nil {
            if event.kind == .wheelDown { performOverlay(.moveDown) }
            if event.kind == .wheelUp { performOverlay(.moveUp) }
            return
        }
        switch screen {
        case .list:
            switch event.kind {
            case .wheelDown: performList(.moveDown); performList(.moveDown); performList(.moveDown)
            case .wheelUp: performList(.moveUp); performList(.moveUp); performList(.moveUp)
            case .press:
                let row = list.top + event.y - layout.list.y - 1
                if event.y > layout.list.y && row < list.count {
                    if row == list.selected { performList(.open) } else { list.selected = row }
                }
            case .release: break
            }
        case .trace:
            clickTrace(event)
        }
    }
}
