import CellGrid
import SpanModel
import SpanStore

/// The line above a waterfall, in the viewer and in `print`: the trace ID, then its facts
/// (duration, spans, depth), errors, flagged spans (`SpanFlagText`'s counted forms), notes
/// (zoomed), then its services. Each piece is drawn whole or not at all; what does not fit
/// ends in an ellipsis, and services come last and only whole (a name cut in half reads as
/// another service).
public struct TraceHeader: Widget {
    public var title: String
    public var traceID: TraceID
    public var duration: Int64?
    public var spanCount: Int
    public var depth: Int
    public var errorCount: Int
    public var flags: FlagCounts
    public var notes: [String]
    public var services: [String]
    public var glyphs: Glyphs

    public init(title: String = "Trace ", traceID: TraceID, duration: Int64?, spanCount: Int, depth: Int, errorCount: Int,
                flags: FlagCounts, notes: [String] = [], services: [String] = [], glyphs: Glyphs = .unicode) {
        self.title = title
        self.traceID = traceID
        self.duration = duration
        self.spanCount = spanCount
        self.depth = depth
        self.errorCount = errorCount
        self.flags = flags
        self.notes = notes
        self.services = services
        self.glyphs = glyphs
    }

    /// The header of a trace summarised by `summary` (what `print` shows).
    public init(_ summary: TraceSummary, flags: FlagCounts, glyphs: Glyphs) {
        self.init(traceID: summary.traceID, duration: summary.duration, spanCount: summary.spanCount, depth: summary.depth,
                  errorCount: summary.errorCount, flags: flags, services: summary.services, glyphs: glyphs)
    }

    public func render(in area: Rect, into grid: inout Grid) {
        guard area.height > 0 else { return }
        let width = area.width
        let sep = glyphs.separator
        var x = grid.put(title, x: 0, y: 0, in: area, style: .bold)
        x += grid.put(traceID.hex, x: x, y: 0, in: area, style: Style(.accent, [.bold]))
        var pieces: [(String, Style)] = [("  " + glyphs.duration(duration), .plain),
                                         (sep + "\(spanCount) span" + (spanCount == 1 ? "" : "s"), .plain)]
        if depth > 1 { pieces.append((sep + "depth \(depth)", .plain)) }
        if errorCount > 0 { pieces.append((sep + "\(errorCount) error" + (errorCount == 1 ? "" : "s"), .error)) }
        for text in flags.texts { pieces.append((sep + glyphs.text(text), Style(.warning))) }
        for note in notes { pieces.append((sep + glyphs.text(note), Style(.accent))) }
        let more = " " + glyphs.ellipsis
        for (n, (text, style)) in pieces.enumerated() {
            let w = DisplayWidth.of(text)
            let last = n + 1 == pieces.count && services.isEmpty
            if x + w + (last ? 0 : DisplayWidth.of(more)) > width {
                grid.put(more, x: x, y: 0, in: area, style: .muted)
                return
            }
            x += grid.put(text, x: x, y: 0, in: area, style: style)
        }
        var shown = services
        while !shown.isEmpty {
            let text = sep + shown.joined(separator: ", ") + (shown.count < services.count ? ", " + glyphs.ellipsis : "")
            if x + DisplayWidth.of(text) <= width {
                grid.put(text, x: x, y: 0, in: area, style: .muted)
                break
            }
            shown.removeLast()
        }
    }
}
