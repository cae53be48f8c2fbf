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

    /// The widths `print` accepts: `WaterfallText.widths`, 40 to 1000 columns.
    public static let widths = WaterfallText.widths

    /// The width `print` draws at: `--width` if given (validated against `widths` by the
    /// command), else the terminal's, else the `COLUMNS` environment variable if it is a
    /// number, else 120. A terminal or environment width outside `widths` is clamped to it:
    /// a terminal can be wider than 1000 columns and `COLUMNS` can say anything.
    public static func outputWidth(option: Int?, terminal: Int?, columnsVariable: String?) -> Int {
        if let option { return clamp(option) }
        if let terminal, terminal > 0 { return clamp(terminal) }
        if let text = columnsVariable?.trimmingWhitespace, let columns = Int(text), columns > 0 { return clamp(columns) }
        if let text = columnsVariable?.trimmingWhitespace, !text.isEmpty, text.allSatisfy(\.isASCIIDigit) {
            return widths.upperBound   // digits beyond Int: a huge width
        }
        return 120
    }

    static func clamp(_ width: Int) -> Int { min(max(width, widths.lowerBound), widths.upperBound) }

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

extension String {
    var trimmingWhitespace: String {
        var s = Substring(self)
        while s.first == " " || s.first == "\t" { s.removeFirst() }
        while s.last == " " || s.last == "\t" { s.removeLast() }
        return String(s)
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
