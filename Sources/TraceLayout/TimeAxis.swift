import SpanModel

/// Tick marks at round intervals (1, 2, 5 × 10^k ns) for a window, offsets from its start.
public struct TimeAxis: Hashable, Sendable {
    public struct Tick: Hashable, Sendable {
        /// Cell column within the bar area.
        public var column: Int
        /// Offset from the window start, e.g. `250ms`.
        public var label: String
        /// The same offset in nanoseconds.
        public var offset: Int64
    }

    public let ticks: [Tick]
    public let step: Int64

    /// About one tick per `spacing` cells.
    public init(scale: BarScale, spacing: Int = 12) {
        let (difference, overflow) = scale.windowEnd.subtractingReportingOverflow(scale.windowStart)
        let span = overflow ? Int64.max : difference
        let wanted = max(1, scale.columns / max(4, spacing))
        let raw = max(1, span / Int64(wanted))
        var step: Int64 = 1
        outer: while true {
            for m in [1, 2, 5] as [Int64] where step * m >= raw {
                step *= m
                break outer
            }
            if step > Int64.max / 100 { break }
            step *= 10
        }
        self.step = step
        var ticks: [Tick] = []
        var t: Int64 = 0
        while t <= span {
            let column = Int((scale.eighths(scale.windowStart + t) / 8).rounded(.down))
            if column >= scale.columns { break }
            ticks.append(Tick(column: column, label: t == 0 ? "0" : DurationText.format(t), offset: t))
            let (next, overflow) = t.addingReportingOverflow(step)
            if overflow { break }
            t = next
        }
        self.ticks = ticks
    }
}
