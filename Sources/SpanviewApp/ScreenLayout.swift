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
    /// How much of the screen the detail pane takes (`D` cycles, `d` hides it).
    public let detailSize: DetailSize

    /// The detail pane's share of the screen beside or below the waterfall.
    public enum DetailSize: Int, CaseIterable, Sendable {
        case hidden, third, normal, half, twoThirds

        /// Its share in fifteenths (a common denominator of 1/3, 2/5, 1/2 and 2/3, near enough).
        var fifteenths: Int {
            switch self {
            case .hidden: 0
            case .third: 5
            case .normal: 6
            case .half: 8
            case .twoThirds: 10
            }
        }

        /// The next size `D` gives (never hidden; `d` hides).
        public var larger: DetailSize {
            switch self {
            case .hidden, .twoThirds: .third
            case .third: .normal
            case .normal: .half
            case .half: .twoThirds
            }
        }

        public var label: String {
            switch self {
            case .hidden: "hidden"
            case .third: "a third"
            case .normal: "two fifths"
            case .half: "half"
            case .twoThirds: "two thirds"
            }
        }
    }

    public init(width: Int, height: Int, spanRows: Int? = nil, detailSize: DetailSize = .normal) {
        self.width = width
        self.height = height
        self.spanRows = spanRows
        self.detailSize = detailSize
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
        if detailSize == .hidden { return Area(x: 0, y: 1, width: width, height: height - 2) }
        if detailBeside {
            let detailWidth = min(width - 40, max(56, width * detailSize.fifteenths / 15))
            return Area(x: 0, y: 1, width: width - detailWidth - 1, height: height - 2)
        }
        var detailHeight = height >= 24 ? max(8, (height - 2) * detailSize.fifteenths / 15)
            : max(4, (height - 2) * (detailSize.fifteenths - 1) / 15)
        detailHeight = min(detailHeight, height - 2 - 3)   // the axis and two rows at least
        if let spanRows, spanRows + 1 < height - 2 - detailHeight {
            detailHeight = height - 2 - (spanRows + 1)   // axis + every row, the rest for details
        }
        return Area(x: 0, y: 1, width: width, height: height - 2 - detailHeight)
    }

    public var waterfallRows: Int { max(1, waterfall.height - 1) }

    public var detail: Area {
        if detailSize == .hidden { return Area(x: 0, y: height - 1, width: width, height: 0) }
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
