import SpanModel
import SpanStore

/// The critical path of a trace, computed as Jaeger UI computes it (its
/// `TracePage/CriticalPath`), with CONSUMER spans and FOLLOWS_FROM children left out as
/// non-blocking. docs/analysis.md has the definition and a worked example.
///
/// 1. The path is taken under one root: the top-level span with the longest duration
///    (the first by start time among equals). Other top-level spans (more roots, orphans)
///    are not on it.
/// 2. Under that root a child is left out, with its whole subtree, when it is non-blocking
///    (kind CONSUMER, or its parent reference is FOLLOWS_FROM), when it lacks a time or ends
///    before it starts, or when it lies entirely outside its parent (starts at or after the
///    parent's end, or ends at or before the parent's start). A child that overlaps an edge
///    of its parent is clipped to it. Parents are clipped first, so a child is clipped to
///    its parent's clipped interval.
/// 3. From the root: the last-finishing child (LFC) is found; the time from its end to the
///    span's end is the span's own, and the walk goes into the LFC. A span without a
///    (further) LFC owns the time from its start, and the walk returns to its parent, whose
///    next LFC is the child that finished last strictly before that start.
///
/// The segments tile the root's interval: their durations add up to the root's duration.
/// Ties between children that end together go to the one that starts first. Unlike Jaeger
/// UI, a start time of 0 is a time like any other. The walk is a loop (no recursion) and each
/// span's children are scanned once overall, so it is O(n log n) for any depth or fan-out.
public struct CriticalPath: Sendable, Equatable {
    /// A piece of the path: `[start, end)` of the trace's time spent in one span.
    public struct Segment: Sendable, Equatable, CustomStringConvertible {
        /// Index into `TraceTree.spans`.
        public var span: Int
        /// Nanoseconds since the epoch (clipped to the span's parent), inclusive.
        public var start: Int64
        /// Exclusive; `end > start` for every segment.
        public var end: Int64

        /// A segment of `span` from `start` to `end`.
        public init(span: Int, start: Int64, end: Int64) {
            self.span = span
            self.start = start
            self.end = end
        }

        /// `end - start`.
        public var duration: Int64 { end - start }
        /// `span:start..<end`, for test output.
        public var description: String { "\(span):\(start)..<\(end)" }
    }

    /// The root the path was taken under, nil when no top-level span has usable times.
    public let root: Int?
    /// In path order: from the root's start to its end, each starting where the last ended.
    public let segments: [Segment]
    /// Per span (indexed like `TraceTree.spans`): nanoseconds of the path spent in it.
    public let onPath: [Int64]

    /// Nanoseconds the path covers: the root's duration (0 without a root).
    public var duration: Int64 { segments.reduce(0) { $0 + $1.duration } }

    /// The segments with adjacent pieces of one span joined.
    public var mergedSegments: [Segment] {
        var out: [Segment] = []
        out.reserveCapacity(segments.count)
        for s in segments {
            if let last = out.last, last.span == s.span, last.end == s.start {
                out[out.count - 1].end = s.end
            } else {
                out.append(s)
            }
        }
        return out
    }

    /// A path as given (`compute` makes them).
    public init(root: Int?, segments: [Segment], onPath: [Int64]) {
        self.root = root
        self.segments = segments
        self.onPath = onPath
    }

    /// The root `compute` uses: the top-level span with both times, not ending before it
    /// starts, with the longest duration (the first by start among equals).
    public static func chooseRoot(_ tree: TraceTree) -> Int? {
        var best: Int?, bestDuration: Int64 = -1
        for r in tree.roots {
            let span = tree.spans[Int(r)]
            guard span.hasTimes, span.endTime >= span.startTime else { continue }
            let d = span.endTime - span.startTime
            if d > bestDuration {
                best = Int(r)
                bestDuration = d
            }
        }
        return best
    }

