import CellGrid
import SpanAnalysis

/// A trace's `FlameGraph` as an icicle: the top-level spans (or the virtual root) on the first
/// row, children below their parent, each node a bar across its share of the width with
/// eighth-cell precision at its edges, labelled `service: name` (cut with an ellipsis), in its
/// service's colour (as the waterfall colours a service). A node with errors starts with the
/// error mark; the selected node is drawn on the selection background.
///
///     frontend: GET /checkout            ▎worker: retry-worker
///     ✗ payments: charge   ▏auth:…▎
///     payments:…▋
///
/// Bars are reverse video in the service's colour (label text on the colour), so they are
/// seen without colour too. Where one node ends and the next begins inside a cell, the cell is
/// a left block as wide as the first node's part, in its colour, on the second's colour
/// (without colour: on nothing). Nodes narrower than an eighth of a cell are left out.
///
/// Zoom is laying out another node: it takes the whole width and its ancestors stay above it
/// at full width (`FlameGraph.layout`). The state's navigation helpers move the selection
/// through the graph (parent, first child, siblings in x order) and zoom in and out.
public struct FlameGraphWidget: Widget {
    /// Where the user is: the zoomed node, the selected node, the first row drawn.
    public struct State: Sendable, Equatable {
        /// The node laid out across the whole width (`FlameGraph.root`: the whole trace).
        public var zoom: Int
        /// The selected node; the virtual root when the root is not shown means none yet.
        public var selected: Int
        /// The first row of the layout drawn (for graphs deeper than the area).
        public var topRow: Int
        /// Whether the virtual root has a row (labelled `all`) and can be selected.
        public var showsRoot: Bool

        public init(zoom: Int = FlameGraph.root, selected: Int = FlameGraph.root, topRow: Int = 0, showsRoot: Bool = false) {
            self.zoom = zoom
            self.selected = selected
            self.topRow = topRow
            self.showsRoot = showsRoot
        }

        /// Starting on `graph`: the widest top-level node selected (the root when shown).
        public init(graph: FlameGraph, showsRoot: Bool = false) {
            self.init(showsRoot: showsRoot)
            if !showsRoot { selectFirstChild(in: graph) }
        }

        /// The layout row a node is drawn on (before scrolling).
        public func row(of node: Int, in graph: FlameGraph) -> Int {
            Int(graph.nodes[node].depth) - (showsRoot ? 0 : 1)
        }

        /// Whether `node` is drawn in this zoom: the zoomed node, one of its ancestors (drawn
        /// at full width) or one of its descendants.
        public func isShown(_ node: Int, in graph: FlameGraph) -> Bool {
            guard node >= 0, node < graph.nodes.count, showsRoot || node != FlameGraph.root else { return false }
            return FlameGraphWidget.isAncestor(node, of: zoom, in: graph) || FlameGraphWidget.isAncestor(zoom, of: node, in: graph)
        }

        /// Selects the selected node's parent (not the virtual root unless it is shown).
        @discardableResult
        public mutating func selectParent(in graph: FlameGraph) -> Bool {
            guard valid(in: graph) else { return false }
            let parent = Int(graph.nodes[selected].parent)
            guard parent >= 0, showsRoot || parent != FlameGraph.root else { return false }
            selected = parent
            return true
        }

        /// Selects the selected node's first child in x order (the leftmost, widest first
        /// when the graph is ordered by total time).
        @discardableResult
        public mutating func selectFirstChild(in graph: FlameGraph) -> Bool {
            guard valid(in: graph) else { return false }
            let children = graph.nodes[selected].children
            // The first child with a width (a child of no time is not drawn).
            guard let child = children.first(where: { graph.nodes[Int($0)].widthNs > 0 }) ?? children.first else { return false }
            selected = Int(child)
            return true
        }

        /// Selects the next sibling to the right. Not from the zoomed node or its ancestors,
        /// whose siblings are not drawn.
        @discardableResult
        public mutating func selectNextSibling(in graph: FlameGraph) -> Bool { stepSibling(1, in: graph) }

