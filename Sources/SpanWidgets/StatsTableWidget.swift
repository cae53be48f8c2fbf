import CellGrid
import SpanAnalysis

/// A trace's statistics as a table, like Jaeger UI's "Trace Statistics": a header row naming
/// the grouping (`by service`, `by operation`, `by http.route`) and marking the sorted column,
/// then one row per group: name, count, errors, total/avg/min/max duration, the same of self
/// time, and self time as a share of the trace.
///
///       by operation              COUNT ERRORS    TOTAL      AVG ▼SELF   SELF %
///     ✗ payments: charge              1      1     60ms     60ms   30ms      25%
///
/// Columns that do not fit are dropped (`StatsTableLayout`); the name column shrinks first,
/// down to its minimum, cut with an ellipsis. Numbers are right-aligned, durations written by
/// `DurationText`. The rows are drawn in the state's sort order (the widget sorts a copy of
/// `stats`, which is cheap for the tens of groups a trace has).
public struct StatsTableWidget: Widget {
    /// Where the user is: the cursor, the first row drawn, the sort.
    public struct State: SortedTableCursor, Sendable, Equatable {
        /// The cursor, an index into the sorted rows.
        public var selectedRow: Int
        /// The first row drawn under the header.
        public var topRow: Int
        public var sortColumn: StatsColumn
        public var ascending: Bool

        /// Sorted by self time, largest first, to begin with (as `TraceStatistics` is).
        public init(selectedRow: Int = 0, topRow: Int = 0, sortColumn: StatsColumn = .selfTotal, ascending: Bool? = nil) {
            self.selectedRow = selectedRow
            self.topRow = topRow
            self.sortColumn = sortColumn
            self.ascending = ascending ?? sortColumn.defaultAscending
        }

        public var sortedBy: StatsColumn {
            get { sortColumn }
            set { sortColumn = newValue }
        }

        public static func startsAscending(_ column: StatsColumn) -> Bool { column.defaultAscending }

    }

    /// How it is drawn.
    public struct Options: Sendable {
        public var glyphs: Glyphs
        /// Draw the cursor's row (off for a table that is not focused).
        public var showsSelection: Bool

        public init(glyphs: Glyphs = .unicode, showsSelection: Bool = true) {
            self.glyphs = glyphs
            self.showsSelection = showsSelection
        }
    }

    /// The statistics, rows in the state's order.
    public let stats: TraceStatistics
    public var state: State
    public var options: Options

    /// Sorts a copy of `stats` as `state` says.
    public init(stats: TraceStatistics, state: State = State(), options: Options = Options()) {
        self.stats = stats.sorted(by: state.sortColumn, ascending: state.ascending)
        self.state = state
        self.options = options
    }

    var glyphs: Glyphs { options.glyphs }

    /// The rows under the header, in the order drawn.
    public var rows: [StatsRow] { stats.rows }

    /// The columns drawn in `width` cells.
    public func layout(width: Int) -> StatsTableLayout {
        StatsTableLayout(width: width, sortColumn: state.sortColumn, longestName: longestName)
    }

    /// The widest name cell's text, in cells (the name column is no wider than this needs).
    var longestName: Int {
        var longest = DisplayWidth.of(StatsTableLayout.title(stats.grouping)) + 1
        for row in stats.rows {
            longest = max(longest, DisplayWidth.of(TerminalText.escaped(Self.name(of: row, grouping: stats.grouping))))
        }
        return longest
    }

    /// A row's name cell: the service, `service: operation`, or the attribute value (`(none)`
    /// for the spans without the attribute; `(no service)` for spans without `service.name`).
    public static func name(of row: StatsRow, grouping: StatsGrouping) -> String {
        let service = row.service.map { $0.isEmpty ? "(no service)" : $0 }
        switch grouping {
        case .service: return service ?? "(no service)"
        case .operation: return (service ?? "(no service)") + ": " + (row.name.map { $0.isEmpty ? "(no name)" : $0 } ?? "")
        case .attribute: return row.name ?? "(none)"
        }
    }

    /// The row at line `line` of the area (line 0 is the header).
    public func row(atLine line: Int) -> Int? {
        guard line >= 1 else { return nil }
        let row = state.topRow + line - 1
        return row < stats.rows.count ? row : nil
    }

    public func render(in area: Rect, into grid: inout Grid) {
        guard area.height > 0, area.width > 0 else { return }
        let layout = self.layout(width: area.width)
        drawHeader(layout, in: area.row(0), into: &grid)
        for line in 1..<area.height {
            let n = state.topRow + line - 1
            guard n >= 0, n < stats.rows.count else { break }
            drawRow(stats.rows[n], selected: options.showsSelection && n == state.selectedRow, layout,
                    in: area.row(line), into: &grid)
        }
    }

