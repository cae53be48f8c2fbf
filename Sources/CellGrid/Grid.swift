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

    /// A cell. Setting one whole is for this module only (text must come through `put`,
    /// which escapes it); widgets change styles with `setStyle`.
    public internal(set) subscript(x: Int, y: Int) -> Cell {
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
        if let used = putPrintableASCII(text, x: x, y: y, style: style, limit: limit) { return used }
        var column = x
        // Grapheme clusters (`Character`s), so an emoji sequence is one cell of its width.
        // A cluster wider than 2 (only a stray skin-tone swatch makes one) is drawn as the
        // pieces a terminal draws, each a cell of its own.
        outer: for character in TerminalText.escaped(text) {
            let w = DisplayWidth.of(character)
            if w <= 2 {
                if !place(String(character), w, &column, x: x, y: y, style: style, limit: limit) { break }
            } else {
                for piece in DisplayWidth.pieces(character) {
                    if !place(piece.text, piece.width, &column, x: x, y: y, style: style, limit: limit) { break outer }
                }
            }
        }
        return column - x
    }

    /// Places one cluster of width `w` (0, 1 or 2) at `column`; false when it does not fit
    /// before `limit` (what is left of its place is blanked).
    private mutating func place(_ text: String, _ w: Int, _ column: inout Int, x: Int, y: Int, style: Style, limit: Int) -> Bool {
        if w == 0 {
            // A lone combining mark or similar: attach to the previous cell if there is one.
            if column > x, column - 1 >= 0, column - 1 < width {
                var prev = self[column - 1, y]
                if !prev.isContinuation { prev.text += text; self[column - 1, y] = prev }
            }
            return true
        }
        if column + w > limit {
            // Fill what is left of a wide character's place.
            while column < limit { if column >= 0 { setCell(column, y, Cell(" ", style: style)) }; column += 1 }
            return false
        }
        if column >= 0 {
            setCell(column, y, Cell(text, style: style), wide: w == 2)
            if w == 2 { setCell(column + 1, y, Cell("", style: style, isContinuation: true)) }
        }
        column += w
        return true
    }

    /// The fast path for text that is all printable ASCII (most of what is drawn): one
    /// cell per byte, nothing to escape, no clusters to find. Nil if `text` is anything else.
    private mutating func putPrintableASCII(_ text: String, x: Int, y: Int, style: Style, limit: Int) -> Int? {
        var text = text
        return text.withUTF8 { bytes -> Int? in
            for b in bytes where b < 0x20 || b >= 0x7F { return nil }
            var column = x
            for b in bytes {
                if column >= limit { break }
                if column >= 0 { setCell(column, y, Cell(String(UnicodeScalar(b)), style: style)) }
                column += 1
            }
            return column - x
        }
    }

    /// Sets a cell, blanking the other half of any wide character it overwrites.
    /// `wide`: the cell is the left half of a wide character (its right half comes next).
    private mutating func setCell(_ x: Int, _ y: Int, _ cell: Cell, wide: Bool = false) {
        let old = self[x, y]
        // Overwriting a right half: the left half (unless it is our own, just written) goes.
        if old.isContinuation && x > 0 && !cell.isContinuation { self[x - 1, y] = Cell(" ", style: self[x - 1, y].style) }
        // Overwriting a left half: its right half goes, unless our own right half replaces it.
        if !old.isContinuation && x + 1 < width && self[x + 1, y].isContinuation && !wide {
            self[x + 1, y] = Cell(" ", style: self[x + 1, y].style)
        }
        self[x, y] = cell
    }

    /// Sets the style of one cell, keeping its text.
    public mutating func setStyle(_ style: Style, x: Int, y: Int) {
        guard x >= 0, x < width, y >= 0, y < height else { return }
        self[x, y].style = style
    }

    /// Sets the style of a run of cells, keeping their text.
    public mutating func setStyle(_ style: Style, x: Int, y: Int, width w: Int) {
        guard y >= 0, y < height else { return }
        for column in max(0, x)..<min(width, x + w) { self[column, y].style = style }
    }

    /// Fills a run of cells with one narrow character (escaped like all text; anything that
    /// is not a single one-cell character fills with spaces).
    public mutating func fill(_ text: String, x: Int, y: Int, width w: Int, style: Style = .plain) {
        guard y >= 0, y < height, w > 0 else { return }
        let escaped = TerminalText.escaped(text)
        let glyph = escaped.count == 1 && DisplayWidth.of(escaped) == 1 ? escaped : " "
        for column in max(0, x)..<min(width, x + w) { setCell(column, y, Cell(glyph, style: style)) }
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
}
