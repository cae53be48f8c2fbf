import CellGrid
import SpanModel
import SpanStore
import TraceLayout

/// What is drawn over the waterfall's rows besides the spans themselves: filled in by
/// features (search matches, the critical path), empty by default. The widget draws each
/// channel when it is there, so a feature only fills it.
public struct WaterfallDecorations: Sendable {
    /// Spans to highlight (search matches), by index in the tree; nil: none. A highlighted
    /// span's name is underlined.
    public var highlighted: Set<Int32>?
    /// The critical path: for each span on it (by index in the tree), the parts of its time
    /// that are on the path. Its row is marked (the duration in bold accent, seen without
    /// colour too) and those parts of its bar are drawn in the accent colour.
    public var critical: [Int32: [Range<Int64>]]?
    /// Per span (indexed like the tree's spans), its self time (`SelfTime.compute`); nil:
    /// none. Shown in a `self` column after the duration when the width has room for it
    /// (`WaterfallColumns.init(width:longestService:selfTime:)`).
    public var selfTimes: [Int64]?

    public init(highlighted: Set<Int32>? = nil, critical: [Int32: [Range<Int64>]]? = nil, selfTimes: [Int64]? = nil) {
        self.highlighted = highlighted
        self.critical = critical
        self.selfTimes = selfTimes
    }

    public static let none = WaterfallDecorations()

    public var isEmpty: Bool { highlighted == nil && critical == nil && selfTimes == nil }
}

/// The waterfall of one trace, for the viewer and for `spanview print` alike: an axis line
/// (optional), then one row per visible span (marks, tree guides, name and flags, service,
/// duration, bar). Only the rows in the area are laid out, so a 100,000-span trace costs
/// what a 10-span one does; `print` renders the same rows a chunk at a time.
public struct WaterfallWidget: Widget {
    /// The trace and figures of it computed once (not per frame).
    public struct Trace: Sendable {
        public var tree: TraceTree
        public var rows: VisibleRows
        /// The earliest start and latest end; `Timestamp.unknown` start when no span has times.
        public var start: Int64
        public var end: Int64
        /// The widest service name, in cells.
        public var longestService: Int
        /// Error spans in each span's subtree (itself included), for what a folded row hides;
        /// nil: not counted (folded rows then give only the spans they hide).
        public var subtreeErrors: [Int32]?

        public init(tree: TraceTree, rows: VisibleRows, start: Int64, end: Int64, longestService: Int, subtreeErrors: [Int32]? = nil) {
            self.tree = tree
            self.rows = rows
            self.start = start
            self.end = end
            self.longestService = longestService
            self.subtreeErrors = subtreeErrors
        }

        /// Error spans in each span's subtree, itself included (children before parents).
        public static func subtreeErrors(_ tree: TraceTree) -> [Int32] {
            var counts = [Int32](repeating: 0, count: tree.count)
            for i in tree.spans.indices where tree.spans[i].isError { counts[i] = 1 }
            // Deepest first, each adds itself to its parent: spans bucketed by depth (a counting
            // sort, O(n): this runs each time live spans change the tree).
            let levels = tree.depthCount
            var start = [Int](repeating: 0, count: levels + 1)
            for d in tree.depth { start[Int(d) + 1] += 1 }
            for l in 0..<levels { start[l + 1] += start[l] }
            var byDepth = [Int32](repeating: 0, count: tree.count)
            var fill = start
            for i in tree.spans.indices {
                let d = Int(tree.depth[i])
                byDepth[fill[d]] = Int32(i)
                fill[d] += 1
            }
            for i in byDepth.reversed() where tree.parent[Int(i)] >= 0 {
                counts[Int(tree.parent[Int(i)])] += counts[Int(i)]
            }
            return counts
        }