    func drawHeader(_ layout: StatsTableLayout, in area: Rect, into grid: inout Grid) {
        let header = Style(.muted, [.bold]), sorted = Style(.accent, [.bold])
        let sortedColumn = StatsTableLayout.Column(sortKey: state.sortColumn)
        let mark = state.ascending ? glyphs.ascending : glyphs.descending
        for placed in layout.columns {
            let isSorted = placed.column == sortedColumn
            let style = isSorted ? sorted : header
            if placed.column == .name {
                var title = StatsTableLayout.title(stats.grouping)
                if isSorted { title += " " + mark }
                grid.put(title, x: placed.x, y: 0, in: area, style: style, maxWidth: placed.width)
            } else {
                let title = (isSorted ? mark : "") + placed.column.title
                let w = DisplayWidth.of(title)
                grid.put(title, x: placed.x + max(0, placed.width - w), y: 0, in: area, style: style, maxWidth: placed.width)
            }
        }
    }

    func drawRow(_ row: StatsRow, selected: Bool, _ layout: StatsTableLayout, in area: Rect, into grid: inout Grid) {
        let base = selected ? Style(.default, background: .selection, [.bold]) : Style.plain
        func style(_ role: ColorRole, _ attributes: TextAttributes = []) -> Style {
            var s = base
            s.foreground = role
            s.attributes.formUnion(attributes)
            return s
        }
        if selected { grid.fill(" ", x: 0, y: 0, width: area.width, in: area, style: base) }
        if row.errors > 0 { grid.put(glyphs.error, x: 0, y: 0, in: area, style: style(.error, [.bold]), maxWidth: 1) }
        for placed in layout.columns {
            switch placed.column {
            case .name:
                drawName(row, x: placed.x, width: placed.width, base: base, in: area, into: &grid)
            case .errors:
                let text = row.errors > 0 ? String(row.errors) : glyphs.none
                right(text, placed, row.errors > 0 ? style(.error, [.bold]) : style(.muted), area, &grid)
            default:
                right(placed.column.text(row, glyphs: glyphs), placed, base, area, &grid)
            }
        }
    }

    func right(_ text: String, _ placed: StatsTableLayout.Placed, _ style: Style, _ area: Rect, _ grid: inout Grid) {
        let w = DisplayWidth.of(text)
        grid.put(text, x: placed.x + max(0, placed.width - w), y: 0, in: area, style: style, maxWidth: placed.width)
    }

    /// The service in its colour, then `: ` and the operation, or the attribute value; cut
    /// with an ellipsis.
    func drawName(_ row: StatsRow, x: Int, width: Int, base: Style, in area: Rect, into grid: inout Grid) {
        guard width > 0 else { return }
        var parts: [(String, Style)] = []
        var serviceStyle = base
        serviceStyle.foreground = ColorRole.service(row.service ?? "")
        let service = row.service.map { $0.isEmpty ? "(no service)" : $0 } ?? "(no service)"
        switch stats.grouping {
        case .service:
            parts = [(service, serviceStyle)]
        case .operation:
            parts = [(service, serviceStyle), (": ", base), (row.name.map { $0.isEmpty ? "(no name)" : $0 } ?? "", base)]
        case .attribute:
            var muted = base
            muted.foreground = .muted
            parts = [row.name.map { ($0, base) } ?? ("(none)", muted)]
        }
        var column = x, cut = false
        for (text, style) in parts {
            let room = x + width - column
            if room <= 0 { cut = true; break }
            let used = grid.put(text, x: column, y: 0, in: area, style: style, maxWidth: room)
            if used < DisplayWidth.of(TerminalText.escaped(text)) { cut = true }
            column += used
        }
        if cut {
            var muted = base
            muted.foreground = .muted
            grid.put(glyphs.ellipsis, x: x + width - 1, y: 0, in: area, style: muted, maxWidth: 1)
        }
    }
}

/// Which columns of the statistics table fit a width, and where: pure geometry, for the
/// widget and for an app that maps a click or a key to a column.
///
/// Every column but the name has a fixed width. The name column takes what is left, no more
/// than its longest name needs, and no less than `nameMinimum` (or what the area has). When
/// the columns do not all fit, they are dropped by `dropOrder`, the least useful first, until
/// they do; the sorted column is always kept. The columns that stay keep their table order.
public struct StatsTableLayout: Hashable, Sendable {
    /// A column of the table.
    public enum Column: Int, CaseIterable, Sendable {
        case name, count, errors, total, avg, min, max, selfTotal, selfAvg, selfMin, selfMax, selfPercent

        /// The column that shows a sort key (service and name are both the name column).
        public init(sortKey: StatsColumn) {
            switch sortKey {
            case .service, .name: self = .name
            case .count: self = .count
            case .errors: self = .errors
            case .total: self = .total
            case .avg: self = .avg
            case .min: self = .min
            case .max: self = .max
            case .selfTotal: self = .selfTotal
            case .selfAvg: self = .selfAvg
            case .selfMin: self = .selfMin
            case .selfMax: self = .selfMax
            case .selfPercent: self = .selfPercent
            }
        }

