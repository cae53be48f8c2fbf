import CellGrid
import SpanModel

/// One row of the trace list.
public struct TraceListEntry: Hashable, Sendable {
    public var traceIndex: Int
    public var traceID: TraceID
    public var startTime: Int64
    public var duration: Int64?
    public var spanCount: Int
    public var errorCount: Int
    public var rootName: String
    public var rootService: String
    /// The trace has no root span (yet): its name is its earliest span's.
    public var rootMissing: Bool

    public init(traceIndex: Int, traceID: TraceID, startTime: Int64, duration: Int64?, spanCount: Int,
                errorCount: Int, rootName: String, rootService: String, rootMissing: Bool) {
        self.traceIndex = traceIndex
        self.traceID = traceID
        self.startTime = startTime
        self.duration = duration
        self.spanCount = spanCount
        self.errorCount = errorCount
        self.rootName = rootName
        self.rootService = rootService
        self.rootMissing = rootMissing
    }
}

/// The trace list: a header row, then one row per trace (start time, root service and name,
/// spans, duration, errors). Rows with errors are marked and coloured.
public struct TraceListWidget: Widget {
    public var entries: [TraceListEntry]
    /// Indices into `entries`, in display order.
    public var order: [Int]
    public var selected: Int
    public var top: Int
    /// The column the rows are sorted by, marked in the header with its direction.
    public var sortColumn: SortColumn
    /// Whether the rows run from smallest to largest (oldest to newest) in that column.
    public var ascending: Bool
    public var glyphs: Glyphs

    public enum SortColumn: Sendable { case start, duration, errors, spans }

    public init(entries: [TraceListEntry], order: [Int], selected: Int, top: Int, sortColumn: SortColumn,
                ascending: Bool? = nil, glyphs: Glyphs) {
        self.entries = entries
        self.order = order
        self.selected = selected
        self.top = top
        self.sortColumn = sortColumn
        self.ascending = ascending ?? (sortColumn == .start)
        self.glyphs = glyphs
    }

    struct Columns {
        let start = 13, spans = 7, duration = 9, errors = 6
        /// The trace ID's first 8 hex digits, when the list is wide enough (else 0).
        var traceID: Int
        var service: Int
        var name: Int
    }

    /// Width from which the short trace ID column is shown.
    static let traceIDFrom = 100

    func columns(width: Int) -> Columns {
        let traceID = width >= Self.traceIDFrom ? 8 : 0
        let fixed = 2 + 13 + 1 + 7 + 1 + 9 + 1 + 7 + 1 + (traceID > 0 ? traceID + 1 : 0)
        let rest = max(10, width - fixed - 1)
        let service = min(20, max(8, rest / 3))
        return Columns(traceID: traceID, service: service, name: max(4, rest - service - 1))
    }

    /// Draws the header on the area's first row and the rows below it.
    public func render(in area: Rect, into grid: inout Grid) {
        let height = area.height, y = 0
        guard height > 0 else { return }
        let width = area.width
        let c = columns(width: width)
        var x = 2
        let header = Style(.muted, [.bold])
        func cell(_ text: String, _ w: Int, right: Bool = false, style: Style, row: Int) {
            let tw = DisplayWidth.of(TerminalText.escaped(text))
            grid.put(text, x: right ? x + max(0, w - tw) : x, y: row, in: area, style: style, maxWidth: w)
            x += w + 1
        }
        let arrow = ascending ? glyphs.ascending : glyphs.descending
        let sorted = Style(.accent, [.bold])
        cell(sortColumn == .start ? "START" + arrow : "START", c.start, style: sortColumn == .start ? sorted : header, row: y)
        if c.traceID > 0 { cell("TRACE", c.traceID, style: header, row: y) }
        cell("SERVICE", c.service, style: header, row: y)
        cell("ROOT SPAN", c.name, style: header, row: y)
        cell(sortColumn == .spans ? arrow + "SPANS" : "SPANS", c.spans, right: true, style: sortColumn == .spans ? sorted : header, row: y)
        cell(sortColumn == .duration ? arrow + "DURATION" : "DURATION", c.duration, right: true, style: sortColumn == .duration ? sorted : header, row: y)
        cell(sortColumn == .errors ? arrow + "ERRORS" : "ERRORS", c.errors + 1, right: true, style: sortColumn == .errors ? sorted : header, row: y)

        for row in 0..<(height - 1) {
            let n = top + row
            guard n < order.count else { break }
            let entry = entries[order[n]]
            let screenY = y + 1 + row
            let isSelected = n == selected
            let base = isSelected ? Style(.default, background: .selection, [.bold]) : Style.plain
            if isSelected { grid.fill(" ", x: 0, y: screenY, width: width, in: area, style: base) }
            func styled(_ role: ColorRole, _ extra: TextAttributes = []) -> Style {
                var s = base
                s.foreground = role
                s.attributes.formUnion(extra)
                return s
            }
            if entry.errorCount > 0 { grid.put(glyphs.error, x: 0, y: screenY, in: area, style: styled(.error, [.bold])) }
            x = 2
            cell(TimeText.clock(entry.startTime), c.start, style: styled(.muted), row: screenY)
            if c.traceID > 0 { cell(String(entry.traceID.hex.prefix(8)), c.traceID, style: styled(.muted), row: screenY) }
            cell(entry.rootService, c.service, style: styled(ColorRole.service(entry.rootService)), row: screenY)
            cell((entry.rootMissing ? "(no root) " : "") + entry.rootName, c.name,
                 style: entry.errorCount > 0 ? styled(.error) : base, row: screenY)
            cell(String(entry.spanCount), c.spans, right: true, style: base, row: screenY)
            cell(glyphs.duration(entry.duration), c.duration, right: true, style: base, row: screenY)
            cell(entry.errorCount > 0 ? String(entry.errorCount) : glyphs.none, c.errors, right: true,
                 style: entry.errorCount > 0 ? styled(.error, [.bold]) : styled(.muted), row: screenY)
        }
    }
}

/// Times for lists.
public enum TimeText {
    /// `2024-05-01 12:00:00.123` (UTC), or `-` when unknown.
    public static func wallClock(_ ns: Int64) -> String {
        guard ns != Timestamp.unknown else { return "-" }
        let chars = Array(Timestamp.iso8601(ns))
        return String(chars[0..<10]) + " " + String(chars[11..<23])
    }

    /// `12:00:00.123` (UTC), or `-` when unknown.
    public static func clock(_ ns: Int64) -> String {
        guard ns != Timestamp.unknown else { return "-" }
        let iso = Timestamp.iso8601(ns)
        let chars = Array(iso)
        return String(chars[11..<23])
    }
}
