import CellGrid
import SpanModel
import SpanStore
import TraceLayout

/// The interactive waterfall: a time axis, then one row per visible span with tree guides,
/// a collapse marker, name, service, a bar on the axis and the duration beside it.
/// Only the rows on screen are laid out, so a 100,000-span trace costs what a 10-span one does.
public struct WaterfallWidget {
    public var tree: TraceTree
    public var rows: VisibleRows
    public var collapsed: Set<SpanID>
    public var selectedRow: Int
    public var topRow: Int
    /// The time window drawn across the bar area.
    public var windowStart: Int64
    public var windowEnd: Int64
    public var glyphs: Glyphs
    public var useColor: Bool
    /// The trace's earliest start (axis labels are offsets from it).
    public var traceStart: Int64
    /// The widest service name, in cells.
    public var longestService: Int
    /// Input is live: a missing parent may still arrive ("waiting for parent").
    public var parentsMayArrive = false

    public init(tree: TraceTree, rows: VisibleRows, collapsed: Set<SpanID>, selectedRow: Int, topRow: Int,
                windowStart: Int64, windowEnd: Int64, traceStart: Int64, longestService: Int, glyphs: Glyphs, useColor: Bool,
                parentsMayArrive: Bool = false) {
        self.parentsMayArrive = parentsMayArrive
        self.traceStart = traceStart
        self.longestService = longestService
        self.tree = tree
        self.rows = rows
        self.collapsed = collapsed
        self.selectedRow = selectedRow
        self.topRow = topRow
        self.windowStart = windowStart
        self.windowEnd = windowEnd
        self.glyphs = glyphs
        self.useColor = useColor
    }

    public struct Columns: Sendable {
        public var name: Int, service: Int, bar: Int, duration: Int
        public var serviceX: Int { 2 + name + 1 }
        public var barX: Int { serviceX + service + 1 }
        public var durationX: Int { barX + bar + 1 }
    }

    public static func columns(width: Int, longestService: Int) -> Columns {
        let duration = 8
        let service = min(max(longestService, 7), width >= 120 ? 20 : 14)
        let bar = max(8, (width - 2) * 2 / 5)
        let name = max(8, width - 2 - 1 - service - 1 - bar - 1 - duration)
        let total = 2 + name + 1 + service + 1 + bar + 1 + duration
        return Columns(name: name, service: service, bar: bar - max(0, total - width), duration: duration)
    }

    /// Draws the axis at `y` and the rows below it, `height` lines in all, `width` columns from x 0.
    public func draw(into grid: inout Grid, y: Int, height: Int, width: Int) {
        guard height > 0 else { return }
        let c = Self.columns(width: width, longestService: longestService)
        let scale = BarScale(windowStart: windowStart, windowEnd: windowEnd, columns: c.bar)

        // Axis: labels at round offsets from the trace start.
        grid.put("span", x: 2, y: y, style: .muted)
        grid.put("service", x: c.serviceX, y: y, style: .muted, maxWidth: c.service)
        if windowEnd > windowStart {
            let axis = TimeAxis(scale: scale, spacing: 10)
            let traceStart = self.traceStart == Timestamp.unknown ? windowStart : self.traceStart
            var nextFree = 0
            for tick in axis.ticks where tick.column >= nextFree {
                let offset = windowStart - traceStart + tick.offset
                let label = (glyphs.isASCII ? "|" : "╷") + (offset == 0 ? "0" : DurationText.format(offset))
                if tick.column + DisplayWidth.of(label) > c.bar { break }
                nextFree = tick.column + grid.put(label, x: c.barX + tick.column, y: y, style: .muted) + 1
            }
        }

        for line in 0..<(height - 1) {
            let row = topRow + line
            guard row < rows.count else { break }
            drawRow(row, into: &grid, y: y + 1 + line, width: width, columns: c, scale: scale)
        }
    }

