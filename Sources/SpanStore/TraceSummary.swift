import SpanModel

/// The figures of one trace that lists and summaries show.
public struct TraceSummary: Hashable, Sendable {
    public var traceID: TraceID
    public var startTime: Int64
    public var endTime: Int64
    public var spanCount: Int
    /// Levels in the deepest branch; a lone root is 1.
    public var depth: Int
    /// `service.name` of the spans, in order of first start.
    public var services: [String]
    public var errorCount: Int
    /// Names of the spans with no parent, by start time.
    public var rootNames: [String]
    /// Names of the spans whose parent is missing, by start time.
    public var orphanNames: [String]
    public var duplicateCount: Int
    /// Spans that end before they start.
    public var negativeDurationCount: Int
    /// Spans that start before or end after their parent.
    public var outsideParentCount: Int
    /// Spans with either problem.
    public var clockProblemCount: Int

    public var duration: Int64? {
        startTime == Timestamp.unknown || endTime == Timestamp.unknown ? nil : endTime &- startTime
    }

    public init(_ tree: TraceTree) {
        traceID = tree.traceID
        spanCount = tree.count
        depth = tree.depthCount
        var start = Timestamp.unknown, end = Timestamp.unknown
        var errors = 0, clock = 0, negative = 0, outside = 0
        for i in tree.spans.indices {
            if tree.spans[i].isError { errors += 1 }
            let flags = tree.flags[i]
            if !flags.isDisjoint(with: .clockProblems) { clock += 1 }
            if flags.contains(.negativeDuration) { negative += 1 }
            if flags.contains(.outsideParent) { outside += 1 }
            let (s, e) = (tree.spans[i].startTime, tree.spans[i].endTime)
            if s != Timestamp.unknown && (start == Timestamp.unknown || s < start) { start = s }
            if e != Timestamp.unknown && (end == Timestamp.unknown || e > end) { end = e }
        }
        negativeDurationCount = negative
        outsideParentCount = outside
        startTime = start
        endTime = end
        errorCount = errors
        clockProblemCount = clock
        duplicateCount = tree.copiesDropped.values.reduce(0) { $0 + Int($1) }

        // Services in order of first start: walk the spans sorted by start.
        let order = tree.spans.indices.sorted {
            let a = tree.spans[$0].startTime, b = tree.spans[$1].startTime
            return a != b ? a < b : $0 < $1
        }
        var seen = Set<String>()
        var services: [String] = []
        var roots: [String] = [], orphans: [String] = []
        for i in order {
            let span = tree.spans[i]
            if let name = span.serviceName, seen.insert(name).inserted { services.append(name) }
            if span.isRoot { roots.append(span.name) }
            if tree.flags[i].contains(.orphan) { orphans.append(span.name) }
        }
        self.services = services
        rootNames = roots
        orphanNames = orphans
    }
}
