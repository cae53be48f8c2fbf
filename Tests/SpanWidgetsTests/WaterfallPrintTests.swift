import CellGrid
import SpanModel
import SpanStore
import SpanWidgets
import Testing
import TraceLayout

let t0: Int64 = 1_714_564_800_000_000_000   // 2024-05-01T12:00:00Z
let ms: Int64 = 1_000_000
let widgetTrace = TraceID(hex: "4bf92f3577b34da6a3ce929d0e0e4736")!

func span(_ id: UInt64, parent: UInt64 = 0, _ name: String, from: Int64, to: Int64, service: String,
          error: Bool = false) -> Span {
    Span(traceID: widgetTrace, spanID: SpanID(id), parentSpanID: SpanID(parent), name: name,
         startTime: t0 + from * ms, endTime: t0 + to * ms,
         status: error ? SpanStatus(code: .error, description: "card declined") : .unset,
         resource: Resource(attributes: [Attribute("service.name", .string(service))]))
}

func tree(_ spans: [Span]) -> TraceTree {
    var r = TraceRecord(traceID: widgetTrace, arrival: 0)
    for s in spans { r.insert(s) }
    return TraceTree(r)
}

/// GET /checkout (0-100 ms) with auth (5-25) and charge (30-90, error), which has db.query (40-70);
/// and retry-worker (50-120), whose parent 0x99 is missing. Arrival order is scrambled.
let checkout = tree([
    span(4, parent: 3, "db.query", from: 40, to: 70, service: "payments"),
    span(5, parent: 0x99, "retry-worker", from: 50, to: 120, service: "worker"),
    span(2, parent: 1, "auth", from: 5, to: 25, service: "auth"),
    span(1, "GET /checkout", from: 0, to: 100, service: "frontend"),
    span(3, parent: 1, "charge", from: 30, to: 90, service: "payments", error: true),
])

/// The waterfall as `print` draws it: no cursor, nothing folded, orphans as top-level rows.
struct Printed {
    let tree: TraceTree
    let width: Int
    let glyphs: Glyphs
    let trace: WaterfallWidget.Trace

    init(tree: TraceTree, width: Int, glyphs: Glyphs = .unicode) {
        self.tree = tree
        self.width = width
        self.glyphs = glyphs
        trace = WaterfallWidget.Trace(tree: tree, rows: VisibleRows(tree: tree, groupOrphans: false))
    }

    var rows: VisibleRows { trace.rows }

    /// Rows `range`, one line each.
    func body(_ range: Range<Int>) -> Grid {
        var grid = Grid(width: width, height: range.count)
        WaterfallWidget(trace: trace, state: .init(topRow: range.lowerBound, showsAxis: false), options: .init(glyphs: glyphs))
            .render(in: grid.area, into: &grid)
        return grid
    }

    /// The trace header and the axis.
    func header() -> Grid {
        var grid = Grid(width: width, height: 2)
        TraceHeader(TraceSummary(tree), flags: FlagCounts(tree), glyphs: glyphs).render(in: grid.area.row(0), into: &grid)
        WaterfallWidget(trace: trace, state: .init(topRow: 0, showsAxis: true), options: .init(glyphs: glyphs))
            .render(in: grid.area.row(1), into: &grid)
        return grid
    }
}