        /// Selects the previous sibling to the left (as `selectNextSibling`).
        @discardableResult
        public mutating func selectPreviousSibling(in graph: FlameGraph) -> Bool { stepSibling(-1, in: graph) }

        mutating func stepSibling(_ step: Int, in graph: FlameGraph) -> Bool {
            guard valid(in: graph), !FlameGraphWidget.isAncestor(selected, of: zoom, in: graph) else { return false }
            let parent = Int(graph.nodes[selected].parent)
            guard parent >= 0 else { return false }
            let siblings = graph.nodes[parent].children
            guard let i = siblings.firstIndex(of: Int32(selected)) else { return false }
            var j = i + step
            // Skip siblings of no time (not drawn).
            while j >= 0, j < siblings.count, graph.nodes[Int(siblings[j])].widthNs == 0 { j += step }
            guard j >= 0, j < siblings.count else { return false }
            selected = Int(siblings[j])
            return true
        }

        /// Zooms to the selected node (it takes the whole width). False when it already is
        /// the zoomed node.
        @discardableResult
        public mutating func zoomIn(in graph: FlameGraph) -> Bool {
            guard valid(in: graph), selected != zoom else { return false }
            zoom = selected
            return true
        }

        /// Zooms out one level: to the zoomed node's parent (the whole trace at the top). The
        /// selection stays (it is still drawn). False when not zoomed.
        @discardableResult
        public mutating func zoomOut(in graph: FlameGraph) -> Bool {
            guard zoom > 0, zoom < graph.nodes.count else {
                let changed = zoom != FlameGraph.root
                zoom = FlameGraph.root
                return changed
            }
            zoom = Int(graph.nodes[zoom].parent)
            return true
        }

        /// Zooms out to the whole trace.
        public mutating func resetZoom() { zoom = FlameGraph.root }

        /// Scrolls the least so that the selected node's row is among `height` rows.
        public mutating func scrollToSelection(in graph: FlameGraph, height: Int) {
            guard valid(in: graph) else { return }
            let row = max(0, self.row(of: selected, in: graph))
            let h = max(1, height)
            if row < topRow { topRow = row }
            if row >= topRow + h { topRow = row - h + 1 }
        }

        func valid(in graph: FlameGraph) -> Bool { selected >= 0 && selected < graph.nodes.count }
    }

    /// How it is drawn.
    public struct Options: Sendable {
        public var glyphs: Glyphs
        /// Cells shared by two nodes take both colours (the terminal has colour).
        public var useColor: Bool

        public init(glyphs: Glyphs = .unicode, useColor: Bool = false) {
            self.glyphs = glyphs
            self.useColor = useColor
        }
    }

    public let graph: FlameGraph
    public var state: State
    public var options: Options

    public init(graph: FlameGraph, state: State = State(), options: Options = Options()) {
        self.graph = graph
        self.state = state
        self.options = options
    }

    var glyphs: Glyphs { options.glyphs }

    /// Nodes narrower than this (in cells) are left out with their descendants.
    public static let minWidth = 1.0 / 8

    /// Whether `a` is `b` or one of its ancestors.
    public static func isAncestor(_ a: Int, of b: Int, in graph: FlameGraph) -> Bool {
        guard a >= 0, b >= 0, b < graph.nodes.count else { return false }
        var n = b
        while n >= 0 {
            if n == a { return true }
            n = Int(graph.nodes[n].parent)
        }
        return false
    }

    /// The nodes placed in `width` cells as drawn (before scrolling).
    public func layout(width: Int) -> [FlameGraph.Cell] {
        let zoom = state.zoom >= 0 && state.zoom < graph.nodes.count ? state.zoom : FlameGraph.root
        return graph.layout(width: Double(width), zoom: zoom, showRoot: state.showsRoot, minWidth: Self.minWidth)
    }

