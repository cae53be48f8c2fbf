/// A rectangle of cells that widgets draw into (ratatui's Buffer). It is the only way
/// text reaches the screen, and it escapes control characters on the way in, so no
/// widget can write one to the terminal by mistake.
public struct Grid: Hashable, Sendable {
    public let width: Int
    public let height: Int
    public private(set) var cells: [Cell]

    public init(width: Int, height: Int) {
        self.width = max(0, width)
        self.height = max(0, height)
        cells = Array(repeating: .blank, count: self.width * self.height)
    }

    public subscript(x: Int, y: Int) -> Cell {
        get { cells[y * width + x] }
        set { cells[y * width + x] = newValue }
    }

    /// Writes `text` from (x, y), clipped to `maxWidth` columns (default: to the edge).
    /// Returns the number of columns used. A wide character that does not fit is not split:
    /// its place is left blank.
    @discardableResult
    public mutating func put(_ text: String, x: Int, y: Int, style: Style = .plain, maxWidth: Int? = nil) -> Int {
        guard y >= 0, y < height, x < width else { return 0 }
        let limit = min(width, x + (maxWidth ?? width))
        var column = x
        for character in TerminalText.escaped(text) {
            let w = DisplayWidth.of(character)
            if w == 0 {
                // A lone combining mark or similar: attach to the previous cell if there is one.
                if column > x, column - 1 >= 0, column - 1 < width {
                    var prev = self[column - 1, y]
                    if !prev.isContinuation { prev.text += String(character); self[column - 1, y] = prev }
                }
                continue
            }
            if column + w > limit {
                // Fill what is left of a wide character's place.
                while column < limit { if column >= 0 { setCell(column, y, Cell(" ", style: style)) }; column += 1 }
                break
            }
            if column >= 0 {
                setCell(column, y, Cell(String(character), style: style))
                if w == 2 { setCell(column + 1, y, Cell("", style: style, isContinuation: true)) }
            }
            column += w
        }
        return column - x
    }

    /// Sets a cell, blanking the other half of any wide character it overwrites.
    private mutating func setCell(_ x: Int, _ y: Int, _ cell: Cell) {
        let old = self[x, y]
        if old.isContinuation && x > 0 && !cell.isContinuation { self[x - 1, y] = Cell(" ", style: self[x - 1, y].style) }
        if !old.isContinuation && x + 1 < width && self[x + 1, y].isContinuation && !cell.isContinuation {
            let next = self[x + 1, y]
            self[x + 1, y] = Cell(" ", style: next.style)
        }
        self[x, y] = cell
    }

    /// Sets the style of a run of cells, keeping their text.
    public mutating func setStyle(_ style: Style, x: Int, y: Int, width w: Int) {
        guard y >= 0, y < height else { return }
        for column in max(0, x)..<min(width, x + w) { self[column, y].style = style }
    }

    /// Fills a run of cells with one character.
    public mutating func fill(_ text: String, x: Int, y: Int, width w: Int, style: Style = .plain) {
        guard y >= 0, y < height, w > 0 else { return }
        for column in max(0, x)..<min(width, x + w) { setCell(column, y, Cell(text, style: style)) }
    }

    /// Row `y` as plain text (continuation cells contribute nothing).
    public func line(_ y: Int, trimmingTrailingSpaces: Bool = true) -> String {
        var s = ""
        for x in 0..<width where !self[x, y].isContinuation { s += self[x, y].text }
        if trimmingTrailingSpaces { while s.hasSuffix(" ") { s.removeLast() } }
        return s
    }

    /// The whole grid as text, one line per row, trailing spaces trimmed.
    public var text: String { (0..<height).map { line($0) }.joined(separator: "\n") }

    /// Copies another grid into this one at (x, y), clipped.
    public mutating func blit(_ other: Grid, x: Int, y: Int) {
        for row in 0..<other.height where y + row >= 0 && y + row < height {
            for column in 0..<other.width where x + column >= 0 && x + column < width {
                self[x + column, y + row] = other[column, row]
            }
        }
    }
}
