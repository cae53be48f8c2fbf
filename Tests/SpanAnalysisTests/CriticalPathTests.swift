import SpanAnalysis
import SpanFormats
import SpanModel
import SpanStore
import Testing

/// The shapes of Jaeger UI's `TracePage/CriticalPath/testCases/test1..test9`, with the
/// expected sections worked out by hand (Jaeger lists them from the end backwards; these
/// are in path order). Times are the cases' microseconds, used as nanoseconds.
@Suite("critical path: Jaeger UI's cases")
struct JaegerCaseTests {
    @Test("test1: two sequential children, the later one is the LFC, then walk back to the earlier")
    func test1() {
        #expect(path([
            span(2, parent: 1, "E", 50, 60),
            span(1, "C", 1, 101),
            span(3, parent: 1, "D", 20, 40),
        ]) == ["C 1-20", "D 20-40", "C 40-50", "E 50-60", "C 60-101"])
    }

    @Test("test2: overlapping children, the earlier one ends after the later starts and is skipped")
    func test2() {
        #expect(path([
            span(1, "X", 1, 101),
            span(2, parent: 1, "A", 10, 50),
            span(3, parent: 1, "C", 20, 60),
        ]) == ["X 1-20", "C 20-60", "X 60-101"])
    }

    @Test("test3: a child starting after its parent ended is dropped")
    func test3() {
        #expect(path([
            span(1, "A", 100, 140),
            span(2, parent: 1, "B", 200, 500),
        ]) == ["A 100-140"])
    }

    @Test("test4: a dropped child drops its own children")
    func test4() {
        #expect(path([
            span(1, "A", 1, 31),
            span(2, parent: 1, "B", 40, 80),
            span(3, parent: 2, "C", 50, 60),
        ]) == ["A 1-31"])
    }

    @Test("test5: a CONSUMER child (under a PRODUCER) and its subtree are non-blocking")
    func test5Consumer() {
        #expect(path([
            span(1, "A", 1, 31, kind: .producer),
            span(2, parent: 1, "B", 10, 20, kind: .consumer),
            span(3, parent: 2, "C", 12, 14),
        ]) == ["A 1-31"])
    }

    @Test("test5: a FOLLOWS_FROM child and its subtree are non-blocking")
    func test5FollowsFrom() {
        #expect(path([
            span(1, "A", 1, 31),
            span(2, parent: 1, "B", 10, 20, followsFrom: true),
            span(3, parent: 2, "C", 12, 14),
        ]) == ["A 1-31"])
    }

    @Test("test6: a child clipped to its parent's end, a grandchild clipped to the clipped child's start")
    func test6() {
        #expect(path([
            span(1, "A", 1, 30),
            span(2, parent: 1, "B", 15, 35),
            span(3, parent: 2, "C", 10, 25),
        ]) == ["A 1-15", "C 15-25", "B 25-30"])
    }

    @Test("test7: a chain each outliving its parent, clipped at every level")
    func test7() {
        #expect(path([
            span(1, "A", 1, 30),
            span(2, parent: 1, "B", 15, 35),
            span(3, parent: 2, "C", 20, 40),
        ]) == ["A 1-15", "B 15-20", "C 20-30"])
    }

    @Test("test8: a child covering its whole parent takes the whole path")
    func test8() {
        #expect(path([
            span(1, "A", 10, 30),
            span(2, parent: 1, "B", 5, 35),
        ]) == ["B 10-30"])
    }

    @Test("test9: a child ending before its parent starts is dropped")
    func test9() {
        #expect(path([
            span(1, "A", 10, 30),
            span(2, parent: 1, "B", 1, 5),
        ]) == ["A 10-30"])
    }

    @Test("Jaeger's LFC test: among children ending before 50, D; none end before 20 in test2")
    func lastFinishingChild() {
        // Seen through the path: after E (50..60) the walk back from 50 picks D.
        let t = tree([span(1, "C", 1, 101), span(2, parent: 1, "D", 20, 40), span(3, parent: 1, "E", 50, 60)])
        let p = CriticalPath.compute(t)
        #expect(p.onPath[t.index(named: "D")] == 20)
        #expect(p.onPath[t.index(named: "E")] == 10)
        #expect(p.onPath[t.index(named: "C")] == 70)
    }
}

