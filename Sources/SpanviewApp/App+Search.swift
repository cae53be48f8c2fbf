import SpanModel
import SpanQuery
import SpanStore
import SpanWidgets
import Tracing

/// Finding things: spans in the open trace (`/`, `n`/`N`, `f`), traces by a filter
/// expression (`f` on the list), and the critical path (`c`, `)`, `(`).
extension App {
    /// Searches the open trace's spans; the cursor goes to the first match after it.
    public mutating func searchSpans(_ text: String) {
        guard var view = trace else { return }
        let span = InstrumentationSystem.tracer.startSpan("search spans", context: InstrumentationContext.current ?? .topLevel, ofKind: .internal)
        defer {
            if span.isRecording {
                span.attributes["search.text"] = text
                span.attributes["search.spans"] = view.tree.count
                span.attributes["search.matches"] = view.search?.matches.count ?? 0
            }
            span.end()
        }
        let query: SpanSearch
        do {
            query = try SpanSearch(parsing: text)
        } catch {
            message = ("search: \(error.description)", true)
            return
        }
        guard !query.isEmpty else {
            view.setSearch(nil)
            trace = view
            message = ("search cleared", false)
            return
        }
        pendingSearch?.job.cancel()
        pendingSearch = nil
        if view.tree.count >= backgroundSearchFrom {
            // A big trace: searched on a thread of its own, so keys keep answering.
            let tree = view.tree
            let job = BackgroundJob<[Int32]> { _ in query.matches(in: tree) }
            pendingSearch = (view.traceIndex, tree.version, query, job)
            message = ("searching \(tree.count) spans for \(query.description)\(glyphs.ellipsis) Esc stops", false)
            return
        }
        view.setSearch(query)
        showSearchResult(&view, query)
        trace = view
        keepSpanSelectionVisible()
    }

    /// The cursor on the first match, and the count said.
    mutating func showSearchResult(_ view: inout TraceView, _ query: SpanSearch) {
        let count = view.search?.matches.count ?? 0
        if count == 0 {
            message = ("no span matches \(query.description)", true)
        } else {
            let number = view.goToMatch(forward: true, including: true) ?? 1
            message = ("match \(number) of \(count) · n/N next/previous · f shows only matches · Esc clears", false)
        }
        view.detailScroll = 0
    }

    /// A span search done on its own thread: shown if the trace is still the one open (the
    /// same spans), else dropped.
    mutating func takeSearch(_ found: [Int32]) {
        guard let pending = pendingSearch else { return }
        pendingSearch = nil
        guard var view = trace, view.traceIndex == pending.traceIndex else { return }
        if view.tree.version == pending.version {
            view.setSearch(pending.query, found: found)
        } else {
            view.setSearch(pending.query)   // spans arrived meanwhile: again, over them all
        }
        showSearchResult(&view, pending.query)
        trace = view
        keepSpanSelectionVisible()
    }

    /// Applies a filter expression to the trace list (an empty one shows every trace).
    public mutating func filterTraces(_ text: String) {
        guard !text.trimmingCharacters(in: .whitespaces).isEmpty else {
            traceFilter = nil
            list.setFilter(nil)
            message = ("every trace is listed", false)
            return
        }
        let filter: TraceFilter
        do {
            filter = try TraceFilter(parsing: text)
        } catch {
            message = ("filter: \(error.description)", true)
            return
        }
        pendingFilter?.job.cancel()
        pendingFilter = nil
        if filter.looksAtSpans && store.spanCount >= backgroundFilterFrom {
            // Every span may be read: on a thread of its own, so keys keep answering.
            let snapshot = store
            let job = BackgroundJob<[Int]> { job in
                var found: [Int] = []
                let traces = snapshot.traces
                var i = traces.startIndex
                while i < traces.endIndex && !job.isCancelled {
                    let end = min(traces.endIndex, i + 256)
                    for index in i..<end where filter.matches(record: traces[index]) { found.append(index) }
                    i = end
                }
                return found
            }
            pendingFilter = (filter, job, [])
            message = ("filtering \(store.traceCount) traces (\(store.spanCount) spans)\(glyphs.ellipsis) keys still work", false)
            return
        }
        applyFilter(filter, matching: filter.traces(in: store))
    }

    /// Shows the traces a filter matched.
    mutating func applyFilter(_ filter: TraceFilter, matching: [Int]) {
        traceFilter = filter
        list.setFilter(matching)
        listMoved = true
        keepListSelectionVisible()
        message = matching.isEmpty
            ? ("no trace matches \(filter.description) · Esc shows all", true)
            : ("\(matching.count) of \(store.traceCount) traces match · Esc shows all", false)
    }

    /// Takes the result of work done on its own thread, if it is ready; true if the screen
    /// changed. The viewer's loop calls it each time round while `hasBackgroundWork`.
    public mutating func pollBackgroundWork() -> Bool {
        if let pending = pendingExport, let result = pending.job.take() {
            takeExport(pending.done, pending.target, result)
            return true
        }
        if let pending = pendingBackendSearch, let result = pending.job.take() {
            takeBackendSearch(pending.query, result)
            return true
        }
        if let pending = pendingSearch, let found = pending.job.take() {
            takeSearch(found)
            return true
        }
        guard let pending = pendingFilter, let found = pending.job.take() else { return false }
        pendingFilter = nil
        let matching = found.filter { store.contains($0) }
        applyFilter(pending.filter, matching: matching)
        refilter(changed: pending.changed)
        return true
    }

