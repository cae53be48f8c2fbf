import CellGrid
import SpanAnalysis
import SpanModel
import SpanStore
import SpanWidgets
import Testing

func statsGrid(_ tree: TraceTree, by grouping: StatsGrouping = .operation, width: Int = 100, height: Int = 6,
               state: StatsTableWidget.State = .init(), glyphs: Glyphs = .unicode) -> Grid {
    let stats = TraceStatistics(tree, selfTimes: SelfTime.compute(tree), by: grouping)
    var grid = Grid(width: width, height: height)
    StatsTableWidget(stats: stats, state: state, options: .init(glyphs: glyphs)).render(in: grid.area, into: &grid)
    return grid
}

/// Every byte of the grid's text is ASCII.
func isASCII(_ grid: Grid) -> Bool { grid.text.utf8.allSatisfy { $0 < 0x80 } }

/// A trace without spans.
let emptyTree = tree([])

@Suite("Statistics table")
struct StatsTableWidgetTests {
    @Test("by operation at 120 columns: every column, the name cut with an ellipsis, sorted by self time")
    func wide() {
        let grid = statsGrid(checkout, width: 120)
        #expect(grid.text == """
              by operation          COUNT  ERRORS    TOTAL      AVG      MIN      MAX    ▼SELF  SELF AVG  SELF MIN  SELF MAX  SELF %
              worker: retry-work…       1       ·     70ms     70ms     70ms     70ms     70ms      70ms      70ms      70ms   58.3%
            ✗ payments: charge          1       1     60ms     60ms     60ms     60ms     30ms      30ms      30ms      30ms     25%
              payments: db.query        1       ·     30ms     30ms     30ms     30ms     30ms      30ms      30ms      30ms     25%
              auth: auth                1       ·     20ms     20ms     20ms     20ms     20ms      20ms      20ms      20ms   16.7%
              frontend: GET /che…       1       ·    100ms    100ms    100ms    100ms     20ms      20ms      20ms      20ms   16.7%
            """)
        // The sorted column's header in the accent colour, the others muted.
        #expect(grid[78, 0].style == Style(.accent, [.bold]))
        #expect(grid[2, 0].style == Style(.muted, [.bold]))
        // The service in its colour, the operation plain; errors in the error style.
        #expect(grid[2, 2].style.foreground == ColorRole.service("payments"))
        #expect(grid[14, 2].style == .plain)
        #expect(grid[0, 2].style == Style(.error, [.bold]))
        #expect(grid[36, 2].style == Style(.error, [.bold]))
        #expect(grid[36, 3].style == Style(.muted))
        // The first row is the cursor's to begin with.
        #expect(grid[36, 1].style == Style(.muted, background: .selection, [.bold]))
    }

    @Test("at 80 columns the extremes go first; by service at 60 the averages too; the cursor's row")
    func narrower() {
        let grid = statsGrid(checkout, width: 80, state: .init(selectedRow: 1))
        #expect(grid.text == """
              by operation        COUNT  ERRORS    TOTAL      AVG    ▼SELF  SELF AVG  SELF %
              worker: retry-wo…       1       ·     70ms     70ms     70ms      70ms   58.3%
            ✗ payments: charge        1       1     60ms     60ms     30ms      30ms     25%
              payments: db.que…       1       ·     30ms     30ms     30ms      30ms     25%
              auth: auth              1       ·     20ms     20ms     20ms      20ms   16.7%
              frontend: GET /c…       1       ·    100ms    100ms     20ms      20ms   16.7%
            """)
        // The cursor's row on the selection background from edge to edge.
        for x in 0..<80 { #expect(grid[x, 2].style.background == .selection) }
        #expect(grid[0, 2].style == Style(.error, background: .selection, [.bold]))
        #expect(grid[0, 1].style.background == .default)

        let services = statsGrid(checkout, by: .service, width: 60, height: 5)
        #expect(services.text == """
              by service     COUNT  ERRORS    TOTAL    ▼SELF  SELF %
              worker             1       ·     70ms     70ms   58.3%
            ✗ payments           2       1     90ms     60ms     50%
              auth               1       ·     20ms     20ms   16.7%
              frontend           1       ·    100ms     20ms   16.7%
            """)
    }

    @Test("sorting both ways; the sorted column is kept when others are dropped")
    func sorting() {
        let up = statsGrid(checkout, width: 40, state: .init(sortColumn: .count, ascending: true))
        #expect(up.text == """
              by operation   ▲COUNT     SELF  SELF %
              auth: auth          1     20ms   16.7%
              frontend: GE…       1     20ms   16.7%
            ✗ payments: ch…       1     30ms     25%
              payments: db…       1     30ms     25%
              worker: retr…       1     70ms   58.3%
            """)
        let byTotalDown = statsGrid(checkout, width: 60, state: .init(sortColumn: .total))
        let byTotalUp = statsGrid(checkout, width: 60, state: .init(sortColumn: .total, ascending: true))
        let names = { (g: Grid) in (1..<6).map { g.line($0).dropFirst(2).prefix(12) } }
        #expect(names(byTotalDown) == ["frontend: GE", "worker: retr", "payments: ch", "payments: db", "auth: auth  "])
        #expect(names(byTotalUp) == names(byTotalDown).reversed())
        #expect(byTotalDown.line(0).contains("▼TOTAL") && byTotalUp.line(0).contains("▲TOTAL"))
        // The name column: A to Z first, the mark after the title.
        let byName = statsGrid(checkout, width: 60, state: .init(sortColumn: .name))
        #expect(byName.line(0).hasPrefix("  by operation ▲"))
        #expect(byName.line(1).hasPrefix("  frontend: GET"))   // by name: "GET" before "auth"
        #expect(byName.line(5).hasPrefix("  worker: retry"))

        var state = StatsTableWidget.State()
        #expect(state.sortColumn == .selfTotal && !state.ascending)
        state.sort(by: .selfTotal)
        #expect(state.sortColumn == .selfTotal && state.ascending)
        state.sort(by: .service)
        #expect(state.sortColumn == .service && state.ascending)
        state.sort(by: .service)
        #expect(!state.ascending)
    }

    @Test("the layout: sort keys to columns, which columns fit")
    func layout() {
        typealias L = StatsTableLayout
        #expect(L.Column(sortKey: .service) == .name && L.Column(sortKey: .name) == .name)
        #expect(L.Column(sortKey: .selfPercent) == .selfPercent)
        for column in L.Column.allCases where column != .name {
            #expect(L.Column(sortKey: column.sortKey(grouping: .operation)) == column)
        }
        #expect(L.Column.name.sortKey(grouping: .service) == .service)
        #expect(L.Column.name.sortKey(grouping: .operation) == .name)
        #expect(L.Column.name.sortKey(grouping: .attribute("http.route")) == .name)

        let all = L(width: 200, sortColumn: .selfTotal, longestName: 20)
        #expect(all.columns.map(\.column) == L.Column.allCases)
        #expect(all.columns[0] == L.Placed(column: .name, x: 2, width: 20))
        let narrow = L(width: 40, sortColumn: .min, longestName: 20)
        #expect(narrow.columns.map(\.column) == [.name, .min, .selfTotal, .selfPercent])
        #expect(narrow.column(atX: 2) == .name && narrow.column(atX: 1) == nil)
        #expect(narrow.contains(.min) && !narrow.contains(.max))
        // Never wider than the area, while it can hold the name and the sorted column.
        for width in 23...200 {
            let l = L(width: width, sortColumn: .selfMax, longestName: 30)
            #expect(l.columns.last.map { $0.x + $0.width } ?? 0 <= width)
            #expect(l.contains(.selfMax))
        }
        #expect(L.percent(42.06) == "42.1%" && L.percent(100) == "100%" && L.percent(0.3) == "0.3%")
    }

    @Test("grouped by an attribute; ASCII output is ASCII")
    func attributeASCII() {
        let grid = statsGrid(checkout, by: .attribute("http.route"), width: 40, height: 2, glyphs: .ascii)
        #expect(grid.text == """
              by http.route   COUNT    vSELF  SELF %
            x (none)              5    170ms  141.7%
            """)
        for width in [30, 60, 120] {
            #expect(isASCII(statsGrid(checkout, width: width, state: .init(selectedRow: 2), glyphs: .ascii)))
            #expect(isASCII(statsGrid(checkout, by: .service, width: width, state: .init(sortColumn: .name), glyphs: .ascii)))
        }
    }

    @Test("the cursor moves within the rows and stays on screen")
    func cursor() {
        var state = StatsTableWidget.State()
        state.move(by: 3, rowCount: 5, visibleRows: 2)
        #expect(state.selectedRow == 3 && state.topRow == 2)
        state.move(by: 10, rowCount: 5, visibleRows: 2)
        #expect(state.selectedRow == 4 && state.topRow == 3)
        state.move(by: -10, rowCount: 5, visibleRows: 2)
        #expect(state.selectedRow == 0 && state.topRow == 0)
        state.move(by: 1, rowCount: 0, visibleRows: 2)
        #expect(state.selectedRow == 0 && state.topRow == 0)

        let stats = TraceStatistics(checkout, selfTimes: SelfTime.compute(checkout), by: .operation)
        let widget = StatsTableWidget(stats: stats, state: .init(topRow: 2))
        #expect(widget.row(atLine: 0) == nil && widget.row(atLine: 1) == 2 && widget.row(atLine: 3) == 4 && widget.row(atLine: 4) == nil)
        #expect(widget.rows.map(\.name) == ["retry-worker", "charge", "db.query", "auth", "GET /checkout"])
        let scrolled = statsGrid(checkout, width: 60, height: 3, state: .init(topRow: 3))
        #expect(scrolled.line(1).hasPrefix("  auth: auth"))
    }

    @Test("narrow and empty areas, no rows")
    func edges() {
        for width in 0...30 {
            for glyphs in [Glyphs.unicode, .ascii] {
                let grid = statsGrid(checkout, width: width, height: 4, state: .init(selectedRow: 1, sortColumn: .errors), glyphs: glyphs)
                for y in 0..<grid.height { #expect(DisplayWidth.of(grid.line(y, trimmingTrailingSpaces: false)) == width) }
            }
        }
        #expect(statsGrid(checkout, height: 0).text == "")
        let empty = statsGrid(emptyTree, width: 60, height: 3)
        #expect(empty.text == "  by operation    COUNT  ERRORS    TOTAL    ▼SELF  SELF %\n\n")
    }
}