@Suite("critical path")
struct CriticalPathTests {
    @Test("segments tile the root: contiguous, in order, adding up to its duration")
    func tiling() {
        let t = tree([
            span(1, "R", 1_000, 2_000),
            span(2, parent: 1, "a", 1_100, 1_400),
            span(3, parent: 1, "b", 1_300, 1_700),
            span(4, parent: 3, "b1", 1_350, 1_500),
            span(5, parent: 3, "b2", 1_450, 1_650),
            span(6, parent: 1, "c", 1_750, 1_900),
            span(7, parent: 6, "c1", 1_800, 1_950),
        ])
        let p = CriticalPath.compute(t)
        #expect(p.root == t.index(named: "R"))
        #expect(p.segments.first?.start == 1_000)
        #expect(p.segments.last?.end == 2_000)
        for (a, b) in zip(p.segments, p.segments.dropFirst()) { #expect(a.end == b.start) }
        #expect(p.duration == 1_000)
        #expect(p.onPath.reduce(0, +) == 1_000)
        #expect(pathText(t, p.segments) == ["R 1000-1300", "b 1300-1450", "b2 1450-1650", "b 1650-1700",
                                            "R 1700-1750", "c 1750-1800", "c1 1800-1900", "R 1900-2000"])
    }

    @Test("a CONSUMER child is left out under any parent kind; PRODUCER and CLIENT children count")
    func consumer() {
        #expect(path([
            span(1, "R", 0, 100, kind: .server),
            span(2, parent: 1, "consume", 10, 90, kind: .consumer),
            span(3, parent: 1, "publish", 20, 30, kind: .producer),
            span(4, parent: 1, "call", 40, 60, kind: .client),
        ]) == ["R 0-20", "publish 20-30", "R 30-40", "call 40-60", "R 60-100"])
    }

    @Test("ties: of two children ending together, the one that starts first is the LFC")
    func ties() {
        #expect(path([
            span(1, "R", 0, 100),
            span(2, parent: 1, "late", 50, 80),
            span(3, parent: 1, "early", 20, 80),
        ]) == ["R 0-20", "early 20-80", "R 80-100"])
    }

    @Test("zero-duration spans give no zero-length segments")
    func zeroDuration() {
        let t = tree([span(1, "R", 0, 10), span(2, parent: 1, "Z", 5, 5)])
        let p = CriticalPath.compute(t)
        #expect(pathText(t, p.segments) == ["R 0-5", "R 5-10"])
        #expect(pathText(t, p.mergedSegments) == ["R 0-10"])
        #expect(p.onPath[t.index(named: "Z")] == 0)
        let lone = tree([span(1, "R", 7, 7)])
        let q = CriticalPath.compute(lone)
        #expect(q.root == 0)
        #expect(q.segments.isEmpty)
    }

    @Test("the longest top-level span is the root; orphans and other roots are off the path")
    func multipleRoots() {
        let t = tree([
            span(1, "short", 0, 10),
            span(2, "long", 5, 105),
            span(3, parent: 99, "orphan", 0, 50),
            span(4, parent: 2, "child", 20, 30),
        ])
        let p = CriticalPath.compute(t)
        #expect(p.root == t.index(named: "long"))
        #expect(pathText(t, p.segments) == ["long 5-20", "child 20-30", "long 30-105"])
        #expect(p.onPath[t.index(named: "orphan")] == 0)
        // A chosen root.
        let q = CriticalPath.compute(t, root: t.index(named: "orphan"))
        #expect(pathText(t, q.segments) == ["orphan 0-50"])
        // Equal durations: the first by start.
        let u = tree([span(1, "b", 10, 20), span(2, "a", 0, 10)])
        #expect(CriticalPath.compute(u).root == u.index(named: "a"))
    }

    @Test("unknown times: a root without them is skipped, children without them are left out")
    func unknownTimes() {
        let u = Timestamp.unknown
        let none = tree([span(1, "R", u, u), span(2, parent: 1, "c", 1, 2)])
        let p = CriticalPath.compute(none)
        #expect(p.root == nil)
        #expect(p.segments.isEmpty)
        #expect(p.onPath == [0, 0])
        #expect(path([
            span(1, "R", 0, 100),
            span(2, parent: 1, "noEnd", 10, u),
            span(3, parent: 2, "under", 20, 30),
            span(4, parent: 1, "backwards", 80, 60),
        ]) == ["R 0-100"])
        let empty = TraceTree(TraceRecord(traceID: testTrace, arrival: 0))
        #expect(CriticalPath.compute(empty).root == nil)
    }

    @Test("a 100,000-deep chain, each span outliving its child by one on both sides")
    func deepChain() {
        let n = 100_000
        var spans: [Span] = []
        spans.reserveCapacity(n)
        for i in 0..<n {
            spans.append(span(UInt64(i + 1), parent: UInt64(i), "s\(i)", Int64(i), Int64(2 * n - i)))
        }
        let t = tree(spans)
        let p = CriticalPath.compute(t)
        // Down: the end piece of every span; the leaf whole; up: the start piece of every span.
        #expect(p.segments.count == 2 * n - 1)
        #expect(p.duration == Int64(2 * n))
        #expect(p.segments.first == CriticalPath.Segment(span: t.index(named: "s0"), start: 0, end: 1))
        #expect(p.onPath.allSatisfy { $0 == 2 })
        #expect(p.mergedSegments.count == 2 * n - 1)
    }

    @Test("100,000 sequential children with gaps: each on the path once, the parent in every gap")
    func wideFanOut() {
        let n = 100_000
        var spans = [span(1, "R", 0, Int64(n) * 10)]
        for i in 0..<n { spans.append(span(UInt64(i + 2), parent: 1, "c", Int64(i) * 10, Int64(i) * 10 + 9)) }
        let t = tree(spans)
        let p = CriticalPath.compute(t)
        #expect(p.segments.count == 2 * n)
        #expect(p.onPath[t.index(named: "R")] == Int64(n))
        #expect(p.onPath.reduce(0, +) == Int64(n) * 10)
    }

    @Test("children that abut: walking back takes only a child ending strictly before, as Jaeger does")
    func abutting() {
        #expect(path([
            span(1, "R", 0, 30),
            span(2, parent: 1, "a", 0, 10),
            span(3, parent: 1, "b", 10, 20),
            span(4, parent: 1, "c", 20, 30),
        ]) == ["a 0-10", "R 10-20", "c 20-30"])
    }

    @Test("Jaeger JSON: a FOLLOWS_FROM parent reference is kept on the span and leaves it off the path")
    func jaegerFollowsFrom() throws {
        let json = """
        {"data":[{"traceID":"00000000000000000000000000000abc","spans":[
          {"traceID":"00000000000000000000000000000abc","spanID":"0000000000000001","operationName":"root","references":[],"startTime":1000,"duration":100,"processID":"p1"},
          {"traceID":"00000000000000000000000000000abc","spanID":"0000000000000002","operationName":"async","references":[{"refType":"FOLLOWS_FROM","traceID":"00000000000000000000000000000abc","spanID":"0000000000000001"}],"startTime":1010,"duration":80,"processID":"p1"},
          {"traceID":"00000000000000000000000000000abc","spanID":"0000000000000003","operationName":"call","references":[{"refType":"FOLLOWS_FROM","traceID":"00000000000000000000000000000abc","spanID":"0000000000000002"},{"refType":"CHILD_OF","traceID":"00000000000000000000000000000abc","spanID":"0000000000000001"}],"startTime":1020,"duration":10,"processID":"p1"}
        ],"processes":{"p1":{"serviceName":"svc","tags":[]}}}]}
        """
        let reader = SpanStreamReader(source: "jaeger.json", chunkSize: 4096)
        var spans = reader.feed(Array(json.utf8)).spans
        spans += reader.finish().spans
        try #require(spans.count == 3)
        let byName = Dictionary(uniqueKeysWithValues: spans.map { ($0.name, $0) })
        #expect(byName["root"]?.parentIsFollowsFrom == false)
        #expect(byName["async"]?.parentIsFollowsFrom == true)
        #expect(byName["async"]?.parentSpanID == SpanID(1))
        // CHILD_OF wins over an earlier FOLLOWS_FROM; the FOLLOWS_FROM one becomes a link.
        #expect(byName["call"]?.parentIsFollowsFrom == false)
        #expect(byName["call"]?.parentSpanID == SpanID(1))
        let t = tree(spans)
        let p = CriticalPath.compute(t)
        #expect(pathText(t, p.segments) == ["root 1000000-1020000", "call 1020000-1030000", "root 1030000-1100000"])
    }
}
