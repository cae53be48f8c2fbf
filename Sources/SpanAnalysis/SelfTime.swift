import SpanModel
import SpanStore

/// Self time: the part of a span's duration not covered by any of its children.
public enum SelfTime {
    /// Per span (indexed like `tree.spans`), its duration minus the union of its children's
    /// intervals clipped to it, in nanoseconds. Overlapping children count once; a child
    /// that starts before or ends after the span (async work, clock skew) counts only for
    /// the part inside it. A span without both times, or that ends before it starts, has 0;
    /// a child without times, or ending before it starts, covers nothing. O(n), no recursion.
    public static func compute(_ tree: TraceTree) -> [Int64] {
        let n = tree.count
        var result = [Int64](repeating: 0, count: n)
        tree.spans.withUnsafeBufferPointer { spans in
            tree.children.withUnsafeBufferPointer { children in
                tree.childStart.withUnsafeBufferPointer { childStart in
                    for i in 0..<n {
                        let start = spans[i].startTime, end = spans[i].endTime
                        guard start != Timestamp.unknown, end != Timestamp.unknown, end > start else { continue }
                        var covered: Int64 = 0
                        // Children are ordered by start; clipped starts keep that order.
                        var runStart = Int64.min, runEnd = Int64.min
                        for c in Int(childStart[i])..<Int(childStart[i + 1]) {
                            let child = Int(children[c])
                            var cs = spans[child].startTime, ce = spans[child].endTime
                            guard cs != Timestamp.unknown, ce != Timestamp.unknown, ce > cs else { continue }
                            cs = max(cs, start)
                            ce = min(ce, end)
                            guard ce > cs else { continue }
                            if cs > runEnd {
                                if runEnd > runStart { covered += runEnd - runStart }
                                runStart = cs
                                runEnd = ce
                            } else if ce > runEnd {
                                runEnd = ce
                            }
                        }
                        if runEnd > runStart { covered += runEnd - runStart }
                        result[i] = (end - start) - covered
                    }
                }
            }
        }
        return result
    }
}
