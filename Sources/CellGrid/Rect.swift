/// An area of a grid, in cells (ratatui's `Rect`). Widgets draw into an area, relative to its
/// top-left corner and clipped to it. Width and height are never negative.
public struct Rect: Hashable, Sendable {
    public var x: Int, y: Int, width: Int, height: Int

    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x
        self.y = y
        self.width = max(0, width)
        self.height = max(0, height)
    }

    public static let zero = Rect(x: 0, y: 0, width: 0, height: 0)

    public var isEmpty: Bool { width == 0 || height == 0 }
    /// One past the last column and row.
    public var right: Int { x + width }
    public var bottom: Int { y + height }

    /// Whether the cell (x, y), in grid coordinates, is inside.
    public func contains(x px: Int, y py: Int) -> Bool { px >= x && px < right && py >= y && py < bottom }

    /// The part of both areas (empty, at this area's corner, when they do not meet).
    public func intersection(_ other: Rect) -> Rect {
        let x0 = max(x, other.x), y0 = max(y, other.y)
        let x1 = min(right, other.right), y1 = min(bottom, other.bottom)
        guard x1 > x0, y1 > y0 else { return Rect(x: x, y: y, width: 0, height: 0) }
        return Rect(x: x0, y: y0, width: x1 - x0, height: y1 - y0)
    }

    /// Smaller by the given margins (never negative).
    public func inset(top: Int = 0, left: Int = 0, bottom b: Int = 0, right r: Int = 0) -> Rect {
        let w = max(0, width - left - r), h = max(0, height - top - b)
        return Rect(x: x + min(left, width), y: y + min(top, height), width: w, height: h)
    }

    /// Smaller by `margin` on every side.
    public func inset(by margin: Int) -> Rect { inset(top: margin, left: margin, bottom: margin, right: margin) }

    /// The first `top` rows (at most all of them) and the rest.
    public func splitRows(top: Int) -> (top: Rect, rest: Rect) {
        let t = min(max(0, top), height)
        return (Rect(x: x, y: y, width: width, height: t), Rect(x: x, y: y + t, width: width, height: height - t))
    }

    /// The first `left` columns (at most all of them) and the rest.
    public func splitColumns(left: Int) -> (left: Rect, rest: Rect) {
        let l = min(max(0, left), width)
        return (Rect(x: x, y: y, width: l, height: height), Rect(x: x + l, y: y, width: width - l, height: height))
    }

    /// Consecutive bands of rows of the given heights, from the top; the last band gets what is
    /// left when `heights` asks for less, every band is cut short when it asks for more.
    public func rows(_ heights: [Int]) -> [Rect] {
        var rest = self
        return heights.enumerated().map { n, h in
            let (band, after) = rest.splitRows(top: n == heights.count - 1 ? rest.height : h)
            rest = after
            return band
        }
    }

    /// Row `n` of the area as an area one row high (empty past the bottom).
    public func row(_ n: Int) -> Rect {
        guard n >= 0, n < height else { return Rect(x: x, y: bottom, width: width, height: 0) }
        return Rect(x: x, y: y + n, width: width, height: 1)
    }
}

/// Something drawn into an area of a grid (ratatui's `Widget::render(self, area, buf)`).
/// A widget draws relative to `area`'s corner and never outside it; a widget with state (a
/// cursor, a scroll position) takes it as a value, as ratatui's `StatefulWidget` does.
public protocol Widget {
    func render(in area: Rect, into grid: inout Grid)
}

extension Grid {
    /// The whole grid as an area.
    public var area: Rect { Rect(x: 0, y: 0, width: width, height: height) }

    /// Writes `text` at (x, y) relative to `area`, clipped to the area (and to `maxWidth`).
    /// Returns the columns used.
    @discardableResult
    public mutating func put(_ text: String, x: Int, y: Int, in area: Rect, style: Style = .plain, maxWidth: Int? = nil) -> Int {
        guard y >= 0, y < area.height, x >= 0, x < area.width else { return 0 }
        let room = area.width - x
        return put(text, x: area.x + x, y: area.y + y, style: style, maxWidth: min(room, maxWidth ?? room))
    }

    /// `fill` relative to `area`, clipped to it.
    public mutating func fill(_ text: String, x: Int, y: Int, width w: Int, in area: Rect, style: Style = .plain) {
        guard y >= 0, y < area.height else { return }
        let x0 = max(0, x), x1 = min(area.width, x + w)
        guard x1 > x0 else { return }
        fill(text, x: area.x + x0, y: area.y + y, width: x1 - x0, style: style)
    }

    /// `setStyle` of a run relative to `area`, clipped to it.
    public mutating func setStyle(_ style: Style, x: Int, y: Int, width w: Int, in area: Rect) {
        guard y >= 0, y < area.height else { return }
        let x0 = max(0, x), x1 = min(area.width, x + w)
        guard x1 > x0 else { return }
        setStyle(style, x: area.x + x0, y: area.y + y, width: x1 - x0)
    }

    /// Fills the whole area with spaces in `style`.
    public mutating func clear(_ area: Rect, style: Style = .plain) {
        for y in 0..<area.height { fill(" ", x: 0, y: y, width: area.width, in: area, style: style) }
    }

    /// The cell at (x, y) relative to `area` (for widgets that restyle what they drew).
    public func cell(x: Int, y: Int, in area: Rect) -> Cell? {
        let gx = area.x + x, gy = area.y + y
        guard x >= 0, y >= 0, x < area.width, y < area.height, gx >= 0, gy >= 0, gx < width, gy < height else { return nil }
        return self[gx, gy]
    }
}
