import CellGrid

/// A line of text made of styled runs, for panes whose content is built once and scrolled.
public struct StyledLine: Hashable, Sendable {
    public struct Run: Hashable, Sendable {
        public var text: String
        public var style: Style
        public init(_ text: String, _ style: Style = .plain) {
            self.text = text
            self.style = style
        }
    }

    public var runs: [Run]

    public init(_ runs: [Run] = []) { self.runs = runs }
    public init(_ text: String, _ style: Style = .plain) { runs = [Run(text, style)] }

    public static let blank = StyledLine()

    public var plainText: String { runs.map(\.text).joined() }

    /// Draws the runs from (x, y), clipped to `width`.
    public func draw(into grid: inout Grid, x: Int, y: Int, width: Int) {
        var column = x
        for run in runs where column < x + width {
            column += grid.put(run.text, x: column, y: y, style: run.style, maxWidth: x + width - column)
        }
    }
}
