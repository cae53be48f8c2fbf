import SpanModel

/// The parent/child tree of one trace, rebuilt from a `TraceRecord` in O(n log n).
///
/// Spans are referred to by their index in `spans` (the record's arrival order). Children
/// are ordered by start time, then arrival. Spans whose parent is missing become roots of
/// their own subtrees, flagged `.orphan`, and are listed after the true roots' subtrees
/// only by start time, like any root.
public struct TraceTree: Sendable {
    public let traceID: TraceID
    public let spans: ContiguousArray<Span>
    /// Top-level spans (true roots, orphans, cycle breakers), by start time.
    public let roots: [Int32]
    /// Parent index, or -1 for a top-level span.
    public let parent: [Int32]
    /// Children of span i: `children[childStart[i]..<childStart[i+1]]`.
    public let childStart: [Int32]
    public let children: [Int32]
    /// Depth of each span; top-level spans are 0.
    public let depth: [Int32]
    public let flags: [SpanFlags]
    /// Identical copies dropped, per span index (sparse).
    public let copiesDropped: [Int32: Int32]
    /// The record version this was built from.
    public let version: Int
    /// Spans in each span's subtree, itself included.
    public let subtreeSize: [Int32]
    /// Span ID to index (the record's own table, shared, not copied).
    private let spanIndex: SpanIDIndex

    /// The index of the (first) span with `id`.
    public func index(of id: SpanID) -> Int? { spanIndex[id].map(Int.init) }

    public var count: Int { spans.count }

    public func children(of index: Int) -> ArraySlice<Int32> {
        children[Int(childStart[index])..<Int(childStart[index + 1])]
    }

    public func hasChildren(_ index: Int) -> Bool { childStart[index + 1] > childStart[index] }

    /// Levels in the deepest branch: a lone root is 1.
    public var depthCount: Int { spans.isEmpty ? 0 : Int(depth.max()!) + 1 }

    public init(_ record: TraceRecord) {
        let spans = record.spans
        let n = spans.count
        traceID = record.traceID
        self.spans = spans
        copiesDropped = record.copiesDropped
        version = record.version
        spanIndex = record.spanIDIndex

        var parent = [Int32](repeating: -1, count: n)
        var flags = [SpanFlags](repeating: [], count: n)
        // Times in flat arrays: sorting and range checks then never touch the large Span values.
        var starts = [Int64](repeating: 0, count: n), ends = [Int64](repeating: 0, count: n)
        for i in 0..<n {
            let (start, end, parentID) = (spans[i].startTime, spans[i].endTime, spans[i].parentSpanID)
            starts[i] = start
            ends[i] = end
            if start != Timestamp.unknown && end != Timestamp.unknown && end < start { flags[i].insert(.negativeDuration) }
            if !record.collidingSpans.isEmpty && record.collidingSpans.contains(Int32(i)) { flags[i].insert(.idCollision) }
            if !record.copiesDropped.isEmpty && record.copiesDropped[Int32(i)] != nil { flags[i].insert(.duplicated) }
            guard !parentID.isZero else { continue }
            if let p = record.index(of: parentID) {
                if p == i {
                    flags[i].insert(.cycle)   // its own parent: the shortest loop
                } else {
                    parent[i] = Int32(p)
                }
            } else {
                flags[i].insert(.orphan)
            }
        }

        // A parent chain that loops never reaches a root: find such spans and cut the loop
        // at the first span of each cycle, which becomes a top-level span.
        var state = [UInt8](repeating: 0, count: n)   // 0 unknown, 1 on current path, 2 reaches a root
        var path: [Int] = []
        for i in 0..<n where state[i] == 0 {
            path.removeAll(keepingCapacity: true)
            var j = i
            while j >= 0 && state[j] == 0 {
                state[j] = 1
                path.append(j)
                j = Int(parent[j])
            }
            if j >= 0 && state[j] == 1 {
                // j is on the current path: a cycle. Break it at j.
                parent[j] = -1
                flags[j].insert(.cycle)
            }
            for k in path { state[k] = 2 }
        }

        // Children in CSR form, ordered by (start, arrival).
        var counts = [Int32](repeating: 0, count: n + 1)
        var roots: [Int32] = []
        for i in 0..<n {
            let p = parent[i]
            if p < 0 { roots.append(Int32(i)) } else { counts[Int(p) + 1] += 1 }
        }
        for i in 0..<n { counts[i + 1] += counts[i] }
        var fill = counts
        var children = [Int32](repeating: 0, count: max(0, n - roots.count))
        for i in 0..<n {
            let p = parent[i]
            guard p >= 0 else { continue }
            children[Int(fill[Int(p)])] = Int32(i)
            fill[Int(p)] += 1
        }
        // A constant copy: a `var` captured by the comparison would be boxed and checked for
        // exclusive access on every comparison.
        let startTimes = starts
        func byStart(_ a: Int32, _ b: Int32) -> Bool {
            let sa = startTimes[Int(a)], sb = startTimes[Int(b)]
            return sa != sb ? sa < sb : a < b
        }
        for i in 0..<n where counts[i + 1] - counts[i] > 1 {
            children[Int(counts[i])..<Int(counts[i + 1])].sort(by: byStart)
        }
        roots.sort(by: byStart)

        // Depths and parent-range checks, top down, recording the visiting order.
        var depth = [Int32](repeating: 0, count: n)
        var order: [Int32] = []
        order.reserveCapacity(n)
        var stack = roots
        while let i = stack.popLast() {
            let index = Int(i)
            order.append(i)
            let (ps, pe) = (starts[index], ends[index])
            for c in children[Int(counts[index])..<Int(counts[index + 1])] {
                depth[Int(c)] = depth[index] + 1
                let (cs, ce) = (starts[Int(c)], ends[Int(c)])
                let known = cs != Timestamp.unknown && ce != Timestamp.unknown && ps != Timestamp.unknown && pe != Timestamp.unknown
                if known && (cs < ps || ce > pe) {
                    flags[Int(c)].insert(.outsideParent)
                }
                stack.append(c)
            }
        }
        // Subtree sizes, bottom up (children come after their parent in `order`).
        var subtree = [Int32](repeating: 1, count: n)
        for i in order.reversed() where parent[Int(i)] >= 0 {
            subtree[Int(parent[Int(i)])] += subtree[Int(i)]
        }
        self.subtreeSize = subtree

        self.parent = parent
        self.childStart = counts
        self.children = children
        self.roots = roots
        self.depth = depth
        self.flags = flags
    }
}
