import CellGrid
import SpanAnalysis
import SpanModel
import SpanStore
import SpanWidgets
import Testing

func spansGrid(_ tree: TraceTree, width: Int = 80, height: Int = 6, selfTimes: Bool = true,
               state: SpansTableWidget.State = .init(), glyphs: Glyphs = .unicode) -> Grid {
    var grid = Grid(width: width, height: height)
    let trace = SpansTableWidget.Trace(tree: tree, selfTimes: selfTimes ? SelfTime.compute(tree) : nil)
    SpansTableWidget(trace: trace, state: state, options: .init(glyphs: glyphs)).render(in: grid.area, into: &grid)
    return grid
}

/// The checkout trace's span names in `order`.
func names(_ order: [Int32], _ tree: TraceTree = checkout) -> [String] { order.map { tree.spans[Int($0)].name } }

@Suite("Spans table")
struct SpansTableWidgetTests {
    @Test("at 80 columns in start order; at 60 by duration with the cursor")
    func snapshots() {
        let grid = spansGrid(checkout)
        #expect(grid.text == """
              SPAN                                   SERVICE     DURATION     SELF    ▲START
              GET /checkout                          frontend       100ms     20ms         0
              auth                                   auth            20ms     20ms      +5ms
            ✗ charge                                 payments        60ms     30ms     +30ms
              db.query                               payments        30ms     30ms     +40ms
              retry-worker                           worker          70ms     70ms     +50ms
            """)
        #expect(grid[76, 0].style == Style(.accent, [.bold]))
        #expect(grid[2, 0].style == Style(.muted, [.bold]))
        #expect(grid[0, 3].style == Style(.error, [.bold]) && grid[2, 3].style == Style(.error, [.bold]))
        #expect(grid[41, 3].style == Style(ColorRole.service("payments")))

        let byDuration = spansGrid(checkout, width: 60, state: .init(selectedRow: 2, sortKey: .duration))
        #expect(byDuration.text == """
              SPAN               SERVICE    ▼DURATION     SELF     START
              GET /checkout      frontend       100ms     20ms         0
              retry-worker       worker          70ms     70ms     +50ms
            ✗ charge             payments        60ms     30ms     +30ms
              db.query           payments        30ms     30ms     +40ms
              auth               auth            20ms     20ms      +5ms
            """)
        for x in 0..<60 { #expect(byDuration[x, 3].style.background == .selection) }
        #expect(byDuration[0, 3].style == Style(.error, background: .selection, [.bold]))
        #expect(byDuration[0, 2].style.background == .default)
    }

    @Test("narrow: columns dropped, the sorted one kept; without self times no self column")
    func narrow() {
        let grid = spansGrid(checkout, width: 30, state: .init(sortKey: .selfTime, ascending: true))
        #expect(grid.text == """
              SPAN       DURATION    ▲SELF
              GET /che…     100ms     20ms
              auth           20ms     20ms
            ✗ charge         60ms     30ms
              db.query       30ms     30ms
              retry-wo…      70ms     70ms
            """)
        let noSelf = spansGrid(checkout, width: 60, height: 2, selfTimes: false)
        #expect(noSelf.text == """
              SPAN                        SERVICE     DURATION    ▲START
              GET /checkout               frontend       100ms         0
            """)
        let layout = SpansTableLayout(width: 30, sortKey: .service, longestService: 8, hasSelfTimes: true)
        #expect(layout.columns.map(\.column) == [.name, .service])
        #expect(layout.column(atX: 2) == .name && layout.column(atX: 0) == nil && layout.contains(.service))
        for column in SpansTableLayout.Column.allCases { #expect(SpansTableLayout.Column(sortKey: column.sortKey) == column) }
        for width in 22...200 {
            let l = SpansTableLayout(width: width, sortKey: .start, longestService: 30, hasSelfTimes: true)
            #expect(l.columns.last.map { $0.x + $0.width } ?? 0 <= width)
            #expect(l.contains(.start))
        }
    }

    @Test("sorting every key both ways; spans without times last both ways")
    func sorting() {
        let selfTimes = SelfTime.compute(checkout)
        func order(_ key: SpansTableWidget.SortKey, _ up: Bool) -> [String] {
            names(SpansTableWidget.order(checkout, selfTimes: selfTimes, by: key, ascending: up))
        }
        #expect(order(.start, true) == ["GET /checkout", "auth", "charge", "db.query", "retry-worker"])
        #expect(order(.start, false) == ["retry-worker", "db.query", "charge", "auth", "GET /checkout"])
        #expect(order(.duration, false) == ["GET /checkout", "retry-worker", "charge", "db.query", "auth"])
        #expect(order(.duration, true) == ["auth", "db.query", "charge", "retry-worker", "GET /checkout"])
        // Ties (20 ms, 30 ms) by start, both ways.
        #expect(order(.selfTime, false) == ["retry-worker", "charge", "db.query", "GET /checkout", "auth"])
        #expect(order(.selfTime, true) == ["GET /checkout", "auth", "charge", "db.query", "retry-worker"])
        #expect(order(.name, true) == ["GET /checkout", "auth", "charge", "db.query", "retry-worker"])
        #expect(order(.name, false) == ["retry-worker", "db.query", "charge", "auth", "GET /checkout"])
        #expect(order(.service, true) == ["auth", "GET /checkout", "charge", "db.query", "retry-worker"])
        #expect(order(.service, false) == ["retry-worker", "charge", "db.query", "GET /checkout", "auth"])
        // Without self times, by self time is by start.
        #expect(names(SpansTableWidget.order(checkout, selfTimes: nil, by: .selfTime, ascending: false)) == order(.start, true))

        let untimed = tree([
            span(1, "root", from: 0, to: 10, service: "a"),
            Span(traceID: widgetTrace, spanID: SpanID(2), parentSpanID: SpanID(1), name: "lost",
                 startTime: Timestamp.unknown, endTime: Timestamp.unknown, status: .unset,
                 resource: Resource(attributes: [Attribute("service.name", .string("a"))])),
            span(3, parent: 1, "child", from: 2, to: 4, service: "a"),
        ])
        for key in [SpansTableWidget.SortKey.start, .duration, .selfTime] {
            for up in [true, false] {
                #expect(names(SpansTableWidget.order(untimed, selfTimes: SelfTime.compute(untimed), by: key, ascending: up), untimed).last == "lost")
            }
        }
        let grid = spansGrid(untimed, width: 60, height: 4, state: .init(sortKey: .start))
        #expect(grid.line(3) == "  lost                a                 ?        ?         ?")

        var state = SpansTableWidget.State()
        #expect(state.sortKey == .start && state.ascending)
        state.sort(by: .start)
        #expect(!state.ascending)
        state.sort(by: .duration)
        #expect(state.sortKey == .duration && !state.ascending)
        state.sort(by: .duration)
        #expect(state.ascending)
    }

    @Test("the selection is kept by span index across sorts")
    func selection() {
        let selfTimes = SelfTime.compute(checkout)
        let byStart = SpansTableWidget.order(checkout, selfTimes: selfTimes, by: .start, ascending: true)
        var state = SpansTableWidget.State(selectedRow: 2)
        let span = state.selectedSpan(in: byStart)!
        #expect(checkout.spans[Int(span)].name == "charge")
        state.sort(by: .duration)
        let byDuration = SpansTableWidget.order(checkout, selfTimes: selfTimes, by: state.sortKey, ascending: state.ascending)
        #expect(state.select(span: span, in: byDuration, visibleRows: 10) == true)
        #expect(state.selectedRow == 2 && state.selectedSpan(in: byDuration) == span)
        #expect(state.select(span: 99, in: byDuration, visibleRows: 10) == false)
        #expect(state.selectedSpan(in: []) == nil)

        state.move(by: 10, rowCount: 5, visibleRows: 2)
        #expect(state.selectedRow == 4 && state.topRow == 3)
        let widget = SpansTableWidget(trace: .init(tree: checkout, selfTimes: nil), order: byStart, state: state)
        #expect(widget.row(atLine: 1) == 3 && widget.row(atLine: 2) == 4 && widget.row(atLine: 3) == nil && widget.row(atLine: 0) == nil)
        #expect(SpansTableWidget(trace: .init(tree: checkout, selfTimes: nil)).order == byStart)
    }

    @Test("ASCII, narrow areas, an empty trace")
    func edges() {
        for width in 0...30 {
            for glyphs in [Glyphs.unicode, .ascii] {
                let grid = spansGrid(checkout, width: width, height: 4, state: .init(selectedRow: 1, sortKey: .name), glyphs: glyphs)
                for y in 0..<grid.height { #expect(DisplayWidth.of(grid.line(y, trimmingTrailingSpaces: false)) == width) }
                if glyphs.isASCII { #expect(isASCII(grid)) }
            }
        }
        #expect(isASCII(spansGrid(checkout, width: 100, state: .init(sortKey: .duration), glyphs: .ascii)))
        let ascii = spansGrid(checkout, width: 60, height: 2, state: .init(sortKey: .duration, ascending: true), glyphs: .ascii)
        #expect(ascii.line(0) == "  SPAN               SERVICE    ^DURATION     SELF     START")
        let empty = spansGrid(emptyTree, width: 50, height: 3)
        #expect(empty.text == "  SPAN      SERVICE    DURATION     SELF    ▲START\n\n")
        #expect(SpansTableWidget.order(emptyTree, selfTimes: [], by: .duration, ascending: true).isEmpty)
    }
}
