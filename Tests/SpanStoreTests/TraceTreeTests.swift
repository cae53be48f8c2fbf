import SpanModel
import SpanStore
import Testing

@Suite("TraceTree structure")
struct TraceTreeStructureTests {
    /// A(0..100) with children B(10..50) and C(20..90); B has D(15..30) and E(35..45).
    static let family: [Span] = [
        span(1, "A", start: 0, end: 100),
        span(2, parent: 1, "B", start: 10, end: 50),
        span(3, parent: 1, "C", start: 20, end: 90),
        span(4, parent: 2, "D", start: 15, end: 30),
        span(5, parent: 2, "E", start: 35, end: 45),
    ]
    static let familyOutline = ["A", "  B", "    D", "    E", "  C"]

    @Test("parents and children are linked when parents arrive first")
    func parentsFirst() {
        let t = tree(Self.family)
        #expect(t.count == 5)
        #expect(t.outline == Self.familyOutline)
        #expect(t.parentName(of: "B") == "A")
        #expect(t.parentName(of: "D") == "B")
        #expect(t.parentName(of: "A") == nil)
        #expect(t.roots.map { t.spans[Int($0)].name } == ["A"])
        #expect(t.depth == [0, 1, 1, 2, 2])
        #expect(t.depthCount == 3)
        #expect(t.flags.allSatisfy { $0.isEmpty })
        #expect(t.hasChildren(0))
        #expect(!t.hasChildren(3))
        #expect(Array(t.children(of: 0)) == [1, 2])
        #expect(Array(t.children(of: 1)) == [3, 4])
        #expect(t.children(of: 2).isEmpty)
    }

    @Test("a child that arrives before its parent is linked the same way")
    func childFirst() {
        let t = tree(Self.family.reversed())
        #expect(t.outline == Self.familyOutline)
        #expect(t.flags.allSatisfy { $0.isEmpty })
        // Indices follow arrival order: E is 0, A is 4.
        #expect(t.spans.map(\.name) == ["E", "D", "C", "B", "A"])
        #expect(t.parent == [3, 3, 4, 4, -1])
        #expect(t.roots == [4])
    }

    @Test("every arrival order of a five-span tree gives the same tree")
    func allPermutations() {
        let orders = permutations(Self.family)
        #expect(orders.count == 120)
        for order in orders {
            let t = tree(order)
            #expect(t.outline == Self.familyOutline, "arrival \(order.map(\.name))")
            #expect(t.depthCount == 3)
            #expect(t.flags.allSatisfy { $0.isEmpty })
            let summary = TraceSummary(t)
            #expect(summary.rootNames == ["A"])
            #expect(summary.spanCount == 5)
        }
    }

    @Test("subtree sizes count each span's descendants and itself")
    func subtreeSizes() {
        let t = tree(Self.family.reversed())
        let sizes = Dictionary(uniqueKeysWithValues: t.spans.indices.map { (t.spans[$0].name, t.subtreeSize[$0]) })
        #expect(sizes == ["A": 5, "B": 3, "C": 1, "D": 1, "E": 1])
        let cyclic = tree([span(1, parent: 2, "x", start: 0, end: 1), span(2, parent: 1, "y", start: 0, end: 1),
                           span(3, parent: 2, "z", start: 0, end: 1)])
        #expect(cyclic.subtreeSize == [3, 2, 1])
    }

    @Test("children are ordered by start time, then by arrival")
    func childOrder() {
        let t = tree([
            span(1, "P", start: 0, end: 100),
            span(2, parent: 1, "X", start: 50, end: 60),
            span(3, parent: 1, "Y", start: 10, end: 20),
            span(4, parent: 1, "Z", start: 50, end: 55),
            span(5, parent: 1, "W", start: 10, end: 90),
        ])
        #expect(t.outline == ["P", "  Y", "  W", "  X", "  Z"])
    }

    @Test("top-level spans are ordered by start time, then by arrival")
    func rootOrder() {
        let t = tree([
            span(1, "late", start: 50, end: 60),
            span(2, "early", start: 10, end: 20),
            span(3, "tie", start: 50, end: 70),
        ])
        #expect(t.roots.map { t.spans[Int($0)].name } == ["early", "late", "tie"])
    }

    @Test("depth: a lone root is one level, a chain of N spans is N levels", arguments: [1, 2, 3, 10, 200])
    func chainDepth(n: Int) {
        let chain = (1...n).map { span(UInt64($0), parent: UInt64($0 - 1), start: Int64($0), end: 1_000) }
        for order in [chain, chain.reversed()] {
            let t = tree(order)
            #expect(t.depthCount == n)
            #expect(TraceSummary(t).depth == n)
            #expect(t.depth.max() == Int32(n - 1))
            #expect(t.roots.count == 1)
        }
    }

    @Test("an empty trace has no depth")
    func emptyTree() {
        let t = TraceTree(TraceRecord(traceID: testTrace, arrival: 0))
        #expect(t.count == 0)
        #expect(t.depthCount == 0)
        #expect(t.roots.isEmpty)
        let summary = TraceSummary(t)
        #expect(summary.spanCount == 0)
        #expect(summary.duration == nil)
        #expect(summary.services == [])
    }

