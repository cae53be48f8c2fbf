import CellGrid
import SpanModel
import SpanStore

/// Every span of a trace as a flat table, one row per span: the error mark, name, service,
/// duration, self time and start (offset from the trace's start), in the order the app sorted
/// them (`SpansTableWidget.order`), under a header that marks the sorted column.
///
///       SPAN                 SERVICE    ▼DURATION     SELF     START
///     ✗ charge               payments        60ms     30ms     +30ms
///
/// The table is drawn from `order`, indices into the tree's spans, so sorting is done once
/// per sort change, not per frame, and the app keeps the selection by span index across sorts
/// (`State.select(span:in:)`). Columns that do not fit are dropped (`SpansTableLayout`).
public struct SpansTableWidget: Widget {
    /// What the rows can be sorted by.
    public enum SortKey: String, CaseIterable, Sendable {
        case start, duration, selfTime = "self", name, service

        /// Text and start times go up first; durations largest first.
        public var defaultAscending: Bool {
            switch self {
            case .start, .name, .service: true
            case .duration, .selfTime: false
            }
        }
    }

    /// The trace and figures of it computed once (not per frame).
    public struct Trace: Sendable {
        public var tree: TraceTree
        /// Per span, its self time (`SelfTime.compute`, indexed like `tree.spans`); nil: the
        /// self column is not drawn.
        public var selfTimes: [Int64]?
        /// The earliest start (`Timestamp.unknown` when no span has times): starts are offsets from it.
        public var start: Int64
        /// The widest service name, in cells.
        public var longestService: Int

        /// Figures already known (a viewer computes them once per tree, not per frame).
        public init(tree: TraceTree, selfTimes: [Int64]?, start: Int64, longestService: Int) {
            self.tree = tree
            self.selfTimes = selfTimes
            self.start = start
            self.longestService = longestService
        }

        /// Figures from the tree (one pass over its spans).
        public init(tree: TraceTree, selfTimes: [Int64]?) {
            var start = Int64.max, longest = 0
            var last: ObjectIdentifier?
            for span in tree.spans {
                if span.startTime != Timestamp.unknown { start = min(start, span.startTime) }
                let resource = ObjectIdentifier(span.resource)
                if resource != last {
                    longest = max(longest, DisplayWidth.of(TerminalText.escaped(span.serviceName ?? "")))
                    last = resource
                }
            }
            self.tree = tree
            self.selfTimes = selfTimes
            self.start = start == Int64.max ? Timestamp.unknown : start
            longestService = longest
        }
    }

    /// Where the user is: the cursor (a row of the order), the first row drawn, the sort.
    public struct State: SortedTableCursor, Sendable, Equatable {
        public var selectedRow: Int
        public var topRow: Int
        public var sortKey: SortKey
        public var ascending: Bool

        /// In start order to begin with.
        public init(selectedRow: Int = 0, topRow: Int = 0, sortKey: SortKey = .start, ascending: Bool? = nil) {
            self.selectedRow = selectedRow
            self.topRow = topRow
            self.sortKey = sortKey
            self.ascending = ascending ?? sortKey.defaultAscending
        }

        /// (`sort(by:)` and `move(by:rowCount:visibleRows:)` come from `SortedTableCursor`; after
        /// a sort the app makes the new order and keeps the selected span with `select(span:in:)`.)
        public var sortedBy: SortKey {
            get { sortKey }
            set { sortKey = newValue }
        }

        public static func startsAscending(_ key: SortKey) -> Bool { key.defaultAscending }

        /// The span under the cursor, nil when the order is empty.
        public func selectedSpan(in order: [Int32]) -> Int32? {
            selectedRow >= 0 && selectedRow < order.count ? order[selectedRow] : nil
        }

        /// Puts the cursor on span `span` (an index into the tree's spans) in `order`, and
        /// scrolls so it is among `visibleRows`; false (nothing moved) when it is not there.
        @discardableResult
        public mutating func select(span: Int32, in order: [Int32], visibleRows: Int) -> Bool {
            guard let row = order.firstIndex(of: span) else { return false }
            selectedRow = row
            TableScroll.clamp(selected: &selectedRow, top: &topRow, count: order.count, visible: visibleRows)
            return true
        }
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

    public var trace: Trace
    /// The rows: indices into `trace.tree.spans`, as `SpansTableWidget.order` makes them.
    public var order: [Int32]
    public var state: State
    public var options: Options

    public init(trace: Trace, order: [Int32], state: State = State(), options: Options = Options()) {
        self.trace = trace
        self.order = order
        self.state = state
        self.options = options
    }

    /// The rows of `trace` in `state`'s order.
    public init(trace: Trace, state: State = State(), options: Options = Options()) {
        self.init(trace: trace, order: Self.order(trace.tree, selfTimes: trace.selfTimes, by: state.sortKey, ascending: state.ascending),
                  state: state, options: options)
    }

