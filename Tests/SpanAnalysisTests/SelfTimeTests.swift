import SpanAnalysis
import SpanModel
import SpanStore
import Testing

@Suite("self time")
struct SelfTimeTests {
    @Test("overlapping children count once")
    func overlapping() {
        let s = selfTimes([
            span(1, "R", 0, 100),
            span(2, parent: 1, "A", 10, 30),
            span(3, parent: 1, "B", 20, 50),
            span(4, parent: 1, "C", 70, 80),
        ])
        // Covered: 10..50 (40) and 70..80 (10).
        #expect(s == ["R": 50, "A": 20, "B": 30, "C": 10])
    }

    @Test("a child inside another child, and identical children")
    func containedAndIdentical() {
        let s = selfTimes([
            span(1, "R", 0, 100),
            span(2, parent: 1, "A", 10, 90),
            span(3, parent: 1, "B", 20, 30),
            span(4, parent: 1, "C", 20, 30),
        ])
        #expect(s["R"] == 20)
    }

    @Test("only direct children count; grandchildren count for their own parent")
    func nested() {
        let s = selfTimes([
            span(1, "R", 0, 100),
            span(2, parent: 1, "A", 10, 90),
            span(3, parent: 2, "G", 20, 30),
        ])
        #expect(s == ["R": 20, "A": 70, "G": 10])
    }

    @Test("children outside the parent count only for the part inside")
    func asyncChildren() {
        let s = selfTimes([
            span(1, "R", 0, 100),
            span(2, parent: 1, "late", 80, 150),     // outlives the parent
            span(3, parent: 1, "early", -20, 10),    // starts before it
            span(4, parent: 1, "after", 120, 130),   // entirely after
        ])
        #expect(s == ["R": 70, "late": 70, "early": 30, "after": 10])
    }

    @Test("unknown times and negative durations give 0, and cover nothing")
    func unknownTimes() {
        let u = Timestamp.unknown
        let s = selfTimes([
            span(1, "R", 0, 100),
            span(2, parent: 1, "noStart", u, 50),
            span(3, parent: 1, "noEnd", 10, u),
            span(4, parent: 1, "backwards", 60, 40),
            span(5, parent: 1, "zero", 70, 70),
            span(6, parent: 3, "underNoEnd", 20, 30),
        ])
        #expect(s == ["R": 100, "noStart": 0, "noEnd": 0, "backwards": 0, "zero": 0, "underNoEnd": 10])
    }

    @Test("a leaf's self time is its duration; an empty tree has none")
    func leaves() {
        #expect(selfTimes([span(1, "R", 5, 17)]) == ["R": 12])
        let empty = TraceTree(TraceRecord(traceID: testTrace, arrival: 0))
        #expect(SelfTime.compute(empty).isEmpty)
    }

    @Test("a 100,000-deep chain")
    func deepChain() {
        let n = 100_000
        var spans: [Span] = []
        spans.reserveCapacity(n)
        for i in 0..<n {
            spans.append(span(UInt64(i + 1), parent: UInt64(i), "s\(i)", Int64(i), Int64(2 * n - i)))
        }
        let t = tree(spans)
        let s = SelfTime.compute(t)
        #expect(s[t.index(named: "s0")] == 2)
        #expect(s[t.index(named: "s\(n - 1)")] == Int64(2 * n - (n - 1) - (n - 1)))
        #expect(s.reduce(0, +) == Int64(2 * n))
    }
}
