import CellGrid
import TraceLayout

/// Draws a bar with eighth-cell precision. The end edge uses left-aligned eighth blocks.
/// Unicode has no right-aligned eighths, so with colour the start edge is a left block in
/// reverse video (the glyph takes the background, the rest the bar colour); without colour
/// it is rounded to the nearest of a right eighth, a right half or a full cell.
public enum BarPainter {
    public static func draw(into grid: inout Grid, y: Int, x: Int, bar: BarGeometry, role: ColorRole,
                            glyphs: Glyphs, useColor: Bool) {
        let style = Style(role)
        let firstCell = bar.startEighth / 8
        let lastCell = (bar.endEighth - 1) / 8
        for cell in firstCell...lastCell {
            let cellStart = cell * 8, cellEnd = cellStart + 8
            let from = max(bar.startEighth, cellStart) - cellStart   // 0...7
            let to = min(bar.endEighth, cellEnd) - cellStart         // 1...8
            var glyph = glyphs.full
            var cellStyle = style
            if from == 0 && to < 8 {
                glyph = glyphs.leftBlocks[to - 1]
            } else if from > 0 && to == 8 {
                if glyphs.isASCII {
                    glyph = from >= 6 ? glyphs.leftBlocks[0] : glyphs.full
                } else if useColor {
                    glyph = glyphs.leftBlocks[from - 1]
                    cellStyle = Style(role, [.reverse])
                } else {
                    glyph = from >= 6 ? glyphs.rightEighth : (from >= 3 ? glyphs.rightHalf : glyphs.full)
                }
            } else if from > 0 && to < 8 {
                // Starts and ends inside one cell: a thin mark where most of it lies.
                glyph = glyphs.isASCII ? glyphs.leftBlocks[0] : ((from + to) / 2 >= 4 ? glyphs.rightEighth : glyphs.leftBlocks[0])
                if to - from >= 4 && !glyphs.isASCII { glyph = glyphs.leftBlocks[3] }
            }
            grid.put(glyph, x: x + cell, y: y, style: cellStyle, maxWidth: 1)
        }
    }
}