    /// Whether work is going on on its own thread (the loop then polls for it).
    public var hasBackgroundWork: Bool { pendingFilter != nil || pendingSearch != nil || pendingBackendSearch != nil || pendingExport != nil }

    /// Waits for work on its own thread to finish and takes its result (tests, benchmarks).
    public mutating func finishBackgroundWork() {
        if let pending = pendingBackendSearch { takeBackendSearch(pending.query, pending.job.wait()) }
        if let pending = pendingExport { takeExport(pending.done, pending.target, pending.job.wait()) }
        if let pending = pendingSearch { takeSearch(pending.job.wait()) }
        guard let pending = pendingFilter else { return }
        let found = pending.job.wait()
        pendingFilter = nil
        applyFilter(pending.filter, matching: found.filter { store.contains($0) })
        refilter(changed: pending.changed)
    }

    /// Keeps the list filter up to date as traces arrive or change: each changed trace is
    /// tested again (not the whole store).
    mutating func refilter(changed: Set<Int>) {
        if pendingFilter != nil { pendingFilter?.changed.formUnion(changed) }
        guard let traceFilter, var kept = list.filter else { return }
        var keptSet = Set(kept)
        var changedAny = false
        for index in changed.sorted() where store.contains(index) {
            let matches = traceFilter.matches(record: store.traces[index])
            if matches && !keptSet.contains(index) {
                kept.append(index)
                keptSet.insert(index)
                changedAny = true
            } else if !matches && keptSet.contains(index) {
                kept.removeAll { $0 == index }
                keptSet.remove(index)
                changedAny = true
            }
        }
        if changedAny {
            let keep = list.selectedTrace
            let (selected, top) = (list.selected, list.top)
            list.setFilter(kept)
            list.selected = selected
            list.top = top
            if listMoved { list.select(trace: keep) }
        }
    }

    /// `n`, `N`, `f`, `c`, `)`, `(` on an open trace; true if the action was one of these.
    mutating func performFinding(_ action: Action, on view: inout TraceView) -> Bool {
        switch action {
        case .searchSpans:
            prompt = Prompt(kind: .spanSearch, text: view.search?.query?.description ?? "")
        case .nextMatch, .previousMatch:
            let forward = action == .nextMatch
            guard let search = view.search else {
                if view.tab == .links { return performFinding(forward ? .nextLink : .previousLink, on: &view) }
                message = ("no search: / searches the trace's spans", false)
                return true
            }
            if let number = view.goToMatch(forward: forward) {
                message = ("match \(number) of \(search.matches.count)", false)
            } else {
                message = ("no span matches \(search.label)", true)
            }
        case .nextLink, .previousLink:
            let count = view.selectedSpan.map { view.tree.spans[$0].details.linkCount } ?? 0
            guard count > 0 else { message = ("this span has no links", false); return true }
            view.tab = .links
            view.selectedLink = ((view.selectedLink + (action == .nextLink ? 1 : -1)) % count + count) % count
            message = ("link \(view.selectedLink + 1) of \(count) · Enter follows it", false)
        case .toggleFilterMatches:
            guard let search = view.search else {
                message = ("no search to filter by: / searches the trace's spans", false)
                return true
            }
            view.setFiltering(!search.filtering)
            message = view.search?.filtering == true
                ? (search.matches.count == 1 ? "showing the match and its ancestors · f shows all"
                    : "showing the \(search.matches.count) matches and their ancestors · f shows all", false)
                : ("showing every span", false)
        case .toggleCriticalPath:
            view.setCriticalPath(view.criticalPath == nil)
            if let path = view.criticalPath {
                let root = view.analysis.criticalPath.root
                let total = root.flatMap { view.tree.spans[$0].duration } ?? 0
                message = ("critical path: \(path.order.count) spans, \(glyphs.duration(total)) · ) and ( walk it · c hides it", false)
            } else {
                message = ("critical path hidden", false)
            }
        case .nextOnPath, .previousOnPath:
            if view.criticalPath == nil { view.setCriticalPath(true) }
            guard let path = view.criticalPath, let number = view.walkCriticalPath(forward: action == .nextOnPath) else {
                message = ("this trace has no critical path (no span with times)", false)
                return true
            }
            let span = Int(path.order[number - 1])
            let onPath = view.criticalPath?.onPath[span] ?? 0
            message = ("critical path \(number)/\(path.order.count): \(glyphs.duration(onPath)) of the path in this span", false)
        default:
            return false
        }
        return true
    }

    /// The search's matches, the critical path and the self times (a column when there is
    /// room), for the waterfall to draw.
    var waterfallDecorations: WaterfallDecorations {
        guard let view = trace else { return .none }
        var decorations = WaterfallDecorations(highlighted: view.search?.highlighted, critical: view.criticalPath?.parts)
        decorations.selfTimes = view.analysis.selfTimes
        return decorations
    }
}
