/// A table's cursor and sort, as the statistics and spans tables keep them: the row under the
/// cursor, the first row drawn, the column sorted by and its direction. The moves and the
/// sorting rule are written once here.
public protocol SortedTableCursor {
    associatedtype Column: Equatable
    var selectedRow: Int { get set }
    var topRow: Int { get set }
    var ascending: Bool { get set }
    /// The column the rows are sorted by.
    var sortedBy: Column { get set }
    /// The direction a column starts in (text A to Z, numbers largest first, ...).
    static func startsAscending(_ column: Column) -> Bool
}

extension SortedTableCursor {
    /// Sorts by `column`: the sorted column again turns the direction round, another starts
    /// in its usual direction.
    public mutating func sort(by column: Column) {
        if column == sortedBy {
            ascending.toggle()
        } else {
            sortedBy = column
            ascending = Self.startsAscending(column)
        }
    }

    /// Moves the cursor by `delta` rows, kept in `0..<rowCount`, and scrolls so it stays
    /// among the `visibleRows` rows under the header.
    public mutating func move(by delta: Int, rowCount: Int, visibleRows: Int) {
        var (selected, top) = (selectedRow + delta, topRow)
        TableScroll.clamp(selected: &selected, top: &top, count: rowCount, visible: visibleRows)
        (selectedRow, topRow) = (selected, top)
    }
}


/// Keeping a table's cursor in its rows and on screen.
public enum TableScroll {
    /// Clamps `selected` to `0..<count` (0 when empty) and moves `top` the least so that
    /// `selected` is among the `visible` rows from it, and no rows past the end are shown
    /// when there are enough to fill them.
    public static func clamp(selected: inout Int, top: inout Int, count: Int, visible: Int) {
        selected = count == 0 ? 0 : min(max(0, selected), count - 1)
        let visible = max(1, visible)
        if selected < top { top = selected }
        if selected >= top + visible { top = selected - visible + 1 }
        top = max(0, min(top, count - visible))
    }
}