        /// Figures from the tree (one pass over its spans).
        public init(tree: TraceTree, rows: VisibleRows) {
            var start = Int64.max, end = Int64.min, longest = 0
            var last: ObjectIdentifier?
            for span in tree.spans {
                if span.startTime != Timestamp.unknown { start = min(start, span.startTime) }
                if span.endTime != Timestamp.unknown { end = max(end, span.endTime) }
                let resource = ObjectIdentifier(span.resource)
                if resource != last {
                    longest = max(longest, DisplayWidth.of(TerminalText.escaped(span.serviceName ?? "")))
                    last = resource
                }
            }
            self.init(tree: tree, rows: rows, start: start == Int64.max ? Timestamp.unknown : start,
                      end: end == Int64.min ? Timestamp.unknown : end, longestService: longest)
        }

        /// The whole trace's time, never empty ((0, 1) without times).
        public var fullWindow: (start: Int64, end: Int64) {
            start == Timestamp.unknown || end == Timestamp.unknown ? (0, 1) : (start, max(end, start + 1))
        }
    }

    /// Where the user is: the first row drawn, the cursor, the zoom, what is collapsed.
    public struct State: Sendable {
        public var topRow: Int
        /// The cursor's row; nil: none (print).
        public var selectedRow: Int?
        public var collapsed: Set<SpanID>
        /// The time drawn across the bar area; nil: the whole trace.
        public var window: (start: Int64, end: Int64)?
        /// Whether the first line of the area is the axis.
        public var showsAxis: Bool

        public init(topRow: Int = 0, selectedRow: Int? = nil, collapsed: Set<SpanID> = [],
                    window: (start: Int64, end: Int64)? = nil, showsAxis: Bool = true) {
            self.topRow = topRow
            self.selectedRow = selectedRow
            self.collapsed = collapsed
            self.window = window
            self.showsAxis = showsAxis
        }
    }

    /// How it is drawn.
    public struct Options: Sendable {
        public var glyphs: Glyphs
        public var useColor: Bool
        /// ▾/▸ before spans with children (the viewer, where they fold).
        public var foldMarkers: Bool
        /// Input is live: a missing parent may still arrive ("waiting for parent").
        public var parentsMayArrive: Bool
        /// The bar's share of the width (`WaterfallColumns.defaultBarShare`); less gives the
        /// name column more.
        public var barShare: Double
        /// Events marked on the bars (the viewer; `print` keeps its bars plain).
        public var eventMarks: Bool

        public init(glyphs: Glyphs = .unicode, useColor: Bool = false, foldMarkers: Bool = false, parentsMayArrive: Bool = false,
                    barShare: Double = WaterfallColumns.defaultBarShare, eventMarks: Bool = false) {
            self.glyphs = glyphs
            self.useColor = useColor
            self.foldMarkers = foldMarkers
            self.parentsMayArrive = parentsMayArrive
            self.barShare = barShare
            self.eventMarks = eventMarks
        }
    }

    public var trace: Trace
    public var state: State
    public var options: Options
    public var decorations: WaterfallDecorations

    public init(trace: Trace, state: State = State(), options: Options = Options(), decorations: WaterfallDecorations = .none) {
        self.trace = trace
        self.state = state
        self.options = options
        self.decorations = decorations
    }

    var tree: TraceTree { trace.tree }
    var rows: VisibleRows { trace.rows }
    var glyphs: Glyphs { options.glyphs }

    public func columns(width: Int) -> WaterfallColumns {
        WaterfallColumns(width: width, longestService: trace.longestService, selfTime: decorations.selfTimes != nil,
                         barShare: options.barShare)
    }

    public func scale(_ columns: WaterfallColumns) -> BarScale {
        let window = state.window ?? trace.fullWindow
        return BarScale(windowStart: window.start, windowEnd: window.end, columns: columns.bar)
    }

    public func render(in area: Rect, into grid: inout Grid) {
        guard area.height > 0, area.width > 0 else { return }
        let c = columns(width: area.width)
        let scale = self.scale(c)
        var body = area
        if state.showsAxis {
            let (axisArea, rest) = area.splitRows(top: 1)
            var axis = WaterfallAxis(columns: c, scale: scale, traceStart: trace.start, glyphs: glyphs)
            if state.window != nil { axis.minimapOf = trace.fullWindow }
            axis.render(in: axisArea, into: &grid)
            body = rest
        }
        for line in 0..<body.height {
            let row = state.topRow + line
            guard row < rows.count else { break }
            drawRow(row, in: body.row(line), into: &grid, columns: c, scale: scale)
        }
    }

