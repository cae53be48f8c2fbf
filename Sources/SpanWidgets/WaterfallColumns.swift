import CellGrid
import SpanModel
import TraceLayout

/// The waterfall's columns, the same for the viewer and `print`: two mark cells (error, flag),
/// the tree and name, the service, the duration, then the bar, which takes what is left.
///
///     ✗⚑├─charge [outside parent]  payments     60ms ████████
///
/// A self-time column goes after the duration when asked for (`WaterfallDecorations.selfTimes`)
/// and there is room; `selfTime` is 0 without it.
///
///     ✗⚑├─charge [outside parent]  payments     60ms     30ms ████████
public struct WaterfallColumns: Hashable, Sendable {
    public var name: Int, service: Int, duration: Int, selfTime: Int, bar: Int

    /// The error mark is column 0, the flag mark column 1; names start at 2.
    public static let marks = 2
    public static let durationWidth = 8

    public var nameX: Int { Self.marks }
    public var serviceX: Int { nameX + name + 1 }
    public var durationX: Int { serviceX + service + 1 }
    public var selfTimeX: Int { durationX + duration + (selfTime > 0 ? 1 : 0) }
    public var barX: Int { selfTimeX + selfTime + 1 }
    public var width: Int { barX + bar }

    /// Columns for `width` cells and a widest service name of `longestService` cells, no self column.
    public init(width: Int, longestService: Int) {
        self.init(width: width, longestService: longestService, selfTime: false)
    }

    /// The bar's share of the width by default (the name column takes what the others leave).
    public static let defaultBarShare = 0.4

    /// The self column's width.
    public static let selfTimeWidth = 8
    /// The self column is shown only when the name column keeps at least this many cells.
    public static let nameMinimumWithSelfTime = 16

    /// Columns for `width` cells and a widest service name of `longestService` cells. With
    /// `selfTime`, a self column after the duration, its cells taken from the name column,
    /// when the name column keeps `nameMinimumWithSelfTime` cells (none otherwise).
    /// `barShare`: the bar's share of the width (0.4 by default); a smaller one leaves the
    /// name column more.
    public init(width: Int, longestService: Int, selfTime: Bool, barShare: Double = WaterfallColumns.defaultBarShare) {
        let duration = Self.durationWidth
        let service = min(max(longestService, 7), width >= 120 ? 20 : 14)
        var bar = max(8, Int(Double(width - Self.marks) * min(0.9, max(0.1, barShare))))
        var name = max(8, width - Self.marks - 1 - service - 1 - duration - 1 - bar)
        let total = Self.marks + name + 1 + service + 1 + duration + 1 + bar
        bar = max(1, bar - max(0, total - width))
        var selfWidth = 0
        if selfTime && name - Self.selfTimeWidth - 1 >= Self.nameMinimumWithSelfTime {
            selfWidth = Self.selfTimeWidth
            name -= selfWidth + 1
        }
        self.init(name: name, service: service, duration: duration, selfTime: selfWidth, bar: bar)
    }

    public init(name: Int, service: Int, duration: Int, selfTime: Int = 0, bar: Int) {
        self.name = name
        self.service = service
        self.duration = duration
        self.selfTime = selfTime
        self.bar = bar
    }
}

/// The axis line over the waterfall's rows: column titles, and ticks over the bar area
/// labelled with offsets from the trace's start (so they stay true when zoomed).
public struct WaterfallAxis: Widget {
    public var columns: WaterfallColumns
    public var scale: BarScale
    /// The trace's start (offsets are from it); `Timestamp.unknown` when no span has times:
    /// no ticks then.
    public var traceStart: Int64
    public var glyphs: Glyphs
    /// While zoomed: the whole trace's time, drawn as a one-line minimap in the name column's
    /// place, with the part the bars show marked.
    public var minimapOf: (start: Int64, end: Int64)?

    public init(columns: WaterfallColumns, scale: BarScale, traceStart: Int64, glyphs: Glyphs) {
        self.columns = columns
        self.scale = scale
        self.traceStart = traceStart
        self.glyphs = glyphs
    }

    public func render(in area: Rect, into grid: inout Grid) {
        guard area.height > 0 else { return }
        let c = columns
        if let full = minimapOf, c.name >= 6 {
            // [───███────]: the whole trace, the shown window in the accent colour.
            let cells = c.name - 2
            let length = Double(max(1, full.end - full.start))
            let a = Int((Double(scale.windowStart - full.start) / length * Double(cells)).rounded(.down))
            let b = Int((Double(scale.windowEnd - full.start) / length * Double(cells)).rounded(.up))
            let lo = max(0, min(cells - 1, a)), hi = max(lo + 1, min(cells, b))
            grid.put("[", x: c.nameX, y: 0, in: area, style: .muted)
            grid.fill(glyphs.axisLine, x: c.nameX + 1, y: 0, width: cells, in: area, style: .muted)
            grid.fill(glyphs.full, x: c.nameX + 1 + lo, y: 0, width: hi - lo, in: area, style: Style(.accent))
            grid.put("]", x: c.nameX + 1 + cells, y: 0, in: area, style: .muted)
        } else {
            grid.put("span", x: c.nameX, y: 0, in: area, style: .muted, maxWidth: c.name)
        }
        grid.put("service", x: c.serviceX, y: 0, in: area, style: .muted, maxWidth: c.service)
        grid.put("duration", x: c.durationX + max(0, c.duration - 8), y: 0, in: area, style: .muted, maxWidth: c.duration)
        if c.selfTime > 0 {
            grid.put("self", x: c.selfTimeX + max(0, c.selfTime - 4), y: 0, in: area, style: .muted, maxWidth: c.selfTime)
        }
        guard traceStart != Timestamp.unknown else { return }
        let axis = TimeAxis(scale: scale, spacing: 10)
        var nextFree = 0
        for tick in axis.ticks where tick.column >= nextFree {
            let offset = scale.windowStart - traceStart + tick.offset
            let label = glyphs.axisTick + (offset == 0 ? "0" : glyphs.duration(offset))
            if tick.column + DisplayWidth.of(label) > c.bar { break }
            nextFree = tick.column + grid.put(label, x: c.barX + tick.column, y: 0, in: area, style: .muted) + 1
        }
    }
}
