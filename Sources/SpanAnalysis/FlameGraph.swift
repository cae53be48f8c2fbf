import SpanModel
import SpanStore

/// A trace as an icicle graph: the span tree with siblings of the same service and name
/// merged into one node (their counts, times, errors and spans summed, their children merged
/// in turn). Node 0 is a virtual root whose children are the trace's top-level spans.
public struct FlameGraph: Sendable {
    /// Spans of one service and name under one parent node, merged.
    public struct Node: Sendable, Equatable {
        /// "" for the virtual root and for spans without `service.name`.
        public var service: String
        /// "" for the virtual root.
        public var name: String
        /// Spans merged into this node (0 for the virtual root).
        public var count = 0
        /// Of `count`, the spans with status error.
        public var errors = 0
        /// Sum of the spans' durations (the virtual root: of its children's totals).
        public var totalNs: Int64 = 0
        /// Sum of the spans' self times.
        public var selfNs: Int64 = 0
        /// What the layout sizes the node by: its spans' time within their parents (each span
        /// clipped to its parent's time, as self time is, so an async child that outlives its
        /// parent is not drawn wider than it), added up. The virtual root: its children's.
        public var widthNs: Int64 = 0
        /// Child nodes, in the graph's order.
        public var children: [Int32] = []
        /// Parent node, -1 for the virtual root.
        public var parent: Int32 = -1
        /// 0 for the virtual root, 1 for top-level spans.
        public var depth: Int32 = 0

        /// An empty node (nothing merged into it yet).
        public init(service: String, name: String) {
            self.service = service
            self.name = name
        }
    }

    /// How siblings are ordered, left to right.
    public enum Order: Sendable {
        /// Largest total first (ties by service and name).
        case total
        /// Service, then name, A to Z.
        case name
    }

    /// Every node; `nodes[FlameGraph.root]` is the virtual root, a child's index is above its parent's.
    public private(set) var nodes: [Node]
    /// The node each span was merged into.
    public let nodeOfSpan: [Int32]
    /// The spans of node i: `spanList[spanStart[i]..<spanStart[i+1]]`, in tree order.
    private let spanStart: [Int32]
    private let spanList: [Int32]

    /// The spans merged into `node` (indices into `TraceTree.spans`), in tree order.
    public func spans(of node: Int) -> ArraySlice<Int32> {
        spanList[Int(spanStart[node])..<Int(spanStart[node + 1])]
    }

    /// The virtual root's index in `nodes`.
    public static let root = 0
    static let scanLimit = 16

    /// Depth of the deepest node (the virtual root is 0).
    public var depthCount: Int { Int(nodes.map(\.depth).max() ?? 0) }

