import SpanModel
import SpanStore
import SpanWidgets

/// The detail pane's content for the selected span, laid out once for the pane's width.
/// A key that changes the span, the tab, the width or the trace lays it out again; a key
/// that only scrolls (or does not touch the pane) finds it here, so a frame costs the lines
/// on screen even for a span with a 4 MB attribute value.
///
/// The key is what the content is made from, not the tree's version: a span keeps its
/// index in its trace (arrival order), so while live input adds spans to the open trace the
/// content is laid out again only when what it shows of the span changes (its flags, its
/// dropped copies, the trace's start that offsets are from).
struct DetailCache: Sendable {
    struct Key: Equatable, Sendable {
        var traceIndex: Int
        var traceID: TraceID
        var span: Int
        var flags: SpanFlags
        var copiesDropped: Int32
        var traceStart: Int64
        var tab: DetailTab
        var width: Int
        /// The Links tab says whether each linked trace is loaded: it depends on the store's
        /// traces (count and evictions); zero for the other tabs.
        var storeTraces: Int
        var evictedTraces: Int
        /// The chosen link (marked on the Links tab); zero for the other tabs.
        var selectedLink: Int
        /// Self time and critical-path share (Attributes tab; nil on the others).
        var timing: SpanDetailContent.Timing?
    }

    var key: Key
    var lines: DetailLines
    /// The tab titles' counts, in `DetailTab` order.
    var counts: [Int]
}

extension App {
    /// The default `layoutBudget`.
    public static let defaultLayoutBudget = 4_000_000

    func detailKey(_ view: TraceView) -> DetailCache.Key? {
        guard let span = view.selectedSpan else { return nil }
        let links = view.tab == .links
        let tree = view.tree
        return DetailCache.Key(traceIndex: view.traceIndex, traceID: tree.traceID, span: span, flags: tree.flags[span],
                               copiesDropped: tree.copiesDropped[Int32(span)] ?? 0, traceStart: view.figures.traceStart,
                               tab: view.tab, width: layout.detail.width - 2, storeTraces: links ? store.traceCount : 0,
                               evictedTraces: links ? live?.evictedTraces ?? 0 : 0, selectedLink: links ? view.selectedLink : 0,
                               timing: view.tab == .attributes ? timing(of: span, in: view) : nil)
    }

    /// The span's self time, and its part of the critical path while that is shown.
    func timing(of span: Int, in view: TraceView) -> SpanDetailContent.Timing? {
        guard view.tree.spans[span].hasTimes else { return nil }
        let full = view.fullWindow
        return SpanDetailContent.Timing(selfTime: view.analysis.selfTimes[span], traceDuration: full.end - full.start,
                                        onCriticalPath: view.criticalPath.map { $0.onPath[span] })
    }

    func makeDetail(_ view: TraceView, key: DetailCache.Key) -> DetailCache {
        let store = self.store
        let content = SpanDetailContent(tree: view.tree, index: key.span, traceStart: view.figures.traceStart,
                                        selectedLink: key.selectedLink, glyphs: glyphs, timing: key.timing,
                                        isLoaded: { store.index(of: $0) != nil })
        return DetailCache(key: key, lines: content.document(key.tab, width: key.width, budget: layoutBudget),
                           counts: DetailTab.allCases.map { content.count($0) })
    }

    /// The detail content to draw for `view`: the cached one when it is current, else laid
    /// out on the spot (not kept: drawing does not change the state).
    func currentDetail(_ view: TraceView) -> DetailCache? {
        guard let key = detailKey(view) else { return nil }
        if let detailCache, detailCache.key == key { return detailCache }
        if let recent = recentDetails.first(where: { $0.key == key }) { return recent }
        return makeDetail(view, key: key)
    }

    /// Makes the content for `key` the current cache entry: a recent one if there is one,
    /// else laid out now; the entry it replaces joins the recent ones.
    mutating func switchDetail(to key: DetailCache.Key, view: TraceView) {
        let entry: DetailCache
        if let i = recentDetails.firstIndex(where: { $0.key == key }) {
            entry = recentDetails.remove(at: i)
        } else {
            entry = makeDetail(view, key: key)
            detailLayouts += 1
        }
        if let old = detailCache {
            recentDetails.insert(old, at: 0)
            if recentDetails.count > App.recentDetailCount { recentDetails.removeLast() }
        }
        detailCache = entry
    }

    /// Brings the cached detail content up to date after a change, and keeps the detail
    /// scroll within it (so K answers at once after J went past the end).
    mutating func refreshDetail() {
        let toEnd = detailToEnd
        detailToEnd = false
        guard !layout.isTooSmall, let view = trace, let key = detailKey(view) else { return }
        if detailCache?.key != key { switchDetail(to: key, view: view) }
        guard var cache = detailCache else { return }
        let rows = layout.detailContentRows
        // A value not laid out to its end: lay out more once its "more" line is in view.
        if let more = cache.lines.firstIncompleteLine, more < view.detailScroll + rows {
            detailCache = nil   // unshared while it grows
            cache.lines.extend(budget: layoutBudget)
            detailCache = cache
        }
        let maxScroll = max(0, cache.lines.count - rows)
        if toEnd {
            // The end of what is laid out; while more is to come, the last lines laid out with
            // the "more" line just below them, out of view (so the next refresh does not lay
            // out more unasked; the next } does).
            trace?.detailScroll = cache.lines.firstIncompleteLine.map { max(0, $0 - rows) } ?? maxScroll
        } else if view.detailScroll > maxScroll {
            trace?.detailScroll = maxScroll
        }
    }
}