    var glyphs: Glyphs { options.glyphs }

    /// The spans of `tree` (indices into `tree.spans`) sorted by `key`, ties by start then
    /// by index, so the order is the same every time. Spans without the figure (no times, no
    /// self times given) go last both ways.
    public static func order(_ tree: TraceTree, selfTimes: [Int64]?, by key: SortKey, ascending: Bool) -> [Int32] {
        let spans = tree.spans
        let n = spans.count
        var keys = [Int64](repeating: 0, count: n)
        var known = [Bool](repeating: true, count: n)
        var starts = [Int64](repeating: 0, count: n)
        for i in 0..<n {
            let s = spans[i]
            starts[i] = s.startTime == Timestamp.unknown ? Int64.max : s.startTime
            switch key {
            case .start: keys[i] = s.startTime; known[i] = s.startTime != Timestamp.unknown
            case .duration:
                if let d = s.duration { keys[i] = d } else { known[i] = false }
            case .selfTime:
                if let t = selfTimes, i < t.count, s.hasTimes { keys[i] = t[i] } else { known[i] = false }
            case .name, .service: break
            }
        }
        var order = (0..<n).map { Int32($0) }
        func tie(_ a: Int, _ b: Int) -> Bool { starts[a] != starts[b] ? starts[a] < starts[b] : a < b }
        switch key {
        case .name, .service:
            let texts = (0..<n).map { key == .name ? spans[$0].name : (spans[$0].serviceName ?? "") }
            order.sort { x, y in
                let (a, b) = (Int(x), Int(y))
                if texts[a] != texts[b] { return ascending ? texts[a] < texts[b] : texts[a] > texts[b] }
                return tie(a, b)
            }
        default:
            order.sort { x, y in
                let (a, b) = (Int(x), Int(y))
                if known[a] != known[b] { return known[a] }
                if known[a] && keys[a] != keys[b] { return ascending ? keys[a] < keys[b] : keys[a] > keys[b] }
                return tie(a, b)
            }
        }
        return order
    }

    /// The columns drawn in `width` cells.
    public func layout(width: Int) -> SpansTableLayout {
        SpansTableLayout(width: width, sortKey: state.sortKey, longestService: trace.longestService,
                         hasSelfTimes: trace.selfTimes != nil)
    }

    /// The row (of `order`) at line `line` of the area (line 0 is the header).
    public func row(atLine line: Int) -> Int? {
        guard line >= 1 else { return nil }
        let row = state.topRow + line - 1
        return row < order.count ? row : nil
    }

    public func render(in area: Rect, into grid: inout Grid) {
        guard area.height > 0, area.width > 0 else { return }
        let layout = self.layout(width: area.width)
        drawHeader(layout, in: area.row(0), into: &grid)
        for line in 1..<area.height {
            let n = state.topRow + line - 1
            guard n >= 0, n < order.count else { break }
            let index = Int(order[n])
            guard index >= 0, index < trace.tree.count else { continue }
            drawRow(index, selected: options.showsSelection && n == state.selectedRow, layout, in: area.row(line), into: &grid)
        }
    }

    func drawHeader(_ layout: SpansTableLayout, in area: Rect, into grid: inout Grid) {
        let header = Style(.muted, [.bold]), sorted = Style(.accent, [.bold])
        let sortedColumn = SpansTableLayout.Column(sortKey: state.sortKey)
        let mark = state.ascending ? glyphs.ascending : glyphs.descending
        for placed in layout.columns {
            let isSorted = placed.column == sortedColumn
            let style = isSorted ? sorted : header
            if placed.column.isText {
                let title = placed.column.title + (isSorted ? " " + mark : "")
                grid.put(title, x: placed.x, y: 0, in: area, style: style, maxWidth: placed.width)
            } else {
                let title = (isSorted ? mark : "") + placed.column.title
                let w = DisplayWidth.of(title)
                grid.put(title, x: placed.x + max(0, placed.width - w), y: 0, in: area, style: style, maxWidth: placed.width)
            }
        }
    }