    @Test("spans without times still build a tree")
    func noTimes() {
        let u = Timestamp.unknown
        let spans = [
            span(3, parent: 1, "child2", start: u, end: u),
            span(2, parent: 1, "child1", start: u, end: u),
            span(1, "root", start: u, end: u),
            span(4, parent: 2, "grandchild", start: u, end: u),
        ]
        let t = tree(spans)
        // Equal (unknown) start times fall back to arrival order.
        #expect(t.outline == ["root", "  child2", "  child1", "    grandchild"])
        #expect(t.flags.allSatisfy { $0.isEmpty })
        let summary = TraceSummary(t)
        #expect(summary.startTime == Timestamp.unknown)
        #expect(summary.endTime == Timestamp.unknown)
        #expect(summary.duration == nil)
        #expect(summary.depth == 3)
        #expect(summary.clockProblemCount == 0)
    }
}

@Suite("TraceTree flags")
struct TraceTreeFlagTests {
    @Test("a span whose parent is missing is top-level and flagged orphan")
    func orphan() throws {
        let t = tree([
            span(1, "root", start: 0, end: 100),
            span(5, parent: 0x77, "late orphan", start: 50, end: 60),
            span(6, parent: 0x78, "early orphan", start: 20, end: 30),
            span(7, parent: 5, "orphan's child", start: 55, end: 58),
        ])
        #expect(t.outline == ["root", "early orphan", "late orphan", "  orphan's child"])
        #expect(t.flags(named: "late orphan") == .orphan)
        #expect(t.flags(named: "early orphan") == .orphan)
        #expect(t.flags(named: "orphan's child") == [])
        #expect(t.flags(named: "root") == [])
        let summary = TraceSummary(t)
        #expect(summary.orphanNames == ["early orphan", "late orphan"])
        #expect(summary.rootNames == ["root"])
    }

    @Test("a parent that arrives later adopts its orphan")
    func adoption() throws {
        var r = TraceRecord(traceID: testTrace, arrival: 0)
        r.insert(span(2, parent: 1, "child", start: 10, end: 20))
        let before = TraceTree(r)
        #expect(before.flags[0] == .orphan)
        #expect(before.roots == [0])
        #expect(TraceSummary(before).orphanNames == ["child"])

        r.insert(span(1, "parent", start: 0, end: 30))
        let after = TraceTree(r)
        #expect(after.version > before.version)
        #expect(after.flags == [[], []])
        #expect(after.roots == [1])
        #expect(after.parent == [1, -1])
        #expect(after.outline == ["parent", "  child"])
        #expect(TraceSummary(after).orphanNames == [])
    }

    @Test("identical copies are dropped, counted and flagged")
    func duplicates() throws {
        var store = TraceStore()
        let s = span(1, "GET", start: 0, end: 10, attributes: [Attribute("k", .string("v"))])
        #expect(store.insert(s) == .added)
        #expect(store.insert(s) == .duplicate)
        #expect(store.insert(s) == .duplicate)
        #expect(store.insert(span(2, parent: 1, "child", start: 1, end: 2)) == .added)
        #expect(store.spanCount == 2)
        #expect(store.duplicateCount == 2)
        #expect(store.collisionCount == 0)
        let r = try #require(store[testTrace])
        #expect(r.spanCount == 2)
        #expect(r.copiesDropped == [0: 2])
        #expect(r.duplicateCount == 2)
        let t = TraceTree(r)
        #expect(t.flags[0] == .duplicated)
        #expect(t.flags[1] == [])
        #expect(t.copiesDropped == [0: 2])
        #expect(t.outline == ["GET", "  child"])
        #expect(TraceSummary(t).duplicateCount == 2)
    }

    @Test("a different span with a taken ID is kept and both are flagged")
    func collision() throws {
        var store = TraceStore()
        #expect(store.insert(span(1, "first", start: 0, end: 10)) == .added)
        #expect(store.insert(span(1, "second", start: 5, end: 8)) == .collision)
        #expect(store.insert(span(1, "second", start: 5, end: 8)) == .duplicate)
        #expect(store.insert(span(1, "first", start: 0, end: 10)) == .duplicate)
        #expect(store.spanCount == 2)
        #expect(store.collisionCount == 1)
        #expect(store.duplicateCount == 2)
        let r = try #require(store[testTrace])
        #expect(r.collidingSpans == [0, 1])
        #expect(r.copiesDropped == [0: 1, 1: 1])
        let t = TraceTree(r)
        #expect(t.flags[0] == [.idCollision, .duplicated])
        #expect(t.flags[1] == [.idCollision, .duplicated])
        #expect(t.count == 2)
    }

