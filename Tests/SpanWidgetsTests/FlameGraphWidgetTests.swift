import CellGrid
import SpanAnalysis
import SpanModel
import SpanStore
import SpanWidgets
import Testing

/// A root of 60 ms with children of 1/3, 1/2 and 1/6 of its time (a, b, c, in name order), b
/// with an error and a child of half its time.
let thirds = tree([
    span(1, "root", from: 0, to: 60, service: "svc"),
    span(2, parent: 1, "a", from: 0, to: 20, service: "svc"),
    span(3, parent: 1, "b", from: 20, to: 50, service: "svc", error: true),
    span(4, parent: 1, "c", from: 50, to: 60, service: "svc"),
    span(5, parent: 3, "b1", from: 25, to: 40, service: "db"),
])

func flame(_ tree: TraceTree, order: FlameGraph.Order = .total) -> FlameGraph {
    FlameGraph(tree, selfTimes: SelfTime.compute(tree), order: order)
}

func flameGrid(_ graph: FlameGraph, width: Int = 20, height: Int = 3, state: FlameGraphWidget.State? = nil,
               glyphs: Glyphs = .unicode, useColor: Bool = false) -> Grid {
    var grid = Grid(width: width, height: height)
    FlameGraphWidget(graph: graph, state: state ?? .init(graph: graph), options: .init(glyphs: glyphs, useColor: useColor))
        .render(in: grid.area, into: &grid)
    return grid
}

/// The node named `name`.
func node(_ graph: FlameGraph, _ name: String) -> Int { graph.nodes.firstIndex { $0.name == name }! }

