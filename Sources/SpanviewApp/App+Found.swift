import CellGrid
import SpanFormats
import SpanModel
import SpanWidgets

/// Searching the backend from the viewer (`R`): the query (TraceQL in Tempo; service,
/// operation, key=value and durations in Jaeger) runs on a thread of its own; its hits fill
/// the Found view, where Enter opens a trace that is loaded and fetches one that is not.
extension App {
    /// What a backend search found, and where the cursor is in it.
    struct Found: Sendable {
        var query: String
        var hits: [TraceHit]
        var selected = 0
    }

    /// A backend search, for `R`: the hits for a query, or why there are none (set by the
    /// executable, like `useBackend`'s fetch; it runs on a thread of its own).
    public typealias BackendSearch = @Sendable (String) -> Result<[TraceHit], BackendSearchFailure>

    /// Lets `R` search the backend; `hint` is what the prompt says the query is.
    public mutating func useBackendSearch(hint: String, _ search: @escaping BackendSearch) {
        backendSearch = search
        backendSearchHint = hint
    }

    /// `R`: asks for the query (the last one, to change).
    mutating func askBackendSearch() {
        guard backendSearch != nil, let backendName else {
            message = ("R searches a trace backend: start spanview with --tempo URL or --jaeger URL", false)
            return
        }
        // What was found is shown again first; `R` there searches anew.
        if found != nil && overlay != .found {
            overlay = .found
            return
        }
        prompt = Prompt(kind: .backendSearch(label: "search \(backendName.split(separator: " ").first ?? "backend"): ", hint: backendSearchHint),
                        text: lastBackendQuery)
    }

    /// Starts the search on its own thread.
    mutating func searchBackend(_ text: String) {
        guard let backendSearch, let backendName else { return }
        lastBackendQuery = text
        pendingBackendSearch?.job.cancel()
        let job = BackgroundJob<Result<[TraceHit], BackendSearchFailure>> { _ in backendSearch(text) }
        pendingBackendSearch = (text, job)
        message = ("searching \(backendName)…", false)
    }

    /// The search's result: the Found view, or the failure said.
    mutating func takeBackendSearch(_ query: String, _ result: Result<[TraceHit], BackendSearchFailure>) {
        pendingBackendSearch = nil
        switch result {
        case .failure(let failure):
            message = (failure.description, true)
        case .success(let hits) where hits.isEmpty:
            message = ("\(backendName ?? "the backend") found no trace for \(query.isEmpty ? "{}" : query)", true)
        case .success(let hits):
            found = Found(query: query, hits: hits)
            overlay = .found
            overlayScroll = 0
            message = ("\(hits.count) trace\(hits.count == 1 ? "" : "s") found · Enter opens one · R searches again", false)
        }
    }

    mutating func performFound(_ action: Action) {
        guard var state = found else {
            overlay = nil
            return
        }
        let rows = max(1, layout.overlayRows - 1)
        switch action {
        case .back:
            overlay = nil
            return
        case .moveDown: state.selected += 1
        case .moveUp: state.selected -= 1
        case .pageDown: state.selected += rows
        case .pageUp: state.selected -= rows
        case .top: state.selected = 0
        case .bottom: state.selected = state.hits.count - 1
        case .open:
            guard state.hits.indices.contains(state.selected) else { return }
            let id = state.hits[state.selected].traceID
            overlay = nil
            if let index = store.index(of: id) {
                history = []
                list.setFilter(nil)
                traceFilter = nil
                open(trace: index)
                message = ("opened trace \(id.hex) · R goes back to what was found", false)
            } else {
                fetch(id)
            }
            return
        default: break
        }
        state.selected = max(0, min(state.selected, state.hits.count - 1))
        if state.selected < overlayScroll { overlayScroll = state.selected }
        if state.selected >= overlayScroll + rows { overlayScroll = state.selected - rows + 1 }
        found = state
    }

    func drawFound(into grid: inout Grid) {
        guard let found else { return }
        let area = layout.overlay
        let title = "Found in \(backendName ?? "the backend"): \(found.query.isEmpty ? "{}" : found.query)"
        grid.put(TerminalText.escaped(title), x: 1, y: area.y, style: Style(.accent, [.bold]), maxWidth: area.width - 2)
        // ID, start, duration, spans, root: the ID shortened where there is no room for 32.
        let idWidth = area.width >= 110 ? 32 : 16
        let header = "  " + "TRACE ID".padding(idWidth) + "  " + "START (UTC)".padding(23) + "  " + "DURATION".leftPadded(9) + "  " + "SPANS".leftPadded(5) + "  ROOT"
        grid.put(header, x: 0, y: area.y + 1, style: .muted, maxWidth: area.width)
        let rows = max(1, layout.overlayRows - 1)
        for row in 0..<rows {
            let n = overlayScroll + row
            guard n < found.hits.count else { break }
            let hit = found.hits[n]
            let y = area.y + 2 + row
            let selected = n == found.selected
            let base = selected ? Style(.default, background: .selection, [.bold]) : Style.plain
            if selected { grid.fill(" ", x: 0, y: y, width: area.width, style: base) }
            let loaded = store.index(of: hit.traceID) != nil
            var x = 0
            x += grid.put(loaded ? glyphs.link : " ", x: x, y: y, style: Style(.accent, background: base.background, [.bold]))
            x += 1
            x += grid.put(String(hit.traceID.hex.prefix(idWidth)), x: x, y: y, style: base)
            x += 2
            x += grid.put(Self.startText(hit.startNs).padding(23), x: x, y: y, style: Style(.muted, background: base.background))
            x += 2
            x += grid.put((hit.durationText).leftPadded(9), x: x, y: y, style: base)
            x += 2
            let spans = (hit.spanCount ?? hit.matchedSpans).map(String.init) ?? ""
            x += grid.put(spans.leftPadded(5), x: x, y: y, style: base)
            x += 2
            if let errors = hit.errorCount, errors > 0 {
                x += grid.put(glyphs.text("✗ "), x: x, y: y, style: Style(.error, background: base.background, [.bold]))
            }
            let root = [hit.rootService, hit.rootName].compactMap { $0 }.joined(separator: ": ")
            grid.put(TerminalText.escaped(root), x: x, y: y, style: base, maxWidth: max(0, area.width - x))
        }
    }

    /// `2026-12-07 06:30:12.345` (UTC), or `?`.
    static func startText(_ ns: Int64?) -> String {
        guard let ns else { return "?" }
        let text = Timestamp.iso8601(ns)
        guard text.count >= 23 else { return text }
        return String(text.prefix(23)).replacingOccurrences(of: "T", with: " ")
    }
}

/// Why a backend search found nothing to show, in one line.
public struct BackendSearchFailure: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

extension String {
    /// The text with spaces after it to `n` characters.
    func padding(_ n: Int) -> String { count >= n ? self : self + String(repeating: " ", count: n - count) }
}
