import SpanModel

/// All traces read so far, grouped by trace ID, in first-seen order.
/// Insertion is incremental and order-free; nothing is ever sorted at insert time.
public struct TraceStore: Sendable {
    public private(set) var traces: [TraceRecord] = []
    private var indexByTraceID: [TraceID: Int] = [:]
    /// Distinct spans stored.
    public private(set) var spanCount = 0
    /// Identical copies dropped.
    public private(set) var duplicateCount = 0
    /// Spans stored although another span of their trace had their ID.
    public private(set) var collisionCount = 0
    /// The trace of the previous insert: spans of one trace come in runs.
    private var lastTrace: (id: TraceID, index: Int)?

    public init() {}

    public init(_ spans: some Sequence<Span>) {
        insert(contentsOf: spans)
    }

    public var traceCount: Int { traces.count }

    @discardableResult
    public mutating func insert(_ span: Span) -> TraceRecord.InsertResult {
        let index: Int
        if let last = lastTrace, last.id == span.traceID {
            index = last.index
        } else if let existing = indexByTraceID[span.traceID] {
            index = existing
        } else {
            index = traces.count
            indexByTraceID[span.traceID] = index
            traces.append(TraceRecord(traceID: span.traceID, arrival: index))
        }
        lastTrace = (span.traceID, index)
        let result = traces[index].insert(span)
        switch result {
        case .added: spanCount += 1
        case .collision: spanCount += 1; collisionCount += 1
        case .duplicate: duplicateCount += 1
        }
        return result
    }

    public mutating func insert(contentsOf spans: some Sequence<Span>) {
        for span in spans { insert(span) }
    }

    /// Inserts and empties `spans`, moving each span instead of copying it (a copy of a span
    /// costs six reference-count operations, and a million spans arrive this way).
    public mutating func insert(moving spans: inout [Span]) {
        spans.reverse()
        while let span = spans.popLast() { insert(span) }
    }

    public func index(of traceID: TraceID) -> Int? { indexByTraceID[traceID] }

    /// Removes whole traces, oldest first (by when they were first seen), until at most
    /// `maxSpans` spans remain. Returns how many traces went. Trace indices change.
    @discardableResult
    public mutating func evictOldest(keepingAtMost maxSpans: Int) -> (traces: Int, spans: Int) {
        guard spanCount > maxSpans else { return (0, 0) }
        var removeCount = 0, removedSpans = 0
        // Traces are in first-seen order: drop from the front, but always keep the newest.
        while spanCount - removedSpans > maxSpans && removeCount < traces.count - 1 {
            removedSpans += traces[removeCount].spanCount
            removeCount += 1
        }
        guard removeCount > 0 else { return (0, 0) }
        traces.removeFirst(removeCount)
        indexByTraceID.removeAll(keepingCapacity: true)
        for (i, trace) in traces.enumerated() { indexByTraceID[trace.traceID] = i }
        spanCount -= removedSpans
        lastTrace = nil
        return (removeCount, removedSpans)
    }

    public subscript(traceID: TraceID) -> TraceRecord? {
        indexByTraceID[traceID].map { traces[$0] }
    }

    /// Indices of traces whose ID starts with `prefix` (see `TraceIDPrefix`).
    public func traces(matching prefix: TraceIDPrefix) -> [Int] {
        traces.indices.filter { prefix.matches(traces[$0].traceID) }
    }
}
