import CellGrid

/// Where each part of the screen goes for a terminal size. Pure, so key handling and
/// drawing agree on how many rows are visible.
public struct ScreenLayout: Equatable, Sendable {
    /// The areas are `CellGrid.Rect`s, which widgets render into.
    public typealias Area = Rect

    public static let minimumWidth = 40
    public static let minimumHeight = 10

    public let width: Int
    public let height: Int
    /// Rows the open trace has to show; a short trace leaves the rest to the detail pane.
    public let spanRows: Int?

    public init(width: Int, height: Int, spanRows: Int? = nil) {
        self.width = width
        self.height = height
        self.spanRows = spanRows
    }

    public var isTooSmall: Bool { width < Self.minimumWidth || height < Self.minimumHeight }

    /// The status line (or the search prompt) is the last line.
    public var statusLine: Int { height - 1 }

    /// List: column header and rows.
    public var list: Area { Area(x: 0, y: 0, width: width, height: height - 1) }
    public var listRows: Int { max(1, list.height - 1) }

    /// Detail pane beside the waterfall on wide terminals, below it otherwise.
    public var detailBeside: Bool { width >= 160 }

    /// Trace header line, then the waterfall (axis + rows).
    public var waterfall: Area {
        if detailBeside {
            let detailWidth = max(56, width * 2 / 5)
            return Area(x: 0, y: 1, width: width - detailWidth - 1, height: height - 2)
        }
        var detailHeight = height >= 24 ? max(8, (height - 2) * 2 / 5) : max(4, (height - 2) / 3)
        if let spanRows, spanRows + 1 < height - 2 - detailHeight {
            detailHeight = height - 2 - (spanRows + 1)   // axis + every row, the rest for details
        }
        return Area(x: 0, y: 1, width: width, height: height - 2 - detailHeight)
    }

    public var waterfallRows: Int { max(1, waterfall.height - 1) }

    public var detail: Area {
        let w = waterfall
        if detailBeside { return Area(x: w.width + 1, y: 1, width: width - w.width - 1, height: height - 2) }
        return Area(x: 0, y: w.y + w.height, width: width, height: height - 2 - w.height)
    }

    /// Lines of detail content below the tab bar.
    public var detailContentRows: Int { max(1, detail.height - 1) }

    /// Overlays (help, problems) take the screen above the status line.
    public var overlay: Area { Area(x: 0, y: 0, width: width, height: height - 1) }
    public var overlayRows: Int { max(1, overlay.height - 1) }
}
