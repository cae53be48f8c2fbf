import CellGrid
import SpanAnalysis
import SpanModel
import SpanStore
import SpanWidgets
import TraceLayout

/// `spanview print`: every trace (or those matching a prefix) as a text waterfall.
public struct WaterfallPrinter: Sendable {
    public var width: Int
    public var color: Bool
    public var palette: Palette
    public var glyphs: Glyphs
    /// Mark each trace's critical path on its bars (`print --critical-path`): in the accent
    /// colour, or drawn with `Glyphs.criticalBar` without colour.
    public var criticalPath = false

    public init(width: Int, color: Bool, palette: Palette = Palette(depth: .full), glyphs: Glyphs = .unicode) {
        self.width = width
        self.color = color
        self.palette = palette
        self.glyphs = glyphs
    }

    /// The widths `print` accepts, 40 to 1000 columns (a grid as wide as `Int.max` could not
    /// be allocated, and nobody reads a 10,000-column line).
    public static let widths = 40...1000

    /// Rows drawn into one grid before it is written.
    public static let chunkRows = 512

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
    /// so a trace of a million spans never needs a million-row grid. Each is the viewer's
    /// waterfall widget (no cursor, nothing folded, orphans as top-level rows) under the
    /// viewer's trace header, rendered `chunkRows` rows at a time.
    public func print(_ store: TraceStore, traces indices: [Int], write: (String) -> Void) {
        let trees = indices.map { TraceTree(store.traces[$0]) }
        let ordered = trees.map { ($0, TraceSummary($0)) }.sorted { SummaryReport.byStart($0.1, $1.1) }
        for (n, (tree, summary)) in ordered.enumerated() {
            if n > 0 { write("\n") }
            for grid in grids(tree, summary) { write(render(grid)) }
        }
    }

    /// One trace's output: the header with the axis and the first rows, then the other rows.
    public func grids(_ tree: TraceTree, _ summary: TraceSummary? = nil) -> [Grid] {
        let width = Self.clamp(self.width)
        let summary = summary ?? TraceSummary(tree)
        let trace = WaterfallWidget.Trace(tree: tree, rows: VisibleRows(tree: tree, groupOrphans: false))
        let options = WaterfallWidget.Options(glyphs: glyphs, useColor: color)
        var decorations = WaterfallDecorations.none
        if criticalPath {
            var parts: [Int32: [Range<Int64>]] = [:]
            for segment in CriticalPath.compute(tree).segments where segment.end > segment.start {
                parts[Int32(segment.span), default: []].append(segment.start..<segment.end)
            }
            decorations.critical = parts
        }
        var out: [Grid] = []
        var row = 0
        repeat {
            let first = row == 0
            let count = min(Self.chunkRows, trace.rows.count - row)
            var grid = Grid(width: width, height: count + (first ? 2 : 0))
            var area = grid.area
            if first {
                let (header, rest) = area.splitRows(top: 1)
                TraceHeader(summary, flags: FlagCounts(tree), glyphs: glyphs).render(in: header, into: &grid)
                area = rest
            }
            WaterfallWidget(trace: trace, state: .init(topRow: row, showsAxis: first), options: options, decorations: decorations)
                .render(in: area, into: &grid)
            out.append(grid)
            row += count
        } while row < trace.rows.count
        return out
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