@Suite("Waterfall snapshots, print mode")
struct WaterfallPrintTests {
    @Test("body at 80 columns, Unicode")
    func bodyUnicode() {
        let w = Printed(tree: checkout, width: 80, glyphs: .unicode)
        #expect(w.rows.count == 5)
        let grid = w.body(0..<5)
        #expect(grid.width == 80)
        #expect(grid.height == 5)
        // Column 1: the flag mark, so a flag is seen even when the name column cuts its words.
        #expect(grid.text == """
              GET /checkout                frontend    100ms █████████████████████████▉
              ├─auth                       auth         20ms  █████▌
            ✗ └─charge                     payments     60ms        ▕███████████████▎
                └─db.query                 payments     30ms           ████████▏
             ⚑retry-worker [no parent]     worker       70ms             ▕██████████████████
            """)
    }

    @Test("body at 80 columns, ASCII")
    func bodyASCII() {
        let grid = Printed(tree: checkout, width: 80, glyphs: .ascii).body(0..<5)
        #expect(grid.text == """
              GET /checkout                frontend    100ms ##########################
              |-auth                       auth         20ms  #####=
            x `-charge                     payments     60ms        |###############|
                `-db.query                 payments     30ms           ########|
             !retry-worker [no parent]     worker       70ms             |##################
            """)
        #expect(grid.text.unicodeScalars.allSatisfy { $0.isASCII })
    }

    @Test("a range of rows draws just those rows")
    func partialBody() {
        let grid = Printed(tree: checkout, width: 80, glyphs: .unicode).body(2..<4)
        #expect(grid.text == """
            ✗ └─charge                     payments     60ms        ▕███████████████▎
                └─db.query                 payments     30ms           ████████▏
            """)
    }

    @Test("axis line at 80 columns lines up with the columns below it")
    func axis80() {
        let unicode = Printed(tree: checkout, width: 80, glyphs: .unicode).header()
        #expect(unicode.height == 2)
        #expect(unicode.line(1) == "  span                         service  duration ╷0          ╷50ms        ╷100ms")
        let ascii = Printed(tree: checkout, width: 80, glyphs: .ascii).header()
        #expect(ascii.line(1) == "  span                         service  duration |0          |50ms        |100ms")
    }

    @Test("header at 140 columns, where every fact fits")
    func header140() {
        let grid = Printed(tree: checkout, width: 140, glyphs: .unicode).header()
        #expect(grid.text == """
            Trace 4bf92f3577b34da6a3ce929d0e0e4736  120ms · 5 spans · depth 3 · 1 error · 1 without parent · frontend, auth, payments, worker
              span                                                             service  duration ╷0                    ╷50ms                  ╷100ms
            """)
        let ascii = Printed(tree: checkout, width: 140, glyphs: .ascii).header()
        #expect(ascii.line(1) == "  span                                                             service  duration |0                    |50ms                  |100ms")
        #expect(ascii.line(0) == "Trace 4bf92f3577b34da6a3ce929d0e0e4736  120ms - 5 spans - depth 3 - 1 error - 1 without parent - frontend, auth, payments, worker")
    }

    @Test("header at 80 columns starts with the trace ID and the main figures")
    func header80() {
        let line = Printed(tree: checkout, width: 80, glyphs: .unicode).header().line(0)
        #expect(line.hasPrefix("Trace 4bf92f3577b34da6a3ce929d0e0e4736  120ms · 5 spans · depth 3 · 1 error"))
        #expect(DisplayWidth.of(line) <= 80)
    }

    @Test("header at 80 columns does not end in a fact cut in half")
    func header80Cut() {
        let line = Printed(tree: checkout, width: 80, glyphs: .unicode).header().line(0)
        #expect(!line.hasSuffix("· 1"))
        #expect(line.hasSuffix("1 without parent") || line.hasSuffix("…"))
    }

    @Test("cell styles: error marks and bars in the error colour, other bars in their service colour")
    func styles() {
        let grid = Printed(tree: checkout, width: 80, glyphs: .unicode).body(0..<5)
        // Row 0, GET /checkout: plain name, frontend's colour for service and bar.
        #expect(grid[2, 0].style == .plain)
        #expect(grid[31, 0].style == Style(ColorRole.service("frontend")))
        #expect(grid[49, 0].style == Style(ColorRole.service("frontend")))
        #expect(grid[74, 0].style == Style(ColorRole.service("frontend")))
        // Row 2, charge: error glyph, name, duration and bar in the error colour.
        #expect(grid[0, 2].style == .error)
        #expect(grid[4, 2].style == .error)
        #expect(grid[44, 2].style == Style(.error))
        #expect(grid[56, 2].style == Style(.error))
        #expect(grid[2, 2].style == .muted)    // guide
        // Row 4: the orphan tag and its mark are warnings.
        #expect(grid[15, 4].style == Style(.warning))
        #expect(grid[1, 4].style == Style(.warning, [.bold]))
    }

    @Test("a name that exactly fills the name column is shown whole")
    func exactFitName() {
        // At width 80 with an 8-character service the name column is 28 cells.
        let name = "abcdefghijklmnopqrstuvwxyz01"
        let t = tree([span(1, name, from: 0, to: 10, service: "payments")])
        let line = Printed(tree: t, width: 80).body(0..<1).line(0)
        #expect(line.hasPrefix("  " + name + " payments"))
    }

    @Test("a name longer than the name column is cut with an ellipsis")
    func longName() {
        let name = "abcdefghijklmnopqrstuvwxyz012"   // 29 characters, one more than the 28-cell column
        let t = tree([span(1, name, from: 0, to: 10, service: "payments")])
        let unicode = Printed(tree: t, width: 80).body(0..<1).line(0)
        #expect(unicode.hasPrefix("  abcdefghijklmnopqrstuvwxyz0… payments"))
        let ascii = Printed(tree: t, width: 80, glyphs: .ascii).body(0..<1).line(0)
        #expect(ascii.hasPrefix("  abcdefghijklmnopqrstuvwxyz0~ payments"))
    }

    @Test("a lone root: one row, one full bar, no depth in the header")
    func loneRoot() {
        let t = tree([span(1, "main", from: 0, to: 250, service: "svc")])
        let w = Printed(tree: t, width: 80)
        #expect(w.header().line(0) == "Trace 4bf92f3577b34da6a3ce929d0e0e4736  250ms · 1 span · svc")
        #expect(w.body(0..<1).text ==
            "  main                          svc        250ms " + String(repeating: "█", count: 31))
        // One short service name: the service column keeps its minimum of 7 and the name column takes the rest (29).
        #expect(w.header().line(1) == "  span                          service duration ╷0          ╷100ms      ╷200ms")
    }

    @Test("control characters in names and services are shown escaped")
    func hostileNames() {
        let t = tree([span(1, "evil\u{1B}]0;pwned\u{07}", from: 0, to: 10, service: "s\u{1B}[2J")])
        let grid = Printed(tree: t, width: 80).body(0..<1)
        // The escaped service is 6 cells, so the service column keeps its minimum of 7 and the name column is 29.
        #expect(grid.line(0).hasPrefix("  evil\\e]0;pwned\\x07            s\\e[2J      10ms"))
        #expect(grid.cells.allSatisfy { !$0.text.unicodeScalars.contains { TerminalText.needsEscaping($0) } })
    }

    @Test("a span that ends before it starts: tag, negative duration, bar from end to start")
    func negativeDuration() {
        let t = tree([
            span(1, "root", from: 0, to: 100, service: "payments"),
            span(2, parent: 1, "backwards", from: 60, to: 40, service: "payments"),
        ])
        #expect(Printed(tree: t, width: 80).body(0..<2).text == """
              root                         payments    100ms ███████████████████████████████
             ⚑└─backwards [ends before st… payments    -20ms             ▐█████▋
            """)
    }

    @Test("spans without times: unknown duration, no bar, no axis ticks")
    func untimed() {
        let s = Span(traceID: widgetTrace, spanID: SpanID(1), name: "untimed", startTime: Timestamp.unknown,
                     endTime: Timestamp.unknown, resource: Resource(attributes: [Attribute("service.name", .string("payments"))]))
        let w = Printed(tree: tree([s]), width: 80)
        #expect(w.body(0..<1).text == "  untimed                      payments        ?")
        #expect(w.header().text == """
            Trace 4bf92f3577b34da6a3ce929d0e0e4736  ? · 1 span · payments
              span                         service  duration
            """)
    }

    @Test("tags for duplicates, reused IDs and parent cycles")
    func tags() {
        var r = TraceRecord(traceID: widgetTrace, arrival: 0)
        let dup = span(1, "GET", from: 0, to: 100, service: "payments")
        r.insert(dup)
        r.insert(dup)
        r.insert(dup)
        r.insert(span(2, parent: 1, "a", from: 10, to: 20, service: "payments"))
        r.insert(span(2, parent: 1, "b", from: 30, to: 40, service: "payments"))
        r.insert(span(7, parent: 8, "x", from: 50, to: 60, service: "payments"))
        r.insert(span(8, parent: 7, "y", from: 55, to: 58, service: "payments"))
        let w = Printed(tree: TraceTree(r), width: 80)
        let lines = w.body(0..<w.rows.count).text.split(separator: "\n").map { String($0.prefix(29)) }
        #expect(lines == [
            " ⚑GET [×3 copies]",
            " ⚑├─a [span ID reused]",
            " ⚑└─b [span ID reused]",
            " ⚑x [parent cycle]",
            "  └─y",
        ].map { $0 + String(repeating: " ", count: 29 - $0.count) })
    }

    @Test("an empty name is shown as (no name)")
    func emptyName() {
        let t = tree([span(1, "", from: 0, to: 10, service: "svc")])
        #expect(Printed(tree: t, width: 80).body(0..<1).line(0).hasPrefix("  (no name)"))
    }
}

@Suite("BarPainter")
struct BarPainterTests {
    func paint(_ start: Int, _ end: Int, glyphs: Glyphs = .unicode, color: Bool = false, width: Int = 4) -> Grid {
        var grid = Grid(width: width, height: 1)
        // A 1-eighth zero bar is the smallest BarScale makes; geometry here is built through BarScale.
        let scale = BarScale(windowStart: 0, windowEnd: Int64(width * 8), columns: width)
        let bar = scale.bar(start: Int64(start), end: Int64(end))!
        #expect(bar.startEighth == start && bar.endEighth == end)
        BarPainter.draw(into: &grid, y: 0, x: 0, bar: bar, role: .service0, glyphs: glyphs, useColor: color)
        return grid
    }

    @Test("Unicode bars without colour", arguments: [
        (0, 1, "▏"), (0, 2, "▎"), (0, 3, "▍"), (0, 4, "▌"), (0, 5, "▋"), (0, 6, "▊"), (0, 7, "▉"), (0, 8, "█"),
        (0, 12, "█▌"), (0, 32, "████"),
        (2, 16, "██"),     // starts 2/8 in: rounded to a full cell
        (3, 16, "▐█"),     // 3/8 in: right half
        (4, 16, "▐█"),
        (5, 16, "▐█"),
        (6, 16, "▕█"),     // 6/8 in: right eighth
        (7, 16, "▕█"),
        (5, 10, "▐▎"),
        (8, 9, " ▏"),
        (30, 32, "   ▕"),
        (2, 5, "▏"),       // inside one cell, mostly in the left half
        (5, 7, "▕"),       // inside one cell, in the right half
        (1, 7, "▌"),       // inside one cell, half a cell or more long
        (9, 15, " ▌"),
    ])
    func unicode(start: Int, end: Int, text: String) {
        let grid = paint(start, end)
        #expect(grid.line(0) == text)
        for x in 0..<grid.width where grid[x, 0].text != " " {
            #expect(grid[x, 0].style == Style(.service0))
        }
    }

    @Test("ASCII bars", arguments: [
        (0, 1, "|"), (0, 2, "|"), (0, 3, "="), (0, 4, "="), (0, 5, "="), (0, 6, "#"), (0, 7, "#"), (0, 8, "#"),
        (0, 12, "#="), (5, 16, "##"), (6, 16, "|#"), (7, 16, "|#"), (2, 5, "|"), (1, 7, "|"), (8, 9, " |"),
    ])
    func ascii(start: Int, end: Int, text: String) {
        #expect(paint(start, end, glyphs: .ascii).line(0) == text)
    }

    @Test("with colour, a start inside a cell is a left block in reverse video")
    func reverseStart() {
        let grid = paint(3, 16, color: true)
        #expect(grid[0, 0].text == "▍")
        #expect(grid[0, 0].style == Style(.service0, [.reverse]))
        #expect(grid[1, 0].text == "█")
        #expect(grid[1, 0].style == Style(.service0))
        for from in 1...7 {
            let g = paint(from, 16, color: true)
            #expect(g[0, 0].text == Glyphs.unicode.leftBlocks[from - 1])
            #expect(g[0, 0].style.attributes == [.reverse])
        }
    }

    @Test("with colour, ends and single-cell marks are not reversed")
    func colourEnds() {
        let end = paint(0, 13, color: true)
        #expect(end.line(0) == "█▋")
        #expect(end[1, 0].style == Style(.service0))
        let inside = paint(2, 5, color: true)
        #expect(inside.line(0) == "▏")
        #expect(inside[0, 0].style == Style(.service0))
    }

    @Test("the bar is drawn at the given x offset and row")
    func offset() {
        var grid = Grid(width: 10, height: 3)
        let bar = BarScale(windowStart: 0, windowEnd: 40, columns: 5).bar(start: 4, end: 20)!
        BarPainter.draw(into: &grid, y: 1, x: 3, bar: bar, role: .error, glyphs: .unicode, useColor: false)
        #expect(grid.text == "\n   ▐█▌\n")
        #expect(grid[4, 1].style == Style(.error))
    }
}
