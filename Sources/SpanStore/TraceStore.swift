import SpanModel

/// All traces read so far, grouped by trace ID, in first-seen order.
/// Insertion is incremental and order-free; nothing is ever sorted at insert time.
///
/// A trace is known by its index in `traces`, which is its arrival number: it never changes,
/// even when older traces are evicted (`evictOldest` moves `traces.startIndex` on), so views,
/// caches and selections keyed by it stay valid; `contains(_:)` says whether it is still here.
public struct TraceStore: Sendable {
    public private(set) var traces = TraceRecords()
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
        insert(span, traceIndex: traceIndex(for: span.traceID))
    }

    /// The index of the trace with this ID, made if it is new.
    private mutating func traceIndex(for traceID: TraceID) -> Int {
        if let last = lastTrace, last.id == traceID { return last.index }
        let index: Int
        if let existing = indexByTraceID[traceID] {
            index = existing
        } else {
            index = traces.endIndex
            indexByTraceID[traceID] = index
            traces.append(TraceRecord(traceID: traceID, arrival: index))
        }
        lastTrace = (traceID, index)
        return index
    }

    private mutating func insert(_ span: consuming Span, traceIndex index: Int) -> TraceRecord.InsertResult {
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
    /// costs six reference-count operations, and a million spans arrive this way). Returns
    /// the indices of the traces that got spans, new ones included.
    @discardableResult
    public mutating func insert(moving spans: inout [Span]) -> Set<Int> {
        var touched = Set<Int>()
        var previous = -1
        Self.reverseBitwise(&spans)
        while let span = spans.popLast() {
            let index = traceIndex(for: span.traceID)
            if index != previous {
                touched.insert(index)
                previous = index
            }
            _ = insert(span, traceIndex: index)
        }
        return touched
    }

    /// Reverses `spans` by moving their bytes (Swift values are bitwise movable), which costs
    /// a tenth of `reverse()`'s swaps through the value witnesses.
    static func reverseBitwise(_ spans: inout [Span]) {
        guard spans.count > 1 else { return }
        let stride = MemoryLayout<Span>.stride
        let temporary = UnsafeMutableRawPointer.allocate(byteCount: stride, alignment: MemoryLayout<Span>.alignment)
        defer { temporary.deallocate() }
        spans.withUnsafeMutableBytes { bytes in
            let base = bytes.baseAddress!
            var i = 0, j = bytes.count / stride - 1
            while i < j {
                temporary.copyMemory(from: base + i * stride, byteCount: stride)
                (base + i * stride).copyMemory(from: base + j * stride, byteCount: stride)
                (base + j * stride).copyMemory(from: temporary, byteCount: stride)
                i += 1
                j -= 1
            }
        }
    }

    public func index(of traceID: TraceID) -> Int? { indexByTraceID[traceID] }

    /// Whether the trace with this index is still stored (not evicted).
    public func contains(_ index: Int) -> Bool { traces.indices.contains(index) }

    /// Removes whole traces, oldest first (by when they were first seen), until at most
    /// `maxSpans` spans remain, always keeping the newest. Returns how many went. The other
    /// traces keep their indices.
    @discardableResult
    public mutating func evictOldest(keepingAtMost maxSpans: Int) -> (traces: Int, spans: Int) {
        guard spanCount > maxSpans else { return (0, 0) }
        var removeCount = 0, removedSpans = 0
        // Traces are in first-seen order: drop from the front, but always keep the newest.
        while spanCount - removedSpans > maxSpans && removeCount < traces.count - 1 {
            let record = traces[traces.startIndex + removeCount]
            removedSpans += record.spanCount
            indexByTraceID[record.traceID] = nil
            removeCount += 1
        }
        guard removeCount > 0 else { return (0, 0) }
        traces.removeFirst(removeCount)
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

/// The stored traces, indexed by arrival number: after an eviction `startIndex` is the
/// oldest trace still here, and every other trace keeps its index.
public struct TraceRecords: RandomAccessCollection, Sendable {
    private var records: [TraceRecord] = []
    /// Index of `records[0]`: the number of traces evicted so far.
    public private(set) var startIndex = 0

    public init() {}

    public var endIndex: Int { startIndex + records.count }

    public subscript(index: Int) -> TraceRecord {
        get { records[index - startIndex] }
        set { records[index - startIndex] = newValue }
        _modify { yield &records[index - startIndex] }
    }

    mutating func append(_ record: TraceRecord) { records.append(record) }

    /// Drops the oldest `k` traces; the rest keep their indices.
    mutating func removeFirst(_ k: Int) {
        records.removeFirst(k)
        startIndex += k
    }
}