    /// The node drawn at cell (x, line) of an area `width` wide (for a click), nil for none.
    public func node(atX x: Int, line: Int, width: Int) -> Int? {
        let row = line + state.topRow
        let at = (Double(x) + 0.5)
        return layout(width: width).first { $0.row == row && $0.x0 <= at && at < $0.x1 }?.node
    }

    /// A node's label: `service: name` (the name alone without a service, `all` for the root).
    public static func label(_ node: FlameGraph.Node, isRoot: Bool) -> String {
        if isRoot { return "all" }
        let name = node.name.isEmpty ? "(no name)" : node.name
        return node.service.isEmpty ? name : node.service + ": " + name
    }

    public func render(in area: Rect, into grid: inout Grid) {
        guard area.height > 0, area.width > 0, !graph.nodes.isEmpty else { return }
        var lines = [[FlameGraph.Cell]](repeating: [], count: area.height)
        for cell in layout(width: area.width) {
            let line = cell.row - state.topRow
            if line >= 0 && line < area.height { lines[line].append(cell) }
        }
        for (line, cells) in lines.enumerated() where !cells.isEmpty {
            drawRow(cells, in: area.row(line), into: &grid)
        }
    }

    /// The style of a node's bar.
    func barStyle(_ node: Int) -> Style {
        node == state.selected ? Style(.default, background: .selection, [.bold, .underline])
            : Style(role(node), [.reverse])
    }

    /// The colour a node is drawn in: its service's (the selection's when selected).
    func role(_ node: Int) -> ColorRole {
        node == state.selected ? .selection : ColorRole.service(graph.nodes[node].service)
    }

    /// One row: which node owns each eighth of each cell, then per cell a full bar, an edge
    /// or nothing; then the labels over the cells each node wholly covers.
    func drawRow(_ cells: [FlameGraph.Cell], in area: Rect, into grid: inout Grid) {
        let width = area.width
        var owner = [Int](repeating: -1, count: width * 8)
        var spans: [(node: Int, start: Int, end: Int)] = []
        for cell in cells.sorted(by: { $0.x0 < $1.x0 }) {
            let s = max(0, min(width * 8, Int((cell.x0 * 8).rounded())))
            let e = max(0, min(width * 8, Int((cell.x1 * 8).rounded())))
            guard e > s else { continue }
            for i in s..<e { owner[i] = cell.node }
            spans.append((cell.node, s, e))
        }
        for c in 0..<width {
            let base = c * 8
            let left = owner[base], right = owner[base + 7]
            var run = 1
            while run < 8 && owner[base + run] == left { run += 1 }
            if run == 8 {
                if left >= 0 { grid.put(" ", x: c, y: 0, in: area, style: barStyle(left), maxWidth: 1) }
                continue
            }
            if left >= 0 && right >= 0 && left != right {
                // One node ends and the next begins here: the first's part as a left block.
                let style = options.useColor ? Style(role(left), background: role(right)) : Style(role(left))
                grid.put(glyphs.leftBlocks[run - 1], x: c, y: 0, in: area, style: style, maxWidth: 1)
            } else if left >= 0 {
                // Ends here: a left block as wide as its part.
                grid.put(glyphs.leftBlocks[run - 1], x: c, y: 0, in: area, style: Style(role(left)), maxWidth: 1)
            } else if right >= 0 {
                drawStartEdge(right, empty: run, x: c, in: area, into: &grid)
            } else if let inner = (base..<base + 8).first(where: { owner[$0] >= 0 }).map({ owner[$0] }) {
                // A node narrower than a cell, inside it: a thin mark.
                grid.put(glyphs.leftBlocks[0], x: c, y: 0, in: area, style: Style(role(inner)), maxWidth: 1)
            }
        }
        for span in spans {
            let first = (span.start + 7) / 8, end = span.end / 8
            guard end - first >= 2 || (end - first == 1 && graph.nodes[span.node].errors > 0) else { continue }
            drawLabel(span.node, x: first, width: end - first, in: area, into: &grid)
        }
    }

