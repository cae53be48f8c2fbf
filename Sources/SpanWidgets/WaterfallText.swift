import CellGrid
import SpanModel
import SpanStore
import TraceLayout

/// The text waterfall of one trace that `spanview print` writes: a header, a time axis,
/// then one line per span with tree guides, name, service, duration and a bar.
public struct WaterfallText: Sendable {
    public let tree: TraceTree
    public let summary: TraceSummary
    public let rows: VisibleRows
    public let width: Int
    public let glyphs: Glyphs
    public let useColor: Bool

    /// The widths it draws at; a width outside is taken as the nearest bound (a grid as wide
    /// as `Int.max` could not be allocated, and nobody reads a 10,000-column line).
    public static let widths = 40...1000

    public init(tree: TraceTree, width: Int, glyphs: Glyphs = .unicode, useColor: Bool = false) {
        self.tree = tree
        self.summary = TraceSummary(tree)
        self.rows = VisibleRows(tree: tree, groupOrphans: false)
        self.width = min(max(Self.widths.lowerBound, width), Self.widths.upperBound)
        self.glyphs = glyphs
        self.useColor = useColor
    }

    // MARK: - Columns

    struct Columns {
        var name: Int, service: Int, duration: Int, bar: Int
        var serviceX: Int { 2 + name + 1 }
        var durationX: Int { serviceX + service + 1 }
        var barX: Int { durationX + duration + 1 }
    }

    var columns: Columns {
        let longestService = summary.services.map { DisplayWidth.of(TerminalText.escaped($0)) }.max() ?? 0
        let service = min(max(longestService, 7), 18)
        let duration = 8
        let bar = max(10, width * 2 / 5)
        let name = max(10, width - 2 - 1 - service - 1 - duration - 1 - bar)
        return Columns(name: name, service: service, duration: duration, bar: width - (2 + name + 1 + service + 1 + duration + 1))
    }

    var scale: BarScale {
        BarScale(windowStart: summary.startTime == Timestamp.unknown ? 0 : summary.startTime,
                 windowEnd: summary.endTime == Timestamp.unknown ? 1 : summary.endTime,
                 columns: columns.bar)
    }

    /// Header and axis lines before the rows.
    public var headerHeight: Int { 2 }

    // MARK: - Drawing

    /// The header and axis.
    public func header() -> Grid {
        var grid = Grid(width: width, height: headerHeight)
        var x = grid.put("Trace ", x: 0, y: 0, style: .bold)
        x += grid.put(tree.traceID.hex, x: x, y: 0, style: Style(.accent, [.bold]))
        // Facts, then problems, then services: each piece whole or not at all.
        var pieces: [(String, Style)] = [("  " + DurationText.format(summary.duration), .plain),
                                         (" · " + plural(summary.spanCount, "span"), .plain)]
        if summary.depth > 1 { pieces.append((" · depth \(summary.depth)", .plain)) }
        if summary.errorCount > 0 { pieces.append((" · " + plural(summary.errorCount, "error"), .error)) }
        if !summary.orphanNames.isEmpty { pieces.append((" · " + plural(summary.orphanNames.count, "orphan"), Style(.warning))) }
        if summary.duplicateCount > 0 { pieces.append((" · " + plural(summary.duplicateCount, "duplicate"), Style(.warning))) }
        if summary.negativeDurationCount > 0 { pieces.append((" · \(summary.negativeDurationCount) ending before start", Style(.warning))) }
        if summary.outsideParentCount > 0 { pieces.append((" · \(summary.outsideParentCount) outside parent", Style(.warning))) }
        for (n, (text, style)) in pieces.enumerated() {
            let w = DisplayWidth.of(text)
            let more = n + 1 < pieces.count
            if x + w + (more ? 2 : 0) > width {
                grid.put(glyphs.isASCII ? " ..." : " …", x: x, y: 0, style: .muted)
                return axis(into: grid)
            }
            x += grid.put(text, x: x, y: 0, style: style)
        }
        // Services last, and only whole: a name cut in half reads as another service.
        var services = summary.services
        while !services.isEmpty {
            let text = " · " + services.joined(separator: ", ") + (services.count < summary.services.count ? ", …" : "")
            if x + DisplayWidth.of(text) <= width {
                grid.put(text, x: x, y: 0, style: .muted)
                break
            }
            services.removeLast()
        }
        return axis(into: grid)
    }