    /// The critical path under `root` (by default `chooseRoot(tree)`).
    public static func compute(_ tree: TraceTree, root: Int? = nil) -> CriticalPath {
        let n = tree.count
        var onPath = [Int64](repeating: 0, count: n)
        guard let root = root ?? chooseRoot(tree), root >= 0, root < n,
              tree.spans[root].hasTimes, tree.spans[root].endTime >= tree.spans[root].startTime
        else { return CriticalPath(root: nil, segments: [], onPath: onPath) }

        // Clipped times of the spans kept, and each kept span's kept children ordered by
        // (end descending, tree order): the first is the LFC, and as the walk returns with
        // ever earlier start times the LFC is the first with an end before that time.
        var start = [Int64](repeating: 0, count: n), end = [Int64](repeating: 0, count: n)
        // Times and blocking read in storage order (the walk below would touch the large
        // span values at random); a span that cannot be kept gets no times.
        var usable = [Bool](repeating: false, count: n)
        for i in 0..<n {
            let (s, e) = (tree.spans[i].startTime, tree.spans[i].endTime)
            start[i] = s
            end[i] = e
            usable[i] = tree.spans[i].kind != .consumer && !tree.spans[i].parentIsFollowsFrom
                && s != Timestamp.unknown && e != Timestamp.unknown && e >= s
        }
        var kidStart = [Int32](repeating: 0, count: n)   // into `kids`, for kept spans
        var kidEnd = [Int32](repeating: 0, count: n)
        var kids: [Int32] = []
        kids.reserveCapacity(n)
        var stack: [Int32] = [Int32(root)]
        while let p32 = stack.popLast() {
            let p = Int(p32)
            let (ps, pe) = (start[p], end[p])
            let first = kids.count
            for c32 in tree.children(of: p) {
                let c = Int(c32)
                guard usable[c] else { continue }
                var (cs, ce) = (start[c], end[c])
                if cs >= ps {
                    if cs >= pe { continue }
                    ce = min(ce, pe)
                } else {
                    if ce <= ps { continue }
                    cs = ps
                    ce = min(ce, pe)
                }
                start[c] = cs
                end[c] = ce
                kids.append(c32)
            }
            kidStart[p] = Int32(first)
            kidEnd[p] = Int32(kids.count)
            for k in first..<kids.count { stack.append(kids[k]) }
        }
        // Each kept span's children by end, latest first; among equal ends tree order (the
        // position in `kids`, which is the tree's child order) decides, as in Jaeger.
        var position = [Int32](repeating: 0, count: n)
        for (k, c) in kids.enumerated() { position[Int(c)] = Int32(k) }
        let ends = end, positions = position
        var p = 0
        while p < n {
            let (a, b) = (Int(kidStart[p]), Int(kidEnd[p]))
            if b - a > 1 {
                kids[a..<b].sort { x, y in
                    let ex = ends[Int(x)], ey = ends[Int(y)]
                    return ex != ey ? ex > ey : positions[Int(x)] < positions[Int(y)]
                }
            }
            p += 1
        }

        var reversed: [Segment] = []
        var next = kidStart   // per span: the first child not yet ruled out
        var current = root
        var returning: Int64? = nil
        while true {
            var lfc = -1
            var k = Int(next[current])
            let last = Int(kidEnd[current])
            if let r = returning {
                while k < last && end[Int(kids[k])] >= r { k += 1 }
                next[current] = Int32(k)
            }
            if k < last { lfc = Int(kids[k]) }
            let sectionEnd = returning ?? end[current]
            if lfc >= 0 {
                let sectionStart = end[lfc]
                if sectionStart != sectionEnd { reversed.append(Segment(span: current, start: sectionStart, end: sectionEnd)) }
                current = lfc
                returning = nil
            } else {
                let sectionStart = start[current]
                if sectionStart != sectionEnd { reversed.append(Segment(span: current, start: sectionStart, end: sectionEnd)) }
                if current == root { break }
                returning = sectionStart
                current = Int(tree.parent[current])
            }
        }
        for s in reversed { onPath[s.span] += s.duration }
        return CriticalPath(root: root, segments: reversed.reversed(), onPath: onPath)
    }
}