    /// A node that begins inside cell `x` after `empty` eighths of nothing. With colour, a
    /// left block in reverse video (the glyph takes the background); without, the nearest of
    /// a right eighth, a right half or a full cell (ASCII: a bar or a full cell).
    func drawStartEdge(_ node: Int, empty: Int, x: Int, in area: Rect, into grid: inout Grid) {
        let glyph: String
        var style = Style(role(node))
        if options.useColor {
            glyph = glyphs.leftBlocks[empty - 1]
            style.attributes.insert(.reverse)
        } else if glyphs.isASCII {
            glyph = empty >= 6 ? glyphs.leftBlocks[0] : glyphs.full
        } else {
            glyph = empty >= 6 ? glyphs.rightEighth : (empty >= 3 ? glyphs.rightHalf : glyphs.full)
        }
        grid.put(glyph, x: x, y: 0, in: area, style: style, maxWidth: 1)
    }

    /// The label over the `width` cells from `x` the node wholly covers: the error mark when
    /// it has errors, then `service: name`, cut with an ellipsis. A one-cell node gets no
    /// label (only its error mark).
    func drawLabel(_ node: Int, x: Int, width: Int, in area: Rect, into grid: inout Grid) {
        let n = graph.nodes[node]
        let style = barStyle(node)
        var column = x
        if n.errors > 0 {
            var errorStyle = style
            errorStyle.foreground = .error
            if node != state.selected { errorStyle = Style(.error, [.reverse, .bold]) }
            column += grid.put(glyphs.error, x: column, y: 0, in: area, style: errorStyle, maxWidth: 1)
            if column < x + width { column += grid.put(" ", x: column, y: 0, in: area, style: style, maxWidth: 1) }
        }
        let room = x + width - column
        guard room >= 2 else { return }
        let label = Self.label(n, isRoot: node == FlameGraph.root)
        let used = grid.put(label, x: column, y: 0, in: area, style: style, maxWidth: room)
        if used < DisplayWidth.of(TerminalText.escaped(label)) {
            grid.put(glyphs.ellipsis, x: x + width - 1, y: 0, in: area, style: style, maxWidth: 1)
        }
    }

    /// A line about the selected node for a status bar (`FlameGraphWidget.tooltip`).
    public var footer: StyledLine { Self.tooltip(graph, node: state.selected, glyphs: glyphs) }

    /// A line about `node`: its label (service in its colour), the spans merged into it, its
    /// total and self time, its share of the graph, its errors:
    /// `payments: charge · 2 spans · total 90ms · self 40ms · 75% · 1 error`.
    public static func tooltip(_ graph: FlameGraph, node: Int, glyphs: Glyphs = .unicode) -> StyledLine {
        guard node >= 0, node < graph.nodes.count else { return .blank }
        let n = graph.nodes[node]
        let isRoot = node == FlameGraph.root
        var runs: [StyledLine.Run] = []
        if isRoot {
            runs.append(.init("all", .bold))
        } else {
            if !n.service.isEmpty {
                runs.append(.init(n.service, Style(ColorRole.service(n.service), [.bold])))
                runs.append(.init(": "))
            }
            runs.append(.init(n.name.isEmpty ? "(no name)" : n.name, .bold))
        }
        let sep = StyledLine.Run(glyphs.separator, .muted)
        if !isRoot {
            runs += [sep, .init(n.count == 1 ? "1 span" : "\(n.count) spans")]
        }
        runs += [sep, .init("total " + glyphs.duration(n.totalNs))]
        if !isRoot { runs += [sep, .init("self " + glyphs.duration(n.selfNs))] }
        let whole = graph.nodes[FlameGraph.root].widthNs
        if whole > 0 && !isRoot {
            runs += [sep, .init(StatsTableLayout.percent(Double(n.widthNs) * 100 / Double(whole)) + " of the trace")]
        }
        let errors = isRoot ? graph.nodes.reduce(0) { $0 + $1.errors } : n.errors
        if errors > 0 {
            runs += [sep, .init(errors == 1 ? "1 error" : "\(errors) errors", Style.error)]
        }
        return StyledLine(runs)
    }
}