        /// The sort key of the column: the name column sorts by service when rows are
        /// services, by name otherwise (operations then tie by service).
        public func sortKey(grouping: StatsGrouping) -> StatsColumn {
            switch self {
            case .name: grouping == .service ? .service : .name
            case .count: .count
            case .errors: .errors
            case .total: .total
            case .avg: .avg
            case .min: .min
            case .max: .max
            case .selfTotal: .selfTotal
            case .selfAvg: .selfAvg
            case .selfMin: .selfMin
            case .selfMax: .selfMax
            case .selfPercent: .selfPercent
            }
        }

        /// The header (the name column's is the grouping: `StatsTableLayout.title`).
        public var title: String {
            switch self {
            case .name: "NAME"
            case .count: "COUNT"
            case .errors: "ERRORS"
            case .total: "TOTAL"
            case .avg: "AVG"
            case .min: "MIN"
            case .max: "MAX"
            case .selfTotal: "SELF"
            case .selfAvg: "SELF AVG"
            case .selfMin: "SELF MIN"
            case .selfMax: "SELF MAX"
            case .selfPercent: "SELF %"
            }
        }

        /// Cells, room for the header and a sort mark (the name column: its minimum).
        public var width: Int {
            switch self {
            case .name: StatsTableLayout.nameMinimum
            case .count: 7
            case .errors: 7
            case .total, .avg, .min, .max, .selfTotal: 8
            case .selfAvg, .selfMin, .selfMax: 9
            case .selfPercent: 7
            }
        }

        /// A row's figure in this column (not the name).
        public func text(_ row: StatsRow, glyphs: Glyphs) -> String {
            switch self {
            case .name: ""
            case .count: String(row.count)
            case .errors: String(row.errors)
            case .total: glyphs.duration(row.timedCount > 0 ? row.totalNs : nil)
            case .avg: glyphs.duration(row.timedCount > 0 ? row.avgNs : nil)
            case .min: glyphs.duration(row.timedCount > 0 ? row.minNs : nil)
            case .max: glyphs.duration(row.timedCount > 0 ? row.maxNs : nil)
            case .selfTotal: glyphs.duration(row.timedCount > 0 ? row.selfNs : nil)
            case .selfAvg: glyphs.duration(row.timedCount > 0 ? row.selfAvgNs : nil)
            case .selfMin: glyphs.duration(row.timedCount > 0 ? row.selfMinNs : nil)
            case .selfMax: glyphs.duration(row.timedCount > 0 ? row.selfMaxNs : nil)
            case .selfPercent: StatsTableLayout.percent(row.selfPercent)
            }
        }
    }

    /// A column placed: from `x` (relative to the area), `width` cells.
    public struct Placed: Hashable, Sendable {
        public var column: Column
        public var x: Int
        public var width: Int

        public init(column: Column, x: Int, width: Int) {
            self.column = column
            self.x = x
            self.width = width
        }
    }

    /// Cells before the name column: the error mark and a space.
    public static let marks = 2
    /// The name column is not cut narrower than this while other columns can go instead.
    public static let nameMinimum = 12
    /// Dropped first to last when the table is too wide: the extremes, then the averages,
    /// then the totals; the name, self time and its share of the trace go last.
    public static let dropOrder: [Column] = [.selfMin, .min, .selfMax, .max, .selfAvg, .avg, .errors, .total, .count, .selfPercent, .selfTotal]

    /// The columns drawn, in table order.
    public let columns: [Placed]

    /// The columns for `width` cells, the name's longest text `longestName` cells.
    public init(width: Int, sortColumn: StatsColumn, longestName: Int) {
        let sorted = Column(sortKey: sortColumn)
        var kept = Set(Column.allCases)
        func needed() -> Int {
            kept.filter { $0 != .name }.reduce(Self.marks + Self.nameMinimum) { $0 + 1 + $1.width }
        }
        for column in Self.dropOrder where needed() > width && column != sorted { kept.remove(column) }
        let others = kept.filter { $0 != .name }.reduce(0) { $0 + 1 + $1.width }
        let name = max(1, min(max(longestName, Self.nameMinimum), width - Self.marks - others))
        var x = Self.marks
        var placed: [Placed] = []
        for column in Column.allCases where kept.contains(column) {
            let w = column == .name ? name : column.width
            placed.append(Placed(column: column, x: x, width: w))
            x += w + 1
        }
        columns = placed
    }

    /// The column at cell `x` (for a click on the header), nil between columns.
    public func column(atX x: Int) -> Column? {
        columns.first { x >= $0.x && x < $0.x + $0.width }?.column
    }

    /// Whether `column` is drawn.
    public func contains(_ column: Column) -> Bool { columns.contains { $0.column == column } }

    /// The name column's header: `by service`, `by operation`, `by http.route`.
    public static func title(_ grouping: StatsGrouping) -> String { "by " + grouping.description }

    /// `42.1%`, `0.3%`, `100%` (as `spanview stats` writes them).
    public static func percent(_ value: Double) -> String {
        let tenths = Int64((value * 10).rounded())
        if tenths % 10 == 0 { return "\(tenths / 10)%" }
        return "\(tenths / 10).\(abs(tenths % 10))%"
    }
}
