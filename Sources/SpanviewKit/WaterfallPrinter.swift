import CellGrid
import SpanModel
import SpanStore
import SpanWidgets

/// `spanview print`: every trace (or those matching a prefix) as a text waterfall.
public struct WaterfallPrinter: Sendable {
    public var width: Int
    public var color: Bool
    public var palette: Palette
    public var glyphs: Glyphs

    public init(width: Int, color: Bool, palette: Palette = Palette(depth: .full), glyphs: Glyphs = .unicode) {
        self.width = width
        self.color = color
        self.palette = palette
        self.glyphs = glyphs
    }

    /// Writes the waterfalls of the selected traces through `write`, in bounded pieces,
    /// so a trace of a million spans never needs a million-row grid.
    public func print(_ store: TraceStore, traces indices: [Int], write: (String) -> Void) {
        let trees = indices.map { TraceTree(store.traces[$0]) }
        let ordered = trees.map { ($0, TraceSummary($0)) }.sorted { SummaryReport.byStart($0.1, $1.1) }
        for (n, (tree, _)) in ordered.enumerated() {
            if n > 0 { write("\n") }
            let view = WaterfallText(tree: tree, width: width, glyphs: glyphs, useColor: color)
            write(render(view.header()))
            var row = 0
            while row < view.rows.count {
                let end = min(view.rows.count, row + 512)
                write(render(view.body(row..<end)))
                row = end
            }
        }
    }

    private func render(_ grid: Grid) -> String {
        color ? ANSIText.render(grid, palette: palette) : grid.text + "\n"
    }
}
