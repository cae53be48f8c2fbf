import SpanModel
import SpanStore
import SpanWidgets
import TerminalInput

/// Keys on an open trace: moving, collapsing, tabs, errors, zoom, links.
extension App {
    mutating func performTrace(_ action: Action) {
        guard var view = trace else { screen = .list; return }
        let page = layout.waterfallRows
        if view.panel != .waterfall || [.showStatistics, .showFlameGraph, .showSpansTable].contains(action) {
            performPanel(action, on: &view)
            trace = view
            keepSpanSelectionVisible()
            return
        }
        if performFinding(action, on: &view) {
            switch action {
            case .nextLink, .previousLink, .nextMatch, .previousMatch: view.detailScroll = 0
            case .searchSpans: break
            default: view.detailScroll = 0; view.selectedLink = 0
            }
            trace = view
            keepSpanSelectionVisible()
            return
        }
        switch action {
        case .moveDown: view.selectedRow += 1
        case .moveUp: view.selectedRow -= 1
        case .pageDown: view.selectedRow += page; view.topRow += page
        case .pageUp: view.selectedRow -= page; view.topRow -= page
        case .top: view.selectedRow = 0
        case .bottom: view.selectedRow = view.rows.count - 1
        case .toggleCollapse, .collapse, .expand:
            guard let index = view.selectedSpan else { break }
            let id = view.tree.spans[index].spanID
            var ids = view.collapsed
            let hasChildren = view.tree.hasChildren(index)
            switch action {
            case .toggleCollapse where hasChildren:
                if ids.contains(id) { ids.remove(id) } else { ids.insert(id) }
            case .collapse where hasChildren && !ids.contains(id):
                ids.insert(id)
            case .collapse:
                // Already collapsed or a leaf: go to the parent, as tree views do.
                let p = Int(view.tree.parent[index])
                if p >= 0 { view.selectedRow = Int(view.rows.rowOfSpan[p]) }
            case .expand:
                ids.remove(id)
            default: break
            }
            if ids != view.collapsed { view.setCollapsed(ids) }
        case .collapseAll:
            let tree = view.tree   // a local copy: closures over `view` would copy the tree per call
            let ids = Set(tree.spans.indices.filter { tree.hasChildren($0) }.map { tree.spans[$0].spanID })
            view.setCollapsed(ids)
            message = ("collapsed \(ids.count) subtrees", false)
        case .expandAll:
            view.setCollapsed([])
        case .collapseLevel, .expandLevel:
            let depth = view.setLevel(expandingOne: action == .expandLevel)
            message = depth.map { ("showing \($0) level\($0 == 1 ? "" : "s") of \(view.tree.depthCount)", false) } ?? ("every level is shown", false)
        case .toggleDetail:
            if detailSize == .hidden {
                detailSize = shownDetailSize
                message = ("detail pane shown · D makes it larger", false)
            } else {
                shownDetailSize = detailSize
                detailSize = .hidden
                message = ("detail pane hidden · d shows it", false)
            }
        case .resizeNames:
            let all = Self.barShares
            barShare = all[((all.firstIndex(of: barShare) ?? 0) + 1) % all.count]
            message = (barShare < WaterfallColumns.defaultBarShare ? "wider names" : barShare > WaterfallColumns.defaultBarShare ? "narrower names, wider bars" : "names and bars as they were", false)
        case .resizeDetail:
            detailSize = detailSize.larger
            shownDetailSize = detailSize
            message = ("detail pane: \(detailSize.label) of the screen", false)
        case .nextTab:
            view.tab = DetailTab(rawValue: (view.tab.rawValue + 1) % DetailTab.allCases.count)!
            view.detailScroll = 0
        case .selectTab(let tab):
            view.tab = tab
            view.detailScroll = 0
        case .detailDown: view.detailScroll += max(1, layout.detailContentRows / 2)
        case .detailUp: view.detailScroll = max(0, view.detailScroll - max(1, layout.detailContentRows / 2))
        case .detailTop: view.detailScroll = 0
        case .detailBottom:
            // To the end of what is laid out; a value not laid out to its end goes on by one
            // budget first (`refreshDetail`), so each press answers quickly and a few reach the end.
            view.detailScroll = max(0, (currentDetail(view)?.lines.count ?? 0) - layout.detailContentRows)
            detailToEnd = true
        case .nextError, .previousError:
            jumpToError(in: &view, forward: action == .nextError)
        case .zoomIn, .zoomOut, .zoomReset, .zoomToSpan, .panLeft, .panRight:
            zoom(&view, action)
        case .open:
            followLink(from: view)
            return
        case .backOrQuit:
            // A lone trace opened at start has nothing to go back to but a list of itself.
            if history.isEmpty && store.traceCount == 1 && list.filter == nil {
                perform(.quit)
                return
            }
            performTrace(.back)
            return
        case .back where pendingSearch != nil:
            pendingSearch?.job.cancel()
            pendingSearch = nil
            message = ("search stopped", false)
        case .back where view.search != nil:
            // Esc clears the search first; the next Esc goes back.
            view.setSearch(nil)
            message = ("search cleared", false)
        case .back:
            viewCache[view.traceIndex] = view
            if let previous = history.popLast() {
                trace = previous
                list.select(trace: previous.traceIndex)
                keepSpanSelectionVisible()
            } else {
                trace = nil
                screen = .list
                keepListSelectionVisible()
            }
            return
        default: break
        }
        switch action {
        case .detailDown, .detailUp, .detailTop, .detailBottom, .nextTab, .selectTab: break
        case .nextLink, .previousLink: view.detailScroll = 0
        default: view.detailScroll = 0; view.selectedLink = 0
        }
        trace = view
        keepSpanSelectionVisible()
    }

