import SpanModel

/// The spans of one trace as they arrived, deduplicated, with running figures.
/// The parent/child tree is built from it on demand (`TraceTree`), so spans may arrive
/// in any order: a child before its parent is the normal case for the Go SDK.
public struct TraceRecord: Sendable {
    public let traceID: TraceID
    /// Distinct spans in arrival order.
    public private(set) var spans: ContiguousArray<Span> = []
    /// First span stored under each span ID.
    private var indexBySpanID = SpanIDIndex()
    /// Identical copies dropped, per stored span index (sparse).
    public private(set) var copiesDropped: [Int32: Int32] = [:]
    /// Stored spans whose ID another, different span of this trace also has.
    public private(set) var collidingSpans: Set<Int32> = []
    /// Bumped on every change, so views know when to rebuild.
    public private(set) var version = 0
    /// Earliest known start and latest known end (`Timestamp.unknown` until one is known).
    public private(set) var startTime = Timestamp.unknown
    public private(set) var endTime = Timestamp.unknown
    public private(set) var errorCount = 0
    /// Order in which this trace was first seen among all traces.
    public let arrival: Int
    /// The earliest-starting span without a parent, if any (what a trace list shows).
    public private(set) var rootIndex: Int?
    /// The earliest-starting span of all (shown when there is no root yet).
    public private(set) var firstIndex: Int?

    public init(traceID: TraceID, arrival: Int) {
        self.traceID = traceID
        self.arrival = arrival
    }

    public var spanCount: Int { spans.count }
    public var duplicateCount: Int { copiesDropped.values.reduce(0) { $0 + Int($1) } }

    /// Duration from the earliest start to the latest end, nil without times.
    public var duration: Int64? {
        startTime == Timestamp.unknown || endTime == Timestamp.unknown ? nil : endTime &- startTime
    }

    /// The span ID table, for trees built from this record.
    public var spanIDIndex: SpanIDIndex { indexBySpanID }

    public func index(of spanID: SpanID) -> Int? {
        indexBySpanID[spanID].map(Int.init)
    }

    /// Earlier known start first; unknown times after known ones.
    private static func startsBefore(_ a: Span, _ b: Span) -> Bool {
        if b.startTime == Timestamp.unknown { return a.startTime != Timestamp.unknown }
        return a.startTime != Timestamp.unknown && a.startTime < b.startTime
    }

    /// The span a list names the trace by: its root, else its earliest span.
    public var headSpan: Span? { (rootIndex ?? firstIndex).map { spans[$0] } }

    public enum InsertResult: Equatable, Sendable {
        case added
        /// An identical copy of a span already stored; dropped and counted.
        case duplicate
        /// A different span with an ID already taken; stored as its own span and flagged.
        case collision
    }

    @discardableResult
    public mutating func insert(_ span: consuming Span) -> InsertResult {
        let newIndex = Int32(spans.count)
        var result = InsertResult.added
        if let existing = indexBySpanID.insertIfAbsent(span.spanID, newIndex) {
            // Without an ID (empty in some exports) spans cannot be told apart: keep each.
            if span.spanID.isZero {
                collidingSpans.insert(existing)
                collidingSpans.insert(newIndex)
                return appended(span, .collision)
            }
            if spans[Int(existing)].isCopy(of: span) {
                copiesDropped[existing, default: 0] += 1
                version += 1
                return .duplicate
            }
            // Identical to another colliding span stored earlier?
            for other in collidingSpans where spans[Int(other)].isCopy(of: span) {
                copiesDropped[other, default: 0] += 1
                version += 1
                return .duplicate
            }
            collidingSpans.insert(existing)
            collidingSpans.insert(newIndex)
            result = .collision
        }
        return appended(span, result)
    }

    private mutating func appended(_ span: consuming Span, _ result: InsertResult) -> InsertResult {
        if span.startTime != Timestamp.unknown && (startTime == Timestamp.unknown || span.startTime < startTime) {
            startTime = span.startTime
        }
        if span.endTime != Timestamp.unknown && (endTime == Timestamp.unknown || span.endTime > endTime) {
            endTime = span.endTime
        }
        if span.isError { errorCount += 1 }
        let index = spans.count
        if span.parentSpanID.isZero && (rootIndex.map { Self.startsBefore(span, spans[$0]) } ?? true) { rootIndex = index }
        if firstIndex.map({ Self.startsBefore(span, spans[$0]) }) ?? true { firstIndex = index }
        spans.append(span)
        version += 1
        return result
    }
}