@Suite("Flame graph")
struct FlameGraphWidgetTests {
    @Test("sub-cell edges: children of 1/3, 1/2, 1/6 at 20 columns")
    func thirdsAt20() {
        let g = flame(thirds, order: .name)
        let grid = flameGrid(g)
        // a is [0, 6.67): 6 cells and 5/8 of cell 6; b [6.67, 16.67): 3/8 of cell 6, cells 7-15
        // and 5/8 of 16; c the rest. b1, half of b, starts 5/8 into cell 6 and ends 5/8 into 11.
        #expect(grid.text == """
            svc: root
            svc: a▋✗ svc: b ▋sv…
                  ▐db:…▋
            """)
        // Bars are reverse video in the service's colour; a's end is a's colour.
        let svc = ColorRole.service("svc")
        #expect(grid[0, 1].style == Style(svc, [.reverse]))
        #expect(grid[6, 1].style == Style(svc))
        #expect(grid[7, 1].style == Style(.error, [.reverse, .bold]))
        // The root is selected to begin with (the widest top-level node).
        #expect(grid[0, 0].style == Style(.default, background: .selection, [.bold, .underline]))
        #expect(grid[19, 0].style == Style(.default, background: .selection, [.bold, .underline]))

        // With colour, a shared cell is the first node's part on the second's colour; a start
        // edge after nothing is the empty part in reverse video.
        let colored = flameGrid(g, useColor: true)
        #expect(colored.line(1) == grid.line(1))
        #expect(colored.line(2) == "      ▋db:…▋")
        #expect(colored[6, 1].style == Style(svc, background: svc))
        #expect(colored[6, 2].style == Style(ColorRole.service("db"), [.reverse]))

        let ascii = flameGrid(g, glyphs: .ascii)
        #expect(ascii.text == """
            svc: root
            svc: a=x svc: b =sv~
                  #db:~=
            """)
    }

    @Test("wider, and the checkout trace: labels cut with an ellipsis, the selected node")
    func wider() {
        let g = flame(thirds, order: .name)
        let b = node(g, "b")
        let grid = flameGrid(g, width: 40, state: .init(selected: b))
        #expect(grid.text == """
            svc: root
            svc: a       ▍✗ svc: b           ▍svc: c
                         ▐db: b1   ▍
            """)
        #expect(grid[16, 1].style == Style(.default, background: .selection, [.bold, .underline]))
        #expect(grid[14, 1].style == Style(.error, background: .selection, [.bold, .underline]))
        #expect(grid[13, 1].style == Style(ColorRole.service("svc")))
        #expect(grid[0, 0].style == Style(ColorRole.service("svc"), [.reverse]))

        let shop = flame(checkout)
        let checkoutGrid = flameGrid(shop, width: 60)
        #expect(checkoutGrid.text == """
            frontend: GET /checkout            ▎worker: retry-worker
            ✗ payments: charge   ▏auth:…▎
            payments:…▋
            """)
        #expect(isASCII(flameGrid(shop, width: 60, height: 4, glyphs: .ascii)))
        #expect(isASCII(flameGrid(shop, width: 37, height: 4, glyphs: .ascii, useColor: true)))
        #expect(isASCII(flameGrid(g, width: 23, glyphs: .ascii, useColor: true)))
    }

    @Test("zoom: the node across the whole width, its ancestors above it; the root's row")
    func zoom() {
        let g = flame(thirds, order: .name)
        let b = node(g, "b")
        var state = FlameGraphWidget.State(graph: g)
        state.selected = b
        #expect(state.zoomIn(in: g) == true)
        #expect(state.zoom == b && !state.zoomIn(in: g))
        let grid = flameGrid(g, state: state)
        #expect(grid.text == """
            svc: root
            ✗ svc: b
            db: b1
            """)
        state.selectFirstChild(in: g)
        #expect(state.selected == node(g, "b1"))
        // The zoomed node's siblings are not drawn: no sibling moves from it or above it.
        state.selectParent(in: g)
        #expect(!state.selectNextSibling(in: g) && state.selected == b)
        #expect(state.zoomOut(in: g) && state.zoom == node(g, "root"))
        #expect(state.zoomOut(in: g) && state.zoom == FlameGraph.root)
        #expect(state.zoomOut(in: g) == false)
        #expect(state.isShown(b, in: g) && state.isShown(node(g, "c"), in: g))

        let shop = flame(checkout)
        let rooted = flameGrid(shop, width: 40, height: 4,
                               state: .init(zoom: node(shop, "charge"), selected: node(shop, "db.query"), showsRoot: true))
        #expect(rooted.text == """
            all
            frontend: GET /checkout
            ✗ payments: charge
            payments: db.query
            """)
        var zoomed = FlameGraphWidget.State(zoom: node(shop, "charge"), selected: node(shop, "charge"))
        #expect(!zoomed.isShown(node(shop, "auth"), in: shop))
        #expect(zoomed.isShown(node(shop, "GET /checkout"), in: shop) && !zoomed.isShown(FlameGraph.root, in: shop))
        zoomed.resetZoom()
        #expect(zoomed.zoom == FlameGraph.root)
    }

    @Test("navigation: parent, first child, siblings in x order")
    func navigation() {
        let g = flame(thirds, order: .name)
        var state = FlameGraphWidget.State(graph: g)
        #expect(state.selected == node(g, "root"))
        #expect(state.selectParent(in: g) == false)   // the virtual root is not shown
        #expect(!state.selectNextSibling(in: g) && !state.selectPreviousSibling(in: g))
        #expect(state.selectFirstChild(in: g) && state.selected == node(g, "a"))
        #expect(state.selectPreviousSibling(in: g) == false)
        #expect(state.selectNextSibling(in: g) && state.selected == node(g, "b"))
        #expect(state.selectNextSibling(in: g) && state.selected == node(g, "c"))
        #expect(!state.selectNextSibling(in: g) && state.selected == node(g, "c"))
        #expect(state.selectFirstChild(in: g) == false)
        #expect(state.selectPreviousSibling(in: g) && state.selected == node(g, "b"))
        #expect(state.selectFirstChild(in: g) && state.selected == node(g, "b1"))
        #expect(state.selectParent(in: g) && state.selectParent(in: g) && state.selected == node(g, "root"))

        // Ordered by total time, the first child is the widest.
        let byTotal = flame(thirds)
        var s2 = FlameGraphWidget.State(graph: byTotal)
        s2.selectFirstChild(in: byTotal)
        #expect(s2.selected == node(byTotal, "b"))

        // With the root shown it is selected first and is its children's parent.
        var rooted = FlameGraphWidget.State(graph: g, showsRoot: true)
        #expect(rooted.selected == FlameGraph.root)
        #expect(rooted.selectFirstChild(in: g) && rooted.selectParent(in: g) && rooted.selected == FlameGraph.root)
        #expect(rooted.row(of: node(g, "a"), in: g) == 2 && state.row(of: node(g, "a"), in: g) == 1)

        // A click finds the node under it.
        let widget = FlameGraphWidget(graph: g, state: .init(graph: g))
        #expect(widget.node(atX: 3, line: 1, width: 20) == node(g, "a"))
        #expect(widget.node(atX: 7, line: 1, width: 20) == node(g, "b"))
        #expect(widget.node(atX: 18, line: 1, width: 20) == node(g, "c"))
        #expect(widget.node(atX: 18, line: 2, width: 20) == nil)
    }

    @Test("scrolling a deep graph keeps the selection on screen")
    func scrolling() {
        // A chain ten deep.
        let chain = tree((1...10).map { i in
            span(UInt64(i), parent: UInt64(i - 1), "level\(i)", from: Int64(i), to: 100, service: "deep")
        })
        let g = flame(chain)
        var state = FlameGraphWidget.State(graph: g)
        for _ in 0..<6 { state.selectFirstChild(in: g) }
        #expect(state.selected == node(g, "level7"))
        state.scrollToSelection(in: g, height: 3)
        #expect(state.topRow == 4)
        let grid = flameGrid(g, width: 30, state: state)
        #expect(grid.line(0).hasPrefix("deep: level5") && grid.line(2).hasPrefix("deep: level7"))
        for _ in 0..<6 { state.selectParent(in: g) }
        state.scrollToSelection(in: g, height: 3)
        #expect(state.topRow == 0)
    }

    @Test("the footer: count, total, self, share, errors")
    func footer() {
        let g = flame(thirds, order: .name)
        let b = FlameGraphWidget(graph: g, state: .init(selected: node(g, "b")))
        #expect(b.footer.plainText == "svc: b · 1 span · total 30ms · self 15ms · 50% of the trace · 1 error")
        #expect(b.footer.runs[0].style == Style(ColorRole.service("svc"), [.bold]))
        #expect(b.footer.runs.last?.style == .error)
        #expect(FlameGraphWidget.tooltip(g, node: FlameGraph.root).plainText == "all · total 60ms · 1 error")
        #expect(FlameGraphWidget.tooltip(g, node: 99) == .blank)
        let ascii = FlameGraphWidget.tooltip(g, node: node(g, "a"), glyphs: .ascii).plainText
        #expect(ascii == "svc: a - 1 span - total 20ms - self 20ms - 33.3% of the trace")
    }

    @Test("narrow areas and an empty graph")
    func edges() {
        let graphs = [flame(thirds, order: .name), flame(checkout)]
        for g in graphs {
            for width in 0...12 {
                for glyphs in [Glyphs.unicode, .ascii] {
                    for useColor in [false, true] {
                        let grid = flameGrid(g, width: width, height: 4, glyphs: glyphs, useColor: useColor)
                        for y in 0..<grid.height { #expect(DisplayWidth.of(grid.line(y, trimmingTrailingSpaces: false)) == width) }
                        if glyphs.isASCII { #expect(isASCII(grid)) }
                    }
                }
            }
        }
        let empty = flame(emptyTree)
        var state = FlameGraphWidget.State(graph: empty)
        #expect(flameGrid(empty, state: state).text == "\n\n")
        #expect(!state.selectFirstChild(in: empty) && !state.selectParent(in: empty) && !state.zoomIn(in: empty))
        #expect(FlameGraphWidget(graph: empty, state: state).footer.plainText == "all · total 0ns")
        // A zoom or selection out of range draws the whole graph and moves nowhere.
        state = .init(zoom: 42, selected: 42)
        #expect(flameGrid(graphs[0], state: state).line(0) == "svc: root")
        #expect(!state.selectParent(in: graphs[0]) && !state.selectNextSibling(in: graphs[0]))
    }
}