    private func axis(into header: Grid) -> Grid {
        var grid = header
        // Axis: tick labels over the bar area.
        let c = columns
        grid.put("span", x: 2, y: 1, style: .muted)
        grid.put("service", x: c.serviceX, y: 1, style: .muted)
        grid.put(String(repeating: " ", count: c.duration - 8) + "duration", x: c.durationX, y: 1, style: .muted)
        if summary.duration != nil {
            let axis = TimeAxis(scale: scale, spacing: 10)
            var nextFree = 0
            for tick in axis.ticks where tick.column >= nextFree {
                let label = glyphs.isASCII ? "|" + tick.label : "╷" + tick.label
                if tick.column + DisplayWidth.of(label) > c.bar { break }
                nextFree = tick.column + grid.put(label, x: c.barX + tick.column, y: 1, style: .muted) + 1
            }
        }
        return grid
    }

    /// Rows `range` (indices into `rows`), one line each.
    public func body(_ range: Range<Int>) -> Grid {
        var grid = Grid(width: width, height: range.count)
        let c = columns
        let scale = self.scale
        for (y, row) in range.enumerated() {
            let index = Int(rows.rows[row])
            let span = tree.spans[index]
            let flags = tree.flags[index]
            if span.isError { grid.put(glyphs.error, x: 0, y: y, style: .error) }

            // Guides and name, then problem tags, clipped to the name column.
            var x = 2
            let limit = 2 + c.name
            for g in tree.guides(for: index) {
                x += grid.put(glyphs.guide(g), x: x, y: y, style: .muted, maxWidth: limit - x)
            }
            let name = span.name.isEmpty ? "(no name)" : span.name
            let nameWidth = DisplayWidth.of(TerminalText.escaped(name))
            x += grid.put(name, x: x, y: y, style: span.isError ? .error : .plain, maxWidth: limit - x)
            var cut = nameWidth > x - 2
            for tag in tags(for: index, flags: flags) {
                let text = " [" + tag + "]"
                let used = grid.put(text, x: x, y: y, style: Style(.warning), maxWidth: limit - x)
                if used < DisplayWidth.of(text) { cut = true }
                x += used
                if x >= limit { break }
            }
            if cut {
                grid.put(glyphs.isASCII ? "~" : "…", x: limit - 1, y: y, style: .muted, maxWidth: 1)
            }

            let service = span.serviceName ?? ""
            let role = ColorRole.service(service)
            grid.put(service, x: c.serviceX, y: y, style: Style(role), maxWidth: c.service)

            let duration = DurationText.format(span.duration)
            let dw = DisplayWidth.of(duration)
            grid.put(duration, x: c.durationX + max(0, c.duration - dw), y: y,
                     style: span.isError ? .error : .plain, maxWidth: c.duration)

            if let bar = scale.bar(start: span.startTime, end: span.endTime) {
                BarPainter.draw(into: &grid, y: y, x: c.barX, bar: bar, role: span.isError ? .error : role,
                                glyphs: glyphs, useColor: useColor)
            }
        }
        return grid
    }

    /// Short labels for what the tree builder flagged.
    func tags(for index: Int, flags: SpanFlags) -> [String] {
        var tags: [String] = []
        if flags.contains(.orphan) { tags.append("orphan: parent \(tree.spans[index].parentSpanID.hex) missing") }
        if flags.contains(.cycle) { tags.append("parent cycle") }
        if flags.contains(.negativeDuration) { tags.append("ends before start") }
        if flags.contains(.outsideParent) { tags.append("outside parent") }
        if flags.contains(.duplicated) { tags.append("×\(Int(tree.copiesDropped[Int32(index)] ?? 0) + 1) copies") }
        if flags.contains(.idCollision) { tags.append("span ID reused") }
        return tags
    }
}

func plural(_ n: Int, _ word: String) -> String { "\(n) \(word)\(n == 1 ? "" : "s")" }
