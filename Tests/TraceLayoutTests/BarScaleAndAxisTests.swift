import SpanModel
import Testing
import TraceLayout

func text(_ g: BarGeometry?) -> String? {
    g.map { ($0.clippedLeft ? "<" : "") + "\($0.startEighth)..\($0.endEighth)" + ($0.clippedRight ? ">" : "") }
}

@Suite("BarScale")
struct BarScaleTests {
    /// 1000 ns over 10 cells: one eighth is 12.5 ns.
    let scale = BarScale(windowStart: 0, windowEnd: 1_000, columns: 10)

    /// `"s..e"`, with `<` when clipped on the left and `>` when clipped on the right.
    func bar(_ s: Int64, _ e: Int64, _ clipLeft: Bool = false, _ clipRight: Bool = false) -> String {
        (clipLeft ? "<" : "") + "\(s)..\(e)" + (clipRight ? ">" : "")
    }

    @Test("positions in eighths")
    func eighths() {
        #expect(scale.eighths(0) == 0)
        #expect(scale.eighths(1_000) == 80)
        #expect(scale.eighths(500) == 40)
        #expect(scale.eighths(125) == 10)
        #expect(scale.eighths(-125) == -10)
        #expect(scale.eighths(2_000) == 160)
    }

    @Test("bars at exact eighth positions", arguments: [
        (Int64(0), Int64(1_000), 0, 80),
        (100, 200, 8, 16),
        (125, 250, 10, 20),
        (0, 125, 0, 10),
        (500, 1_000, 40, 80),
        (987, 1_000, 78, 80),    // 78.96 -> 78 (floor of start)
    ])
    func exact(start: Int64, end: Int64, s: Int, e: Int) {
        #expect(text(scale.bar(start: start, end: end)) == bar(Int64(s), Int64(e)))
    }

    @Test("a partial eighth widens the bar outwards: start rounds down, end rounds up")
    func rounding() {
        #expect(text(scale.bar(start: 10, end: 20)) == bar(0, 2))        // 0.8 .. 1.6
        #expect(text(scale.bar(start: 13, end: 26)) == bar(1, 3))        // 1.04 .. 2.08
        #expect(text(scale.bar(start: 12, end: 13)) == bar(0, 2))        // 0.96 .. 1.04
    }

    @Test("a zero-length span gets one eighth", arguments: [
        (Int64(0), 0, 1),
        (500, 40, 41),
        (1_000, 79, 80),   // at the right edge: the last eighth
        (5, 0, 1),
    ])
    func zeroLength(at: Int64, s: Int, e: Int) {
        #expect(text(scale.bar(start: at, end: at)) == bar(Int64(s), Int64(e)))
    }

    @Test("spans reaching outside the window are clipped and flagged")
    func clipping() {
        #expect(text(scale.bar(start: -500, end: 500)) == bar(0, 40, true, false))
        #expect(text(scale.bar(start: 500, end: 1_500)) == bar(40, 80, false, true))
        #expect(text(scale.bar(start: -1, end: 1_001)) == bar(0, 80, true, true))
        #expect(text(scale.bar(start: -100, end: 0)) == bar(0, 1, true, false))
        #expect(text(scale.bar(start: 1_000, end: 1_100)) == bar(79, 80, false, true))
    }

    @Test("spans wholly outside the window have no bar", arguments: [
        (-100, -50), (1_100, 1_200), (-2, -1), (1_001, 1_001), (Int64.min + 1, -1),
    ] as [(Int64, Int64)])
    func outside(start: Int64, end: Int64) {
        #expect(text(scale.bar(start: start, end: end)) == nil)
    }

    @Test("spans with an unknown time have no bar")
    func unknown() {
        #expect(text(scale.bar(start: Timestamp.unknown, end: 500)) == nil)
        #expect(text(scale.bar(start: 500, end: Timestamp.unknown)) == nil)
        #expect(text(scale.bar(start: Timestamp.unknown, end: Timestamp.unknown)) == nil)
    }

    @Test("a negative duration is drawn from its end to its start")
    func negative() {
        #expect(text(scale.bar(start: 600, end: 200)) == bar(16, 48))
        #expect(text(scale.bar(start: 600, end: 200)) == text(scale.bar(start: 200, end: 600)))
        #expect(text(scale.bar(start: 1_500, end: 500)) == bar(40, 80, false, true))
    }

    @Test("a window with real timestamps far from zero")
    func realTimes() {
        let t0: Int64 = 1_714_564_800_000_000_000
        let s = BarScale(windowStart: t0, windowEnd: t0 + 120_000_000, columns: 32)
        #expect(text(s.bar(start: t0, end: t0 + 100_000_000)) == bar(0, 214))
        #expect(text(s.bar(start: t0 + 30_000_000, end: t0 + 90_000_000)) == bar(64, 192))
        #expect(text(s.bar(start: t0 + 50_000_000, end: t0 + 120_000_000)) == bar(106, 256))
    }