    @Test("a third different span with the same ID is also kept")
    func tripleCollision() throws {
        var store = TraceStore()
        store.insert(span(9, "a", start: 0, end: 1))
        #expect(store.insert(span(9, "b", start: 0, end: 1)) == .collision)
        #expect(store.insert(span(9, "c", start: 0, end: 1)) == .collision)
        #expect(store.insert(span(9, "b", start: 0, end: 1)) == .duplicate)
        let t = TraceTree(try #require(store[testTrace]))
        #expect(t.count == 3)
        #expect(t.flags.allSatisfy { $0.contains(.idCollision) })
        #expect(store.collisionCount == 2)
    }

    @Test("a span that ends before it starts is flagged")
    func negativeDuration() {
        let t = tree([span(1, "root", start: 0, end: 100), span(2, parent: 1, "backwards", start: 60, end: 40)])
        #expect(t.flags(named: "backwards") == .negativeDuration)
        #expect(t.flags(named: "root") == [])
        let summary = TraceSummary(t)
        #expect(summary.clockProblemCount == 1)
        #expect(summary.negativeDurationCount == 1)
        #expect(summary.outsideParentCount == 0)
    }

    @Test("a child that starts before or ends after its parent is flagged")
    func outsideParent() {
        let u = Timestamp.unknown
        let t = tree([
            span(1, "parent", start: 10, end: 100),
            span(2, parent: 1, "early", start: 5, end: 50),
            span(3, parent: 1, "late", start: 50, end: 110),
            span(4, parent: 1, "exact", start: 10, end: 100),
            span(5, parent: 1, "untimed", start: u, end: u),
            span(6, parent: 1, "both", start: 200, end: 150),
        ])
        #expect(t.flags(named: "early") == .outsideParent)
        #expect(t.flags(named: "late") == .outsideParent)
        #expect(t.flags(named: "exact") == [])
        #expect(t.flags(named: "untimed") == [])
        #expect(t.flags(named: "both") == [.outsideParent, .negativeDuration])
        #expect(t.flags(named: "parent") == [])
        let summary = TraceSummary(t)
        #expect(summary.clockProblemCount == 3)
        #expect(summary.outsideParentCount == 3)
        #expect(summary.negativeDurationCount == 1)
    }

    @Test("a child of an untimed parent is not flagged outside it")
    func untimedParent() {
        let t = tree([span(1, "p", start: Timestamp.unknown, end: Timestamp.unknown), span(2, parent: 1, "c", start: 5, end: 6)])
        #expect(t.flags(named: "c") == [])
    }

    @Test("a span that is its own parent becomes top-level and keeps its children")
    func selfParentKept() {
        let t = tree([span(1, parent: 1, "self", start: 0, end: 10), span(2, parent: 1, "kid", start: 1, end: 2)])
        #expect(t.count == 2)
        #expect(t.outline == ["self", "  kid"])
        #expect(t.parent[0] == -1)
    }

    @Test("a span that is its own parent is flagged as a cycle, not as an orphan")
    func selfParentFlag() {
        let t = tree([span(1, parent: 1, "self", start: 0, end: 10)])
        #expect(t.flags[0] == .cycle)
        #expect(TraceSummary(t).orphanNames == [])
    }

    @Test("a two-span cycle is broken at one span; no span is lost")
    func twoCycle() {
        for order in permutations([span(1, parent: 2, "A", start: 0, end: 10), span(2, parent: 1, "B", start: 1, end: 5)]) {
            let t = tree(order)
            #expect(t.count == 2)
            #expect(t.roots.count == 1)
            #expect(t.outline.count == 2)
            let cycleFlags = t.flags.filter { $0.contains(.cycle) }
            #expect(cycleFlags.count == 1)
            #expect(t.flags.allSatisfy { !$0.contains(.orphan) })
            // The first to arrive is the one made top-level.
            #expect(t.roots == [0])
            #expect(t.flags[0] == .cycle)
            #expect(t.depthCount == 2)
        }
    }

    @Test("a three-span cycle with a tail and a separate true root: every span is in the tree")
    func threeCycleWithTail() {
        let spans = [
            span(1, parent: 3, "A", start: 0, end: 10),
            span(2, parent: 1, "B", start: 1, end: 9),
            span(3, parent: 2, "C", start: 2, end: 8),
            span(4, parent: 2, "tail", start: 3, end: 4),
            span(5, "root", start: 100, end: 200),
            span(6, parent: 5, "root child", start: 110, end: 120),
        ]
        for order in permutations(spans) {
            let t = tree(order)
            #expect(t.outline.count == 6)
            #expect(Set(t.outline.map { $0.trimmingCharacters(in: " ") }) == ["A", "B", "C", "tail", "root", "root child"])
            #expect(t.flags.filter { $0.contains(.cycle) }.count == 1)
            #expect(t.roots.count == 2)
            #expect(t.flags(named: "root") == [])
            #expect(t.flags(named: "tail")?.contains(.cycle) == false)
        }
    }
}

extension String {
    func trimmingCharacters(in set: Character) -> String {
        var s = Substring(self)
        while s.first == set { s.removeFirst() }
        while s.last == set { s.removeLast() }
        return String(s)
    }
}
