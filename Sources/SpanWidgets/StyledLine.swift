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

}

/// A line is a widget: its runs on the area's first row, clipped to the area.
extension StyledLine: Widget {
    public func render(in area: Rect, into grid: inout Grid) {
        guard area.height > 0 else { return }
        var column = 0
        for run in runs where column < area.width {
            column += grid.put(run.text, x: column, y: 0, in: area, style: run.style)
        }
    }
}