    mutating func keepSpanSelectionVisible() {
        guard var view = trace else { return }
        let page = layout.waterfallRows
        view.selectedRow = max(0, min(view.selectedRow, view.rows.count - 1))
        if view.selectedRow < view.topRow { view.topRow = view.selectedRow }
        if view.selectedRow >= view.topRow + page { view.topRow = view.selectedRow - page + 1 }
        view.topRow = max(0, min(view.topRow, max(0, view.rows.count - page)))
        trace = view
    }

    mutating func jumpToError(in view: inout TraceView, forward: Bool) {
        let order = view.depthFirstOrder()
        guard !order.isEmpty else { return }
        let current = view.selectedSpan.flatMap { s in order.firstIndex(of: Int32(s)) } ?? -1
        let n = order.count
        let spans = view.tree.spans
        for step in 1...n {
            let position = ((current + (forward ? step : -step)) % n + n) % n
            let index = Int(order[position])
            if spans[index].status.code == .error {
                view.reveal(index)
                view.tab = .errors
                let wrapped = forward ? position <= current : position >= current
                let tree = view.tree
                let errorsUpTo = order.prefix(position + 1).filter { tree.spans[Int($0)].isError }.count
                let total = order.filter { tree.spans[Int($0)].isError }.count
                message = ("error span \(errorsUpTo) of \(total)" + (wrapped && current >= 0 ? " (wrapped)" : ""), false)
                return
            }
        }
        message = ("this trace has no error spans", false)
    }

    mutating func zoom(_ view: inout TraceView, _ action: Action) {
        let full = view.fullWindow
        guard action != .zoomReset else {
            view.window = nil
            message = ("whole trace", false)
            return
        }
        let current = view.currentWindow
        switch action {
        case .zoomToSpan:
            guard let index = view.selectedSpan, view.tree.spans[index].hasTimes else {
                message = ("this span has no start and end time to zoom to", false)
                return
            }
            let span = view.tree.spans[index]
            // The span and a little room either side, at least 1 µs.
            let length = max(1_000, span.endTime - span.startTime)
            var start = max(full.start, span.startTime - length / 20)
            let end = min(full.end, span.endTime + length / 20)
            start = min(start, max(full.start, end - 1_000))
            if start <= full.start && end >= full.end {
                view.window = nil
                message = ("the span is the whole trace", false)
            } else {
                view.window = (start, max(end, start + 1))
                message = ("showing \(DurationText.format(max(end, start + 1) - start)) around the span · , and . pan · 0 shows all", false)
            }
            return
        case .panLeft, .panRight:
            guard view.window != nil else {
                message = ("the whole trace is shown: z, + zoom in first", false)
                return
            }
            let width = current.end - current.start
            let step = max(1, width / 2) * (action == .panLeft ? -1 : 1)
            let start = max(full.start, min(current.start + step, full.end - width))
            view.window = (start, start + width)
            message = ("showing \(DurationText.format(start - full.start)) to \(DurationText.format(start + width - full.start)) of \(DurationText.format(full.end - full.start))", false)
            return
        default:
            break
        }
        let width = current.end - current.start
        var center = current.start + width / 2
        if let index = view.selectedSpan {
            let span = view.tree.spans[index]
            if span.hasTimes { center = span.startTime / 2 + span.endTime / 2 } else if span.startTime != Timestamp.unknown { center = span.startTime }
        }
        let newWidth = action == .zoomIn ? max(1_000, width / 2) : width * 2
        if newWidth >= full.end - full.start {
            view.window = nil
            message = ("whole trace", false)
            return
        }
        var start = center - newWidth / 2
        start = max(full.start, min(start, full.end - newWidth))
        view.window = (start, start + newWidth)
        message = ("showing \(DurationText.format(newWidth)) of \(DurationText.format(full.end - full.start)) · 0 shows all", false)
    }

    mutating func followLink(from view: TraceView) {
        guard let index = view.selectedSpan else { return }
        let links = view.tree.spans[index].links
        guard !links.isEmpty else {
            message = ("this span has no links", false)
            return
        }
        // The chosen link (n/N on the Links tab; the first until then).
        let link = links[min(max(0, view.selectedLink), links.count - 1)]
        guard let target = store.index(of: link.traceID) else {
            let loaded = links.filter { store.index(of: $0.traceID) != nil }.count
            message = (links.count == 1 ? "the linked trace is not loaded"
                : "link \(min(view.selectedLink, links.count - 1) + 1)'s trace is not loaded (\(loaded) of \(links.count) are; n/N choose)", true)
            return
        }
        history.append(view)
        open(trace: target, selecting: link.spanID)
        message = ("followed a link · Esc goes back", false)
    }

    mutating func clickTrace(_ event: MouseEvent) {
        guard var view = trace else { return }
        switch event.kind {
        case .wheelDown, .wheelUp:
            let inDetail = event.y >= layout.detail.y && event.x >= layout.detail.x && event.y < layout.detail.y + layout.detail.height
                && (layout.detailBeside ? event.x >= layout.detail.x : true)
            if inDetail {
                view.detailScroll = max(0, view.detailScroll + (event.kind == .wheelDown ? 3 : -3))
            } else {
                view.selectedRow += event.kind == .wheelDown ? 3 : -3
            }
        case .press:
            let w = layout.waterfall
            let line = event.y - w.y - 1
            if event.x < w.x + w.width && line >= 0 && line < layout.waterfallRows {
                let row = view.topRow + line
                if row < view.rows.count { view.selectedRow = row; view.detailScroll = 0 }
            } else if event.y == layout.detail.y, let tab = tabAt(x: event.x - layout.detail.x, view: view) {
                view.tab = tab
                view.detailScroll = 0
            }
        case .release: break
        }
        trace = view
        keepSpanSelectionVisible()
    }
}