    func drawRow(_ index: Int, selected: Bool, _ layout: SpansTableLayout, in area: Rect, into grid: inout Grid) {
        let span = trace.tree.spans[index]
        let base = selected ? Style(.default, background: .selection, [.bold]) : Style.plain
        func style(_ role: ColorRole, _ attributes: TextAttributes = []) -> Style {
            var s = base
            s.foreground = role
            s.attributes.formUnion(attributes)
            return s
        }
        if selected { grid.fill(" ", x: 0, y: 0, width: area.width, in: area, style: base) }
        if span.isError { grid.put(glyphs.error, x: 0, y: 0, in: area, style: style(.error, [.bold]), maxWidth: 1) }
        for placed in layout.columns {
            switch placed.column {
            case .name:
                let name = span.name.isEmpty ? "(no name)" : span.name
                let used = grid.put(name, x: placed.x, y: 0, in: area, style: span.isError ? style(.error, [.bold]) : base,
                                    maxWidth: placed.width)
                if used < DisplayWidth.of(TerminalText.escaped(name)) {
                    grid.put(glyphs.ellipsis, x: placed.x + placed.width - 1, y: 0, in: area, style: style(.muted), maxWidth: 1)
                }
            case .service:
                let service = span.serviceName ?? ""
                grid.put(service, x: placed.x, y: 0, in: area, style: style(ColorRole.service(service)), maxWidth: placed.width)
            case .duration:
                right(glyphs.duration(span.duration), placed, span.isError ? style(.error) : base, area, &grid)
            case .selfTime:
                let value = span.hasTimes ? trace.selfTimes.flatMap { index < $0.count ? $0[index] : nil } : nil
                right(glyphs.duration(value), placed, base, area, &grid)
            case .start:
                let text: String
                if span.startTime == Timestamp.unknown || trace.start == Timestamp.unknown {
                    text = "?"
                } else {
                    let offset = span.startTime - trace.start
                    text = offset == 0 ? "0" : "+" + glyphs.duration(offset)
                }
                right(text, placed, style(.muted), area, &grid)
            }
        }
    }

    func right(_ text: String, _ placed: SpansTableLayout.Placed, _ style: Style, _ area: Rect, _ grid: inout Grid) {
        let w = DisplayWidth.of(text)
        grid.put(text, x: placed.x + max(0, placed.width - w), y: 0, in: area, style: style, maxWidth: placed.width)
    }
}

/// Which columns of the spans table fit a width, and where. The name column takes what the
/// others leave (at least `nameMinimum`); when they do not all fit, they are dropped by
/// `dropOrder`, the sorted column always kept. Without self times there is no self column.
public struct SpansTableLayout: Hashable, Sendable {
    /// A column of the table.
    public enum Column: Int, CaseIterable, Sendable {
        case name, service, duration, selfTime, start

        /// The column that shows a sort key.
        public init(sortKey: SpansTableWidget.SortKey) {
            switch sortKey {
            case .name: self = .name
            case .service: self = .service
            case .duration: self = .duration
            case .selfTime: self = .selfTime
            case .start: self = .start
            }
        }

        /// The sort key of the column.
        public var sortKey: SpansTableWidget.SortKey {
            switch self {
            case .name: .name
            case .service: .service
            case .duration: .duration
            case .selfTime: .selfTime
            case .start: .start
            }
        }

        public var title: String {
            switch self {
            case .name: "SPAN"
            case .service: "SERVICE"
            case .duration: "DURATION"
            case .selfTime: "SELF"
            case .start: "START"
            }
        }

        /// Left-aligned text (the others are right-aligned figures).
        public var isText: Bool { self == .name || self == .service }
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

    /// Cells before the name: the error mark and a space.
    public static let marks = 2
    public static let nameMinimum = 8
    /// Dropped first to last when the table is too wide.
    public static let dropOrder: [Column] = [.start, .selfTime, .service, .duration]

    /// The columns drawn, in table order.
    public let columns: [Placed]

    public init(width: Int, sortKey: SpansTableWidget.SortKey, longestService: Int, hasSelfTimes: Bool) {
        let sorted = Column(sortKey: sortKey)
        let service = min(max(longestService, 7), width >= 120 ? 20 : 14) + 2   // room for " ▲"
        func w(_ c: Column) -> Int {
            switch c {
            case .name: Self.nameMinimum
            case .service: service
            case .duration: 9
            case .selfTime: 8
            case .start: 9
            }
        }
        var kept = Set(Column.allCases)
        if !hasSelfTimes { kept.remove(.selfTime) }
        func needed() -> Int { kept.filter { $0 != .name }.reduce(Self.marks + Self.nameMinimum) { $0 + 1 + w($1) } }
        for column in Self.dropOrder where needed() > width && column != sorted { kept.remove(column) }
        let others = kept.filter { $0 != .name }.reduce(0) { $0 + 1 + w($1) }
        let name = max(1, width - Self.marks - others)
        var x = Self.marks
        var placed: [Placed] = []
        for column in Column.allCases where kept.contains(column) {
            let cw = column == .name ? name : w(column)
            placed.append(Placed(column: column, x: x, width: cw))
            x += cw + 1
        }
        columns = placed
    }

    /// The column at cell `x` (for a click on the header), nil between columns.
    public func column(atX x: Int) -> Column? {
        columns.first { x >= $0.x && x < $0.x + $0.width }?.column
    }

    /// Whether `column` is drawn.
    public func contains(_ column: Column) -> Bool { columns.contains { $0.column == column } }
}
