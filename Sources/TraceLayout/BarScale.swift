import SpanModel

/// A span's bar on the time axis, in eighths of a cell from the left edge of the bar area.
public struct BarGeometry: Hashable, Sendable {
    public var startEighth: Int
    public var endEighth: Int
    /// Part of the span lies before or after the window.
    public var clippedLeft: Bool
    public var clippedRight: Bool
}

/// Maps times to bar positions for a window of time drawn across `columns` cells.
public struct BarScale: Hashable, Sendable {
    public let windowStart: Int64
    public let windowEnd: Int64
    public let columns: Int

    public init(windowStart: Int64, windowEnd: Int64, columns: Int) {
        self.windowStart = windowStart
        self.windowEnd = windowStart == .max ? windowStart : max(windowEnd, windowStart + 1)
        self.columns = max(1, columns)
    }

    /// Position of a time in eighths of a cell (may be outside 0...columns*8).
    public func eighths(_ t: Int64) -> Double {
        // In Double: the differences of times near both ends of Int64 overflow Int64.
        let width = Double(windowEnd) - Double(windowStart)
        guard width > 0 else { return 0 }
        return (Double(t) - Double(windowStart)) / width * Double(columns * 8)
    }

    /// Nil when the span has no times or lies wholly outside the window. A span shorter than
    /// an eighth still gets one eighth, so every span is visible. A negative duration is
    /// drawn from its end to its start (it is flagged elsewhere).
    public func bar(start: Int64, end: Int64) -> BarGeometry? {
        guard start != Timestamp.unknown, end != Timestamp.unknown else { return nil }
        let lo = min(start, end), hi = max(start, end)
        let total = columns * 8
        let a = eighths(lo), b = eighths(hi)
        guard b >= 0, a <= Double(total) else { return nil }
        var s = Int(a.rounded(.down)), e = Int(b.rounded(.up))
        let clippedLeft = s < 0, clippedRight = e > total
        s = max(0, min(s, total - 1))
        e = max(s + 1, min(e, total))
        return BarGeometry(startEighth: s, endEighth: e, clippedLeft: clippedLeft, clippedRight: clippedRight)
    }
}