    /// The row at line `line` of the area (the axis, if shown, is not a row).
    public func row(atLine line: Int) -> Int? {
        let row = state.topRow + line - (state.showsAxis ? 1 : 0)
        return row >= state.topRow && row < rows.count ? row : nil
    }

    // MARK: - Rows

    func drawRow(_ row: Int, in area: Rect, into grid: inout Grid, columns c: WaterfallColumns, scale: BarScale) {
        guard let index = rows.span(atRow: row) else {
            drawPlaceholder(row, in: area, into: &grid, columns: c)
            return
        }
        let span = tree.spans[index]
        let selected = row == state.selectedRow
        let base = selected ? Style(.default, background: .selection, [.bold]) : Style.plain
        func style(_ role: ColorRole, _ attributes: TextAttributes = []) -> Style {
            var s = base
            s.foreground = role
            s.attributes.formUnion(attributes)
            return s
        }
        if selected { grid.fill(" ", x: 0, y: 0, width: area.width, in: area, style: base) }
        if span.isError { grid.put(glyphs.error, x: 0, y: 0, in: area, style: style(.error, [.bold])) }
        var flags = tree.flags[index]
        if rows.isUnderPlaceholder(index) { flags.remove(.orphan) }   // its placeholder row says so
        let tags = SpanFlagText.tags(flags, copies: Int(tree.copiesDropped[Int32(index)] ?? 0) + 1, glyphs: glyphs)
        // In a fixed place, so a flag whose words the name column cuts off is still seen.
        if !tags.isEmpty { grid.put(glyphs.flag, x: 1, y: 0, in: area, style: style(.warning, [.bold])) }

        // Guides, fold marker, name, hidden count and flags, clipped to the name column; a cut
        // ends in an ellipsis.
        let limit = c.nameX + c.name
        var x = c.nameX
        for g in rows.guides(for: index, in: tree) {
            x += grid.put(glyphs.guide(g), x: x, y: 0, in: area, style: style(.muted), maxWidth: limit - x)
        }
        let hasChildren = tree.hasChildren(index)
        let folded = hasChildren && state.collapsed.contains(span.spanID)
        if options.foldMarkers && hasChildren {
            x += grid.put((folded ? glyphs.collapsed : glyphs.expanded) + " ", x: x, y: 0, in: area, style: style(.accent), maxWidth: limit - x)
        }
        let name = span.name.isEmpty ? "(no name)" : span.name
        var nameStyle = span.isError ? style(.error, [.bold]) : base
        if decorations.highlighted?.contains(Int32(index)) == true { nameStyle.attributes.insert(.underline) }
        let nameX = x
        x += grid.put(name, x: x, y: 0, in: area, style: nameStyle, maxWidth: limit - x)
        var cut = DisplayWidth.of(TerminalText.escaped(name)) > x - nameX
        var extras: [(String, Style)] = []
        if folded {
            // What the fold hides: its spans, and its errors (the span's own is on its row).
            let hiddenErrors = trace.subtreeErrors.map { Int($0[index]) - (span.isError ? 1 : 0) } ?? 0
            extras.append((" (+\(Int(tree.subtreeSize[index]) - 1)", style(.muted)))
            if hiddenErrors > 0 { extras.append((" \(hiddenErrors)\(glyphs.error)", style(.error, [.bold]))) }
            extras.append((")", style(.muted)))
        }
        for tag in tags { extras.append((" [" + tag + "]", style(.warning))) }
        for (text, textStyle) in extras {
            if x >= limit { cut = true; break }
            let used = grid.put(text, x: x, y: 0, in: area, style: textStyle, maxWidth: limit - x)
            if used < DisplayWidth.of(text) { cut = true }
            x += used
        }
        if cut { grid.put(glyphs.ellipsis, x: limit - 1, y: 0, in: area, style: style(.muted), maxWidth: 1) }

        let service = span.serviceName ?? ""
        let role = ColorRole.service(service)
        grid.put(service, x: c.serviceX, y: 0, in: area, style: style(role), maxWidth: c.service)

        let duration = glyphs.duration(span.duration)
        let dw = DisplayWidth.of(duration)
        let critical = decorations.critical?[Int32(index)]
        let durationStyle = critical != nil ? style(span.isError ? .error : .accent, [.bold]) : span.isError ? style(.error) : base
        grid.put(duration, x: c.durationX + max(0, c.duration - dw), y: 0, in: area, style: durationStyle, maxWidth: c.duration)
        if c.selfTime > 0, let selfTimes = decorations.selfTimes {
            let value = span.hasTimes && index < selfTimes.count ? selfTimes[index] : nil
            let text = glyphs.duration(value)
            grid.put(text, x: c.selfTimeX + max(0, c.selfTime - DisplayWidth.of(text)), y: 0, in: area, style: base, maxWidth: c.selfTime)
        }

        let barArea = Rect(x: area.x + c.barX, y: area.y, width: min(c.bar, max(0, area.width - c.barX)), height: 1)
        if let bar = scale.bar(start: span.startTime, end: span.endTime) {
            BarPainter.draw(into: &grid, y: barArea.y, x: barArea.x, bar: bar, role: span.isError ? .error : role,
                            glyphs: glyphs, useColor: options.useColor)
            if selected {
                // Keep the selection visible behind the bar's empty cells.
                for column in 0..<barArea.width where grid.cell(x: column, y: 0, in: barArea)?.text == " " {
                    grid.setStyle(base, x: column, y: 0, width: 1, in: barArea)
                }
            }
        } else if span.hasTimes {
            // Wholly outside the zoomed window: point to where it is.
            let before = max(span.startTime, span.endTime) < scale.windowStart
            grid.put(before ? glyphs.before : glyphs.after, x: before ? 0 : barArea.width - 1, y: 0, in: barArea,
                     style: style(span.isError ? .error : role))
        }
        if let segments = critical {
            for segment in segments {
                guard let bar = scale.bar(start: segment.lowerBound, end: segment.upperBound) else { continue }
                if options.useColor {
                    BarPainter.draw(into: &grid, y: barArea.y, x: barArea.x, bar: bar, role: .accent, glyphs: glyphs, useColor: true)
                } else {
                    // Without colour the path's cells are drawn with their own glyph.
                    let first = max(0, bar.startEighth / 8), last = min(barArea.width, (bar.endEighth + 7) / 8)
                    if last > first {
                        grid.fill(glyphs.criticalBar, x: first, y: 0, width: last - first, in: barArea, style: style(.accent, [.bold]))
                    }
                }
            }
        }
        if options.eventMarks && span.details.eventCount > 0 {
            // Each event where it happened on the bar (an exception in the error colour).
            for event in span.events where event.time != Timestamp.unknown {
                let eighth = scale.eighths(event.time)
                guard eighth >= 0, eighth < Double(barArea.width * 8) else { continue }
                let column = min(barArea.width - 1, Int(eighth / 8))
                grid.put(glyphs.eventMark, x: column, y: 0, in: barArea,
                         style: style(event.isException ? .error : .default, [.bold]))
            }
        }
    }

    /// A missing parent's row: what is missing and how many spans wait for it.
    func drawPlaceholder(_ row: Int, in area: Rect, into grid: inout Grid, columns c: WaterfallColumns) {
        guard let placeholder = rows.placeholder(atRow: row) else { return }
        let selected = row == state.selectedRow
        let base = selected ? Style(.warning, background: .selection, [.bold]) : Style(.warning)
        if selected { grid.fill(" ", x: 0, y: 0, width: area.width, in: area, style: base) }
        let waiting = placeholder.orphans.count
        // The short ID fits the name column; the detail pane has the whole one.
        let text = (options.parentsMayArrive ? "waiting for parent " : "missing parent ") + String(placeholder.parentID.hex.prefix(8))
            + " (\(waiting) span\(waiting == 1 ? "" : "s"))"
        let x = grid.put(glyphs.placeholder + " ", x: c.nameX, y: 0, in: area, style: base, maxWidth: c.name)
        grid.put(text, x: c.nameX + x, y: 0, in: area, style: base, maxWidth: c.name - x)
    }
}