    /// Merges `tree` (with its `SelfTime.compute` figures). Spans without times add no time.
    public init(_ tree: TraceTree, selfTimes: [Int64], order: Order = .total) {
        var nodes = [Node(service: "", name: "")]
        var nodeOfSpan = [Int32](repeating: 0, count: tree.count)
        // Services by `Resource` (one per process), names by text, each numbered once, so
        // the merge key is three integers.
        struct Key: Hashable {
            var parent: Int32
            var service: Int32
            var name: Int32
        }
        var index: [Key: Int32] = [:]
        var nodeService: [Int32] = [-1], nodeName: [Int32] = [-1]
        var serviceOfResource: [ObjectIdentifier: Int32] = [:]
        var serviceNumbers: [String: Int32] = [:], services: [String] = []
        var nameNumbers: [String: Int32] = [:], names: [String] = []
        var lastResource: ObjectIdentifier?, lastService: Int32 = 0
        // What the merge needs of each span, read in storage order (a walk in tree order
        // would touch the large span values at random and miss the cache on each).
        let n = tree.count
        var serviceOf = [Int32](repeating: 0, count: n), nameOf = [Int32](repeating: 0, count: n)
        var durationOf = [Int64](repeating: 0, count: n), isError = [Bool](repeating: false, count: n)
        // Start and end, 0 and 0 when unknown or backwards (no time to clip).
        var startOf = [Int64](repeating: 0, count: n), endOf = [Int64](repeating: 0, count: n)
        for s in 0..<n {
            let resource = ObjectIdentifier(tree.spans[s].resource)
            if resource != lastResource {
                if let known = serviceOfResource[resource] {
                    lastService = known
                } else {
                    let text = tree.spans[s].resource.serviceName ?? ""
                    if let known = serviceNumbers[text] {
                        lastService = known
                    } else {
                        lastService = Int32(services.count)
                        services.append(text)
                        serviceNumbers[text] = lastService
                    }
                    serviceOfResource[resource] = lastService
                }
                lastResource = resource
            }
            serviceOf[s] = lastService
            if let known = nameNumbers[tree.spans[s].name] {
                nameOf[s] = known
            } else {
                nameOf[s] = Int32(names.count)
                names.append(tree.spans[s].name)
                nameNumbers[tree.spans[s].name] = nameOf[s]
            }
            durationOf[s] = tree.spans[s].duration.map { max(0, $0) } ?? 0
            isError[s] = tree.spans[s].status.isError
            if tree.spans[s].hasTimes && tree.spans[s].endTime > tree.spans[s].startTime {
                startOf[s] = tree.spans[s].startTime
                endOf[s] = tree.spans[s].endTime
            }
        }
        // Each span's time clipped to its parent's (clipped) time, for the widths.
        var clipStart = [Int64](repeating: 0, count: n), clipEnd = [Int64](repeating: 0, count: n)
        // Parents before children: a depth-first walk from the top-level spans.
        var walk: [Int32] = []
        walk.reserveCapacity(n)
        var stack: [Int32] = tree.roots.reversed()
        while let s32 = stack.popLast() {
            let s = Int(s32)
            let p = tree.parent[s]
            let parentNode: Int32 = p < 0 ? 0 : nodeOfSpan[Int(p)]
            let key = Key(parent: parentNode, service: serviceOf[s], name: nameOf[s])
            // A parent with few children is searched; past `scanLimit` its children are
            // also in `index` (hashing every span costs more than a short scan).
            var node: Int32 = -1
            if nodes[Int(parentNode)].children.count <= Self.scanLimit {
                for c in nodes[Int(parentNode)].children where nodeService[Int(c)] == key.service && nodeName[Int(c)] == key.name {
                    node = c
                    break
                }
            } else if let known = index[key] {
                node = known
            }
            if node < 0 {
                node = Int32(nodes.count)
                var new = Node(service: services[Int(key.service)], name: names[Int(key.name)])
                new.parent = parentNode
                new.depth = nodes[Int(parentNode)].depth + 1
                nodes.append(new)
                nodeService.append(key.service)
                nodeName.append(key.name)
                nodes[Int(parentNode)].children.append(node)
                let siblings = nodes[Int(parentNode)].children.count
                if siblings == Self.scanLimit + 1 {
                    for c in nodes[Int(parentNode)].children {
                        index[Key(parent: parentNode, service: nodeService[Int(c)], name: nodeName[Int(c)])] = c
                    }
                } else if siblings > Self.scanLimit + 1 {
                    index[key] = node
                }
            }
            nodeOfSpan[s] = node
            nodes[Int(node)].count += 1
            if isError[s] { nodes[Int(node)].errors += 1 }
            nodes[Int(node)].totalNs &+= durationOf[s]
            if endOf[s] > startOf[s] {
                var (a, b) = (startOf[s], endOf[s])
                if p >= 0 { (a, b) = (max(a, clipStart[Int(p)]), min(b, clipEnd[Int(p)])) }
                (clipStart[s], clipEnd[s]) = (a, max(a, b))
            } else if p >= 0 {
                (clipStart[s], clipEnd[s]) = (clipStart[Int(p)], clipStart[Int(p)])
            }
            nodes[Int(node)].widthNs &+= clipEnd[s] - clipStart[s]
            nodes[Int(node)].selfNs &+= s < selfTimes.count ? selfTimes[s] : 0
            walk.append(s32)
            let kids = tree.children(of: s)
            var k = kids.endIndex
            while k > kids.startIndex {
                k -= 1
                stack.append(kids[k])
            }
        }
        // The virtual root: its children's totals and widths.
        var totals: Int64 = 0, widths: Int64 = 0
        for c in nodes[0].children {
            totals &+= nodes[Int(c)].totalNs
            widths &+= nodes[Int(c)].widthNs
        }
        nodes[0].totalNs = totals
        nodes[0].widthNs = widths
        // Each node's spans, in walk order (a counting sort by node).
        var starts = [Int32](repeating: 0, count: nodes.count + 1)
        for s in walk { starts[Int(nodeOfSpan[Int(s)]) + 1] += 1 }
        for i in nodes.indices { starts[i + 1] += starts[i] }
        var fill = starts
        var list = [Int32](repeating: 0, count: walk.count)
        for s in walk {
            let node = Int(nodeOfSpan[Int(s)])
            list[Int(fill[node])] = s
            fill[node] += 1
        }
        self.nodes = nodes
        self.nodeOfSpan = nodeOfSpan
        spanStart = starts
        spanList = list
        sort(order)
    }

