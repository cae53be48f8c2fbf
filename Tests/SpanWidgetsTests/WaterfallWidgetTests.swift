import CellGrid
import SpanAnalysis
import SpanModel
import SpanStore
import SpanWidgets
import Testing
import TraceLayout

/// The waterfall as the viewer draws it: axis, fold markers, placeholders for missing parents,
/// a cursor, a zoomed window.
func viewer(_ tree: TraceTree, width: Int = 80, height: Int = 7, selectedRow: Int? = nil, topRow: Int = 0,
            collapsed: Set<SpanID> = [], window: (start: Int64, end: Int64)? = nil, glyphs: Glyphs = .unicode,
            live: Bool = false, decorations: WaterfallDecorations = .none) -> Grid {
    let rows = VisibleRows(tree: tree, collapsed: collapsed)
    var grid = Grid(width: width, height: height)
    WaterfallWidget(trace: .init(tree: tree, rows: rows),
                    state: .init(topRow: topRow, selectedRow: selectedRow, collapsed: collapsed, window: window),
                    options: .init(glyphs: glyphs, foldMarkers: true, parentsMayArrive: live), decorations: decorations)
        .render(in: grid.area, into: &grid)
    return grid
}

@Suite("Waterfall snapshots, viewer mode")
struct WaterfallViewerTests {
    @Test("axis, fold markers, a missing parent's placeholder row, the cursor")
    func viewerMode() {
        let grid = viewer(checkout, selectedRow: 2)
        #expect(grid.text == """
              span                         service  duration ╷0          ╷50ms        ╷100ms
              ▾ GET /checkout              frontend    100ms █████████████████████████▉
              ├─auth                       auth         20ms  █████▌
            ✗ └─▾ charge                   payments     60ms        ▕███████████████▎
                └─db.query                 payments     30ms           ████████▏
              ⋯ missing parent 00000000 (1
              └─retry-worker               worker       70ms             ▕██████████████████
            """)
        // The cursor's row is drawn on the selection background from edge to edge (the bar's
        // own cells keep the service's colour).
        for x in 0..<grid.width where grid[x, 3].text == " " || x < 49 { #expect(grid[x, 3].style.background == .selection) }
        #expect(grid[0, 3].style == Style(.error, background: .selection, [.bold]))
        #expect(grid[1, 2].style.background == .default)
    }

    @Test("the same rows in print mode and in the viewer have the same columns")
    func sameColumns() {
        let printed = Printed(tree: checkout, width: 80).body(0..<4).text.split(separator: "\n")
        let shown = viewer(checkout, collapsed: []).text.split(separator: "\n")
        // Service, duration and bar columns line up (names differ by the fold markers only).
        for (p, v) in zip(printed, [shown[1], shown[2], shown[3], shown[4]]) {
            #expect(p.suffix(48) == v.suffix(48))
        }
    }

    @Test("collapsed: the hidden count; live: waiting for the parent; scrolled by topRow")
    func collapsedLive() {
        let charge = checkout.spans.firstIndex { $0.name == "charge" }!
        let grid = viewer(checkout, height: 4, topRow: 1, collapsed: [checkout.spans[charge].spanID], live: true)
        #expect(grid.text == """
              span                         service  duration ╷0          ╷50ms        ╷100ms
              ├─auth                       auth         20ms  █████▌
            ✗ └─▸ charge (+1)              payments     60ms        ▕███████████████▎
              ⋯ waiting for parent 0000000
            """)
    }

    @Test("zoomed: a minimap of the window in the whole trace, offsets from the trace start on the axis, arrows for spans outside the window")
    func zoomed() {
        let grid = viewer(checkout, height: 3, window: (t0 + 30 * ms, t0 + 60 * ms))
        // The minimap: the whole trace in the name column's 27 cells, 30 to 60 ms marked.
        #expect(grid.line(0) == "  [──────███████─────────────] service  duration ╷30ms     ╷40ms     ╷50ms")
        #expect(grid.line(2) == "  ├─auth                       auth         20ms ◂")
    }

    @Test("decorations: highlighted names are underlined, critical segments drawn in the accent colour")
    func decorations() {
        let db = Int32(checkout.spans.firstIndex { $0.name == "db.query" }!)
        let none = viewer(checkout)
        #expect(WaterfallDecorations.none.isEmpty)
        let marked = viewer(checkout, decorations: WaterfallDecorations(
            highlighted: [db], critical: [db: [(t0 + 40 * ms)..<(t0 + 55 * ms)]]))
        #expect(marked.line(1) == none.line(1) && marked.line(3) == none.line(3))
        let y = 4
        let nameX = (0..<marked.width).first { marked[$0, y].text == "d" }!
        #expect(marked[nameX, y].style.attributes.contains(.underline))
        #expect(!none[nameX, y].style.attributes.contains(.underline))
        #expect((49..<marked.width).contains { marked[$0, y].style.foreground == .accent })   // the bar
        #expect(marked[46, y].text == "m" && marked[46, y].style == Style(.accent, [.bold]))       // the row's mark: its duration
        #expect(!(0..<none.width).contains { none[$0, y].style.foreground == .accent })
    }

    @Test("a flag cut off by a narrow name column still shows its mark in column 1")
    func narrowFlag() {
        let t = tree([
            span(1, "a-rather-long-root-span-name", from: 0, to: 100, service: "svc"),
            span(2, parent: 1, "child-with-a-long-name-too", from: 90, to: 130, service: "svc"),
        ])
        let grid = viewer(t, width: 40, height: 3)
        let row = grid.line(2)
        #expect(!row.contains("outside parent"))
        #expect(row.hasPrefix(" ⚑"))
        #expect(row.contains("…"))
        let ascii = viewer(t, width: 40, height: 3, glyphs: .ascii).line(2)
        #expect(ascii.hasPrefix(" !") && ascii.contains("~"))
    }

    @Test("ASCII: every cell of the viewer's and print's waterfalls is ASCII, µs included")
    func asciiOnly() {
        let fast = tree([
            span(1, "root", from: 0, to: 1, service: "svc"),
            Span(traceID: widgetTrace, spanID: SpanID(2), parentSpanID: SpanID(1), name: "tiny", startTime: t0 + 10_000,
                 endTime: t0 + 22_500, resource: Resource(attributes: [Attribute("service.name", .string("svc"))])),
            span(3, parent: 1, "late", from: 0, to: 3, service: "svc"),
        ])
        for t in [checkout, fast] {
            let grids = [viewer(t, selectedRow: 1, glyphs: .ascii),
                         viewer(t, collapsed: [SpanID(1)], window: (t0 + 400_000, t0 + 600_000), glyphs: .ascii),
                         Printed(tree: t, width: 60, glyphs: .ascii).header(),
                         Printed(tree: t, width: 60, glyphs: .ascii).body(0..<t.count)]
            for grid in grids {
                let bytes = grid.text.utf8.filter { $0 >= 0x80 }
                #expect(bytes.isEmpty, "\(grid.text)")
            }
        }
        #expect(Printed(tree: fast, width: 80, glyphs: .ascii).body(0..<3).text.contains("12.5us"))
        #expect(Printed(tree: fast, width: 80).body(0..<3).text.contains("12.5µs"))
    }
}

@Suite("Span flag texts")
struct SpanFlagTextTests {
    @Test("one entry per flag, each with short, counted and long forms")
    func table() {
        let all: [SpanFlags] = [.orphan, .negativeDuration, .outsideParent, .duplicated, .idCollision, .cycle]
        #expect(SpanFlagText.table.count == all.count)
        for flag in all {
            let entry = SpanFlagText.entry(flag)
            #expect(entry != nil)
            #expect(entry?.short.isEmpty == false && entry?.long.isEmpty == false && entry?.jsonKey.isEmpty == false)
        }
        #expect(Set(SpanFlagText.table.map(\.jsonKey)).count == all.count)
    }

    @Test("the texts as rows, headers and the detail pane show them")
    func texts() {
        #expect(SpanFlagText.tags([.outsideParent, .orphan], copies: 1) == ["no parent", "outside parent"])
        #expect(SpanFlagText.tags([.duplicated], copies: 3) == ["×3 copies"])
        #expect(SpanFlagText.tags([.duplicated], copies: 3, glyphs: .ascii) == ["x3 copies"])
        #expect(SpanFlagText.entry(.outsideParent)?.count(2) == "2 outside parent")
        #expect(SpanFlagText.entry(.cycle)?.count(1) == "1 in a parent cycle")
        let retry = checkout.spans.firstIndex { $0.name == "retry-worker" }!
        #expect(SpanFlagText.notes(checkout, retry) == ["parent 0000000000000099 is not in the input (orphan)"])
        var counts = FlagCounts(checkout)
        #expect(counts[.orphan] == 1 && counts[.outsideParent] == 0)
        #expect(counts.texts == ["1 without parent"])
        counts = FlagCounts()
        #expect(counts.isEmpty && counts.texts.isEmpty)
    }

    @Test("the detail pane's notes come from the table")
    func detailNotes() {
        let t = tree([
            span(1, "root", from: 0, to: 100, service: "svc"),
            span(2, parent: 1, "late", from: 90, to: 130, service: "svc"),
        ])
        let lines = SpanDetailContent(tree: t, index: 1, traceStart: t0).lines(.attributes, width: 120).map(\.plainText)
        #expect(lines.contains { $0.hasPrefix("note") && $0.contains(SpanFlagText.entry(.outsideParent)!.long) })
    }
}

@Suite("Waterfall self-time column")
struct WaterfallSelfTimeTests {
    @Test("self times in a column after the duration when there is room, taken from the name column")
    func selfColumn() {
        let selfTimes = SelfTime.compute(checkout)
        let grid = viewer(checkout, decorations: WaterfallDecorations(selfTimes: selfTimes))
        #expect(grid.text == """
              span                service  duration     self ╷0          ╷50ms        ╷100ms
              ▾ GET /checkout     frontend    100ms     20ms █████████████████████████▉
              ├─auth              auth         20ms     20ms  █████▌
            ✗ └─▾ charge          payments     60ms     30ms        ▕███████████████▎
                └─db.query        payments     30ms     30ms           ████████▏
              ⋯ missing parent 00
              └─retry-worker      worker       70ms     70ms             ▕██████████████████
            """)
        #expect(!WaterfallDecorations(selfTimes: selfTimes).isEmpty)
        // The bars do not move.
        let plain = viewer(checkout)
        let barX = WaterfallColumns(width: 80, longestService: 8).barX
        #expect(barX == WaterfallColumns(width: 80, longestService: 8, selfTime: true).barX)
        for y in 0..<plain.height { #expect(plain.line(y).dropFirst(barX) == grid.line(y).dropFirst(barX)) }
        // The cursor's row keeps its background under the self time.
        let selected = viewer(checkout, selectedRow: 2, decorations: WaterfallDecorations(selfTimes: selfTimes))
        #expect(selected[45, 3].style == Style(.default, background: .selection, [.bold]))
    }

    @Test("no self times, or no room: the waterfall as before")
    func noColumn() {
        let selfTimes = SelfTime.compute(checkout)
        #expect(viewer(checkout).text == viewer(checkout, decorations: WaterfallDecorations(selfTimes: nil)).text)
        #expect(viewer(checkout, width: 60).text == viewer(checkout, width: 60, decorations: WaterfallDecorations(selfTimes: selfTimes)).text)
        #expect(WaterfallColumns(width: 60, longestService: 8, selfTime: true).selfTime == 0)
        let c = WaterfallColumns(width: 80, longestService: 8, selfTime: true)
        let plain = WaterfallColumns(width: 80, longestService: 8)
        #expect(c.selfTime == WaterfallColumns.selfTimeWidth && c.barX == plain.barX && c.width == plain.width)
        #expect(c.selfTimeX == c.durationX + c.duration + 1 && c.name == plain.name - 9)
        // Spans without times show "?"; ASCII stays ASCII; narrow widths do not crash.
        let ascii = viewer(checkout, width: 100, glyphs: .ascii, decorations: WaterfallDecorations(selfTimes: selfTimes))
        #expect(isASCII(ascii) && ascii.line(0).contains("self"))
        for width in 1...10 {
            let g = viewer(checkout, width: width, decorations: WaterfallDecorations(selfTimes: selfTimes))
            #expect(DisplayWidth.of(g.line(1, trimmingTrailingSpaces: false)) == width)
        }
        #expect(viewer(checkout, decorations: WaterfallDecorations(selfTimes: [])).line(1).contains("     ?"))
    }
}
