import SpanModel
import SpanStore
import Testing
import TraceLayout

@Suite("VisibleRows")
struct VisibleRowsTests {
    @Test("rows are the spans depth first, children by start time")
    func order() {
        let rows = VisibleRows(tree: sample)
        #expect(rows.count == 7)
        #expect(sample.names(rows.rows) == ["R", "A", "A1", "A2", "A2a", "B", "B1"])
        for (row, span) in rows.rows.enumerated() {
            #expect(rows.rowOfSpan[Int(span)] == Int32(row))
        }
        #expect(rows.rowOfSpan[sample.index(named: "R")] == 0)
        #expect(rows.rowOfSpan[sample.index(named: "B1")] == 6)
    }

    @Test("collapsing a span hides its descendants but not the span")
    func collapseOne() {
        let rows = VisibleRows(tree: sample, collapsed: [SpanID(2)])   // A
        #expect(sample.names(rows.rows) == ["R", "A", "B", "B1"])
        #expect(rows.rowOfSpan[sample.index(named: "A")] == 1)
        #expect(rows.rowOfSpan[sample.index(named: "A1")] == -1)
        #expect(rows.rowOfSpan[sample.index(named: "A2")] == -1)
        #expect(rows.rowOfSpan[sample.index(named: "A2a")] == -1)
        #expect(rows.rowOfSpan[sample.index(named: "B")] == 2)
        #expect(rows.rowOfSpan[sample.index(named: "B1")] == 3)
    }

    @Test("collapsing the root leaves one row")
    func collapseRoot() {
        let rows = VisibleRows(tree: sample, collapsed: [SpanID(1)])
        #expect(sample.names(rows.rows) == ["R"])
        #expect(rows.rowOfSpan.filter { $0 >= 0 } == [0])
    }

    @Test("collapsing a nested span inside a collapsed one changes nothing more")
    func nestedCollapse() {
        let rows = VisibleRows(tree: sample, collapsed: [SpanID(2), SpanID(5)])
        #expect(sample.names(rows.rows) == ["R", "A", "B", "B1"])
        let deeper = VisibleRows(tree: sample, collapsed: [SpanID(5)])   // A2 only
        #expect(sample.names(deeper.rows) == ["R", "A", "A1", "A2", "B", "B1"])
        #expect(deeper.rowOfSpan[sample.index(named: "A2a")] == -1)
    }

    @Test("collapsing a leaf or an unknown ID changes nothing", arguments: [SpanID(4), SpanID(0x999), SpanID.zero])
    func collapseLeaf(id: SpanID) {
        let rows = VisibleRows(tree: sample, collapsed: [id])
        #expect(sample.names(rows.rows) == ["R", "A", "A1", "A2", "A2a", "B", "B1"])
    }

    @Test("several top-level spans (orphans included) come in start order, each with its subtree")
    func severalRoots() {
        let t = tree([
            span(10, parent: 0x77, "orphan", start: 50, end: 60),
            span(11, parent: 10, "orphan child", start: 51, end: 52),
            span(1, "root", start: 0, end: 100),
            span(2, parent: 1, "child", start: 1, end: 2),
            span(20, "late root", start: 200, end: 300),
        ])
        let rows = VisibleRows(tree: t)
        #expect(t.names(rows.rows) == ["root", "child", "(placeholder)", "orphan", "orphan child", "late root"])
        #expect(rows.placeholder(atRow: 2)?.parentID == SpanID(0x77))
        #expect(rows.span(atRow: 2) == nil)
        #expect(rows.span(atRow: 3) == t.index(named: "orphan"))
        #expect(VisibleRows(tree: t, collapsed: [SpanID(10)]).count == 5)
        let flat = VisibleRows(tree: t, groupOrphans: false)
        #expect(t.names(flat.rows) == ["root", "child", "orphan", "orphan child", "late root"])
    }

    @Test("orphans that name the same missing parent wait under one placeholder, one level deeper")
    func placeholders() {
        let t = tree([
            span(1, "root", start: 0, end: 100),
            span(10, parent: 0x77, "first", start: 10, end: 20),
            span(11, parent: 10, "first child", start: 11, end: 12),
            span(12, parent: 0x77, "second", start: 30, end: 40),
            span(13, parent: 0x88, "other", start: 50, end: 60),
        ])
        let rows = VisibleRows(tree: t)
        #expect(t.names(rows.rows) == ["root", "(placeholder)", "first", "first child", "second", "(placeholder)", "other"])
        #expect(rows.placeholders.map(\.orphans.count) == [2, 1])
        #expect(rows.guides(for: t.index(named: "first"), in: t) == [.tee])
        #expect(rows.guides(for: t.index(named: "first child"), in: t) == [.vertical, .corner])
        #expect(rows.guides(for: t.index(named: "second"), in: t) == [.corner])
        #expect(rows.guides(for: t.index(named: "other"), in: t) == [.corner])
        #expect(rows.guides(for: t.index(named: "root"), in: t) == [])
        #expect(rows.isUnderPlaceholder(t.index(named: "first")))
        #expect(!rows.isUnderPlaceholder(t.index(named: "first child")))
    }

    @Test("an empty tree has no rows")
    func empty() {
        let rows = VisibleRows(tree: TraceTree(TraceRecord(traceID: layoutTrace, arrival: 0)))
        #expect(rows.count == 0)
        #expect(rows.rowOfSpan.isEmpty)
    }
}

@Suite("Tree guides")
struct TreeGuidesTests {
    @Test("guides for a four-level tree with siblings", arguments: [
        ("R", [Guide]()),
        ("A", [.tee]),
        ("A1", [.vertical, .tee]),
        ("A2", [.vertical, .corner]),
        ("A2a", [.vertical, .blank, .corner]),
        ("B", [.corner]),
        ("B1", [.blank, .corner]),
    ])
    func guides(name: String, expected: [Guide]) {
        #expect(sample.guides(for: sample.index(named: name)) == expected)
    }

    @Test("isLastChild for children and for top-level spans")
    func lastChild() {
        #expect(!sample.isLastChild(sample.index(named: "A")))
        #expect(sample.isLastChild(sample.index(named: "B")))
        #expect(!sample.isLastChild(sample.index(named: "A1")))
        #expect(sample.isLastChild(sample.index(named: "A2")))
        #expect(sample.isLastChild(sample.index(named: "A2a")))
        #expect(sample.isLastChild(sample.index(named: "R")))

        let t = tree([span(1, "first", start: 0, end: 1), span(2, "second", start: 5, end: 6)])
        #expect(!t.isLastChild(t.index(named: "first")))
        #expect(t.isLastChild(t.index(named: "second")))
    }

    @Test("children of a top-level span that has later siblings use the same guides")
    func underEarlierRoot() {
        let t = tree([
            span(1, "root", start: 0, end: 100),
            span(2, parent: 1, "a", start: 1, end: 2),
            span(3, parent: 2, "a.x", start: 1, end: 2),
            span(4, parent: 1, "b", start: 3, end: 4),
            span(9, "root2", start: 200, end: 300),
        ])
        // Top-level spans draw no guides, so a later top-level sibling adds no column.
        #expect(t.guides(for: t.index(named: "root")) == [])
        #expect(t.guides(for: t.index(named: "a")) == [.tee])
        #expect(t.guides(for: t.index(named: "a.x")) == [.vertical, .corner])
        #expect(t.guides(for: t.index(named: "b")) == [.corner])
        #expect(t.guides(for: t.index(named: "root2")) == [])
    }
}