    /// Orders every node's children.
    public mutating func sort(_ order: Order) {
        func less(_ a: Int32, _ b: Int32) -> Bool {
            let (x, y) = (nodes[Int(a)], nodes[Int(b)])
            if order == .total && x.totalNs != y.totalNs { return x.totalNs > y.totalNs }
            if x.service != y.service { return x.service < y.service }
            if x.name != y.name { return x.name < y.name }
            return a < b
        }
        for i in nodes.indices where nodes[i].children.count > 1 {
            var children = nodes[i].children
            children.sort(by: less)
            nodes[i].children = children
        }
    }

    /// A node placed in a width: columns `[x0, x1)` in cells (fractional), on row `row`.
    public struct Cell: Sendable, Equatable {
        /// Index into `nodes`.
        public var node: Int
        /// 0 at the top.
        public var row: Int
        /// First column, fractional (0 is the left edge of the width).
        public var x0: Double
        /// The column where the node ends (exclusive), fractional.
        public var x1: Double
        /// `x1 - x0`, in cells.
        public var width: Double { x1 - x0 }

        /// A placed node.
        public init(node: Int, row: Int, x0: Double, x1: Double) {
            self.node = node
            self.row = row
            self.x0 = x0
            self.x1 = x1
        }
    }

    /// Every node under `zoom` (default: the virtual root) placed across `width` cells:
    /// `zoom` spans the whole width, its descendants share it in proportion to their
    /// `widthNs`, left to right in child order (scaled down to fit when concurrent children
    /// add up to more than their parent). `zoom`'s ancestors are drawn above it across
    /// the whole width (rows 0...), so `zoom`'s row is its depth; with `showRoot` false the
    /// virtual root's row is left out and rows start at the top-level spans. Nodes narrower
    /// than `minWidth` cells are left out with their descendants.
    public func layout(width: Double, zoom: Int = FlameGraph.root, showRoot: Bool = true, minWidth: Double = 0) -> [Cell] {
        guard width > 0, zoom >= 0, zoom < nodes.count else { return [] }
        let rowShift = showRoot ? 0 : -1
        var cells: [Cell] = []
        // Ancestors, full width.
        var chain: [Int] = []
        var a = Int(nodes[zoom].parent)
        while a >= 0 { chain.append(a); a = Int(nodes[a].parent) }
        for node in chain.reversed() where showRoot || node != 0 {
            cells.append(Cell(node: node, row: Int(nodes[node].depth) + rowShift, x0: 0, x1: width))
        }
        var stack: [(node: Int, x0: Double, x1: Double)] = [(zoom, 0, width)]
        while let (node, x0, x1) = stack.popLast() {
            if showRoot || node != 0 {
                cells.append(Cell(node: node, row: Int(nodes[node].depth) + rowShift, x0: x0, x1: x1))
            }
            var childWidths: Int64 = 0
            for c in nodes[node].children { childWidths &+= nodes[Int(c)].widthNs }
            let total = max(nodes[node].widthNs, childWidths)
            guard total > 0 else { continue }
            let scale = (x1 - x0) / Double(total)
            var x = x0
            var placed: [(Int, Double, Double)] = []
            for c in nodes[node].children {
                let w = Double(nodes[Int(c)].widthNs) * scale
                if w >= minWidth && w > 0 { placed.append((Int(c), x, x + w)) }
                x += w
            }
            for p in placed.reversed() { stack.append(p) }
        }
        return cells
    }
}
