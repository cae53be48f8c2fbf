import SpanAnalysis
import SpanModel
import SpanStore
import Testing

@Suite("flame graph")
struct FlameGraphTests {
    /// R 0..100 with three `q` calls (each with a `db` child) and one `w`.
    static let spans = [
        span(1, "R", 0, 100),
        span(2, parent: 1, "q", 0, 10),
        span(3, parent: 2, "db", 2, 8),
        span(4, parent: 1, "q", 20, 40, error: true),
        span(5, parent: 4, "db", 25, 35),
        span(6, parent: 1, "w", 40, 90),
        span(7, parent: 1, "q", 90, 100),
        span(8, parent: 1, "q", 90, 95, service: "other"),
    ]

    static func graph(_ order: FlameGraph.Order = .total) -> (TraceTree, FlameGraph) {
        let t = tree(spans)
        return (t, FlameGraph(t, selfTimes: SelfTime.compute(t), order: order))
    }

    func node(_ g: FlameGraph, _ path: String...) -> FlameGraph.Node {
        var n = FlameGraph.root
        for name in path {
            n = Int(g.nodes[n].children.first { g.nodes[Int($0)].name == name && g.nodes[Int($0)].service == "svc" }!)
        }
        return g.nodes[n]
    }

    @Test("siblings with the same service and name merge, and so do their children")
    func merge() {
        let (t, g) = Self.graph()
        #expect(g.nodes.count == 6)   // root, R, q, q (other), w, db
        let q = node(g, "R", "q")
        #expect((q.count, q.totalNs, q.errors, q.selfNs) == (3, 40, 1, 24))
        let qNode = Int(g.nodeOfSpan[t.index(named: "q")])
        #expect(g.spans(of: qNode).map { t.spans[Int($0)].spanID.value } == [2, 4, 7])
        #expect(g.spans(of: FlameGraph.root).isEmpty)
        let db = node(g, "R", "q", "db")
        #expect((db.count, db.totalNs, db.selfNs, db.depth) == (2, 16, 16, 3))
        #expect(g.nodes[FlameGraph.root].totalNs == 100)
        #expect(g.nodes[Int(g.nodeOfSpan[t.index(named: "w")])].name == "w")
        #expect(g.depthCount == 3)
    }

    @Test("many distinct siblings (past the short scan) still merge")
    func manySiblings() {
        var spans = [span(1, "R", 0, 1_000)]
        for i in 0..<60 { spans.append(span(UInt64(i + 2), parent: 1, "op\(i % 30)", Int64(i), Int64(i) + 1 + Int64(i % 30))) }
        let t = tree(spans)
        let g = FlameGraph(t, selfTimes: SelfTime.compute(t), order: .name)
        let r = g.nodes[Int(g.nodes[0].children[0])]
        #expect(r.children.count == 30)
        #expect(r.children.allSatisfy { g.nodes[Int($0)].count == 2 })
        #expect(g.nodes[Int(r.children[0])].name == "op0" && g.nodes[Int(r.children[0])].totalNs == 2)
        #expect(g.nodes.count == 32)
    }

    @Test("children by total time or by name")
    func order() {
        let (_, byTotal) = Self.graph(.total)
        let r = node(byTotal, "R")
        #expect(r.children.map { byTotal.nodes[Int($0)].name } == ["w", "q", "q"])
        #expect(r.children.map { byTotal.nodes[Int($0)].service } == ["svc", "svc", "other"])
        let (_, byName) = Self.graph(.name)
        let s = node(byName, "R")
        #expect(s.children.map { byName.nodes[Int($0)].service + "/" + byName.nodes[Int($0)].name } == ["other/q", "svc/q", "svc/w"])
    }

    @Test("layout: widths in proportion, fractional cells, rows by depth")
    func layout() {
        let (_, g) = Self.graph()
        let cells = g.layout(width: 80)
        func cell(_ name: String, _ service: String = "svc") -> FlameGraph.Cell {
            cells.first { g.nodes[$0.node].name == name && g.nodes[$0.node].service == service }!
        }
        #expect(cells.first == FlameGraph.Cell(node: 0, row: 0, x0: 0, x1: 80))
        #expect(cell("R") == FlameGraph.Cell(node: cell("R").node, row: 1, x0: 0, x1: 80))
        // R is 100 ns in 80 cells: 0.8 cell per ns. Children w (50), q (40), other q (5).
        #expect(cell("w").x0 == 0 && cell("w").x1 == 40)
        #expect(cell("q").x0 == 40 && cell("q").x1 == 72)
        #expect(abs(cell("q", "other").x0 - 72) < 1e-9 && abs(cell("q", "other").x1 - 76) < 1e-9)
        #expect(cell("db").row == 3 && cell("db").x0 == 40 && abs(cell("db").width - 16 * 0.8) < 1e-9)
        #expect(cells.count == g.nodes.count)
        let noRoot = g.layout(width: 80, showRoot: false)
        #expect(noRoot.first?.row == 0 && noRoot.count == g.nodes.count - 1)
        #expect(g.layout(width: 80, minWidth: 5).count == 5)   // root, R, w, q, db (12.8)
    }

    @Test("zoom: the chosen node takes the whole width, its ancestors stay above it")
    func zoom() {
        let (_, g) = Self.graph()
        let q = Int(node(g, "R").children[1])
        let cells = g.layout(width: 10, zoom: q)
        #expect(cells.map(\.row) == [0, 1, 2, 3])
        #expect(cells[0].x0 == 0 && cells[0].x1 == 10 && cells[1].x1 == 10)
        #expect(cells[2] == FlameGraph.Cell(node: q, row: 2, x0: 0, x1: 10))
        #expect(cells[3].x0 == 0 && cells[3].x1 == 4)   // db: 16 of q's 40
    }

    @Test("concurrent children that add up to more than their parent share its width; an async child is clipped to its parent")
    func concurrentAndAsync() {
        let t = tree([span(1, "R", 0, 10), span(2, parent: 1, "a", 0, 10), span(3, parent: 1, "b", 0, 10)])
        let g = FlameGraph(t, selfTimes: SelfTime.compute(t))
        let r = g.nodes[Int(g.nodes[0].children[0])]
        #expect(r.totalNs == 10 && r.widthNs == 10)
        let cells = g.layout(width: 4)
        #expect(cells.filter { $0.row == 1 }.map(\.width) == [4])
        #expect(cells.filter { $0.row == 2 }.map(\.width) == [2, 2])

        // c outlives R by 20: only its 5 inside R count for its width, its total stays 25.
        let u = tree([span(1, "R", 0, 10), span(2, parent: 1, "c", 5, 30)])
        let h = FlameGraph(u, selfTimes: SelfTime.compute(u))
        let c = h.nodes.first { $0.name == "c" }!
        #expect(c.totalNs == 25 && c.widthNs == 5)
        #expect(h.layout(width: 10).filter { $0.row == 2 }.map(\.width) == [5])
    }

    @Test("a 100,000-deep chain lays out without recursion")
    func deep() {
        let n = 100_000
        var spans: [Span] = []
        for i in 0..<n { spans.append(span(UInt64(i + 1), parent: UInt64(i), "s", Int64(i), Int64(2 * n - i))) }
        let t = tree(spans)
        let g = FlameGraph(t, selfTimes: SelfTime.compute(t))
        #expect(g.nodes.count == n + 1)
        #expect(g.layout(width: 100).count == n + 1)
    }
}