    func drawRow(_ row: Int, into grid: inout Grid, y: Int, width: Int, columns c: Columns, scale: BarScale) {
        guard let index = rows.span(atRow: row) else {
            drawPlaceholder(row, into: &grid, y: y, width: width, columns: c)
            return
        }
        let span = tree.spans[index]
        let flags = tree.flags[index]
        let selected = row == selectedRow
        let base = selected ? Style(.default, background: .selection, [.bold]) : Style.plain
        func style(_ role: ColorRole, _ attributes: TextAttributes = []) -> Style {
            var s = base
            s.foreground = role
            s.attributes.formUnion(attributes)
            return s
        }
        if selected { grid.fill(" ", x: 0, y: y, width: width, style: base) }
        if span.isError { grid.put(glyphs.error, x: 0, y: y, style: style(.error, [.bold])) }

        var x = 2
        let limit = 2 + c.name
        for g in rows.guides(for: index, in: tree) {
            x += grid.put(glyphs.guide(g), x: x, y: y, style: style(.muted), maxWidth: limit - x)
        }
        if tree.hasChildren(index) {
            let folded = collapsed.contains(span.spanID)
            x += grid.put((folded ? glyphs.collapsed : glyphs.expanded) + " ", x: x, y: y, style: style(.accent), maxWidth: limit - x)
        }
        let nameStyle = span.isError ? style(.error, [.bold]) : base
        x += grid.put(span.name.isEmpty ? "(no name)" : span.name, x: x, y: y, style: nameStyle, maxWidth: limit - x)
        if tree.hasChildren(index) && collapsed.contains(span.spanID) {
            x += grid.put(" (+\(descendants(of: index)))", x: x, y: y, style: style(.muted), maxWidth: limit - x)
        }
        for tag in tags(index, flags) where x < limit {
            x += grid.put(" " + tag, x: x, y: y, style: style(.warning), maxWidth: limit - x)
        }

        let service = span.serviceName ?? ""
        let role = ColorRole.service(service)
        grid.put(service, x: c.serviceX, y: y, style: style(role), maxWidth: c.service)

        if let bar = scale.bar(start: span.startTime, end: span.endTime) {
            BarPainter.draw(into: &grid, y: y, x: c.barX, bar: bar, role: span.isError ? .error : role,
                            glyphs: glyphs, useColor: useColor)
            if selected {
                // Keep the selection visible behind the bar's empty cells.
                for column in 0..<c.bar where grid[c.barX + column, y].text == " " {
                    grid.setStyle(base, x: c.barX + column, y: y)
                }
            }
        } else if span.hasTimes {
            // Wholly outside the zoomed window: point to where it is.
            let before = max(span.startTime, span.endTime) < windowStart
            grid.put(before ? (glyphs.isASCII ? "<" : "◂") : (glyphs.isASCII ? ">" : "▸"),
                     x: before ? c.barX : c.barX + c.bar - 1, y: y, style: style(span.isError ? .error : role))
        }
        let duration = DurationText.format(span.duration)
        let dw = DisplayWidth.of(duration)
        grid.put(duration, x: c.durationX + max(0, c.duration - dw), y: y, style: span.isError ? style(.error) : base, maxWidth: c.duration)
    }

    /// Spans hidden under a collapsed span.
    func descendants(of index: Int) -> Int { Int(tree.subtreeSize[index]) - 1 }

    /// A missing parent's row: what is missing and how many spans wait for it.
    func drawPlaceholder(_ row: Int, into grid: inout Grid, y: Int, width: Int, columns c: Columns) {
        guard let placeholder = rows.placeholder(atRow: row) else { return }
        let selected = row == selectedRow
        let base = selected ? Style(.warning, background: .selection, [.bold]) : Style(.warning)
        if selected { grid.fill(" ", x: 0, y: y, width: width, style: base) }
        let waiting = placeholder.orphans.count
        // The short ID fits the name column; the detail pane has the whole one.
        let text = (parentsMayArrive ? "waiting for parent " : "missing parent ") + String(placeholder.parentID.hex.prefix(8))
            + " (\(waiting) span\(waiting == 1 ? "" : "s"))"
        let x = grid.put(glyphs.isASCII ? "? " : "⋯ ", x: 2, y: y, style: base, maxWidth: c.name)
        grid.put(text, x: 2 + x, y: y, style: base, maxWidth: c.name - x)
    }

    func tags(_ index: Int, _ flags: SpanFlags) -> [String] {
        var tags: [String] = []
        if flags.contains(.orphan) && !rows.isUnderPlaceholder(index) { tags.append("[no parent]") }
        if flags.contains(.cycle) { tags.append("[cycle]") }
        if !flags.isDisjoint(with: .clockProblems) { tags.append("[clock]") }
        if flags.contains(.duplicated) { tags.append("[dup ×\(Int(tree.copiesDropped[Int32(index)] ?? 0) + 1)]") }
        if flags.contains(.idCollision) { tags.append("[id reused]") }
        return tags
    }

    /// The row at screen line `line` below the axis, if any.
    public func row(atLine line: Int) -> Int? {
        let row = topRow + line
        return row >= 0 && row < rows.count ? row : nil
    }
}