    @Test("an empty or inverted window and zero columns are widened")
    func degenerate() {
        let s = BarScale(windowStart: 100, windowEnd: 100, columns: 0)
        #expect(s.windowEnd == 101)
        #expect(s.columns == 1)
        #expect(text(s.bar(start: 100, end: 100)) == bar(0, 1))
        #expect(text(s.bar(start: 100, end: 101)) == bar(0, 8))
        let inverted = BarScale(windowStart: 100, windowEnd: 50, columns: 5)
        #expect(inverted.windowEnd == 101)
    }
}

@Suite("TimeAxis")
struct TimeAxisTests {
    @Test("the step is the smallest 1, 2 or 5 × 10^k at least span / ticks wanted", arguments: [
        (Int64(1_000_000), 60, 12, Int64(200_000)),
        (Int64(10_000_000_000), 100, 10, Int64(1_000_000_000)),
        (Int64(2_000), 48, 12, Int64(500)),
        (Int64(120_000_000), 32, 10, Int64(50_000_000)),
        (Int64(7), 80, 10, Int64(1)),
        (Int64(100), 10, 12, Int64(100)),          // one tick wanted
        (Int64(3_600_000_000_000), 80, 8, Int64(500_000_000_000)),
        (Int64(1_500), 30, 10, Int64(500)),
    ])
    func step(span: Int64, columns: Int, spacing: Int, expected: Int64) {
        let axis = TimeAxis(scale: BarScale(windowStart: 0, windowEnd: span, columns: columns), spacing: spacing)
        #expect(axis.step == expected)
    }

    @Test("ticks of a 1 ms window over 60 cells")
    func millisecond() {
        let axis = TimeAxis(scale: BarScale(windowStart: 5_000, windowEnd: 1_005_000, columns: 60), spacing: 12)
        #expect(axis.ticks.map(\.column) == [0, 12, 24, 36, 48])
        #expect(axis.ticks.map(\.label) == ["0", "200µs", "400µs", "600µs", "800µs"])
        #expect(axis.ticks.map(\.offset) == [0, 200_000, 400_000, 600_000, 800_000])
    }

    @Test("ticks of a 10 s window over 100 cells")
    func seconds() {
        let axis = TimeAxis(scale: BarScale(windowStart: 0, windowEnd: 10_000_000_000, columns: 100), spacing: 10)
        #expect(axis.ticks.map(\.column) == [0, 10, 20, 30, 40, 50, 60, 70, 80, 90])
        #expect(axis.ticks.map(\.label) == ["0", "1s", "2s", "3s", "4s", "5s", "6s", "7s", "8s", "9s"])
    }

    @Test("ticks at a 5× step")
    func fives() {
        let axis = TimeAxis(scale: BarScale(windowStart: 0, windowEnd: 2_000, columns: 48), spacing: 12)
        #expect(axis.ticks.map(\.column) == [0, 12, 24, 36])
        #expect(axis.ticks.map(\.label) == ["0", "500ns", "1µs", "1.5µs"])
    }

    @Test("ticks that fall between cells use the cell they start in")
    func fractionalColumns() {
        let axis = TimeAxis(scale: BarScale(windowStart: 0, windowEnd: 120_000_000, columns: 32), spacing: 10)
        #expect(axis.step == 50_000_000)
        #expect(axis.ticks.map(\.column) == [0, 13, 26])
        #expect(axis.ticks.map(\.label) == ["0", "50ms", "100ms"])
        #expect(axis.ticks.map(\.offset) == [0, 50_000_000, 100_000_000])
    }

    @Test("a tick at the right edge is left out; every tick column is inside the bar area")
    func rightEdge() {
        let axis = TimeAxis(scale: BarScale(windowStart: 0, windowEnd: 1_000, columns: 50), spacing: 10)
        #expect(axis.step == 200)
        #expect(axis.ticks.map(\.column) == [0, 10, 20, 30, 40])
        #expect(axis.ticks.allSatisfy { $0.column < 50 })
    }

    @Test("a one-nanosecond window")
    func tiny() {
        let axis = TimeAxis(scale: BarScale(windowStart: 0, windowEnd: 0, columns: 20))
        #expect(axis.step == 1)
        #expect(axis.ticks.map(\.label) == ["0"])
        #expect(axis.ticks.map(\.column) == [0])
    }

    @Test("a window from 1970 to 2024 (a span with a zero Unix time among real ones)")
    func decades() {
        let axis = TimeAxis(scale: BarScale(windowStart: 0, windowEnd: 1_714_564_800_000_000_000, columns: 40), spacing: 10)
        #expect(axis.step == 500_000_000_000_000_000)
        #expect(axis.ticks.map(\.column) == [0, 11, 23, 34])
        #expect(axis.ticks.map(\.label) == ["0", "138888h53m", "277777h46m", "416666h40m"])
    }

    @Test("a window wider than Int64.max nanoseconds does not crash")
    func huge() {
        let axis = TimeAxis(scale: BarScale(windowStart: .min + 1, windowEnd: .max, columns: 100))
        #expect(!axis.ticks.isEmpty)
        #expect(axis.ticks.first?.label == "0")
    }
}
