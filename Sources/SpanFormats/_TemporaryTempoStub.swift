// TEMPORARY until the tempo branch merges: the shapes it will provide.
import SpanModel

public struct TraceResponseStatus: Sendable, Equatable {
    public var isPartial: Bool
    public var message: String?
    public static func read(_ bytes: UnsafeRawBufferPointer) -> TraceResponseStatus { TraceResponseStatus(isPartial: false, message: nil) }
}
public struct TraceHit: Sendable, Equatable {
    public var traceID: TraceID
    public var rootService: String?
    public var rootName: String?
    public var startNs: Int64?
    public var durationNs: Int64?
    public var matchedSpans: Int?
    public var spanCount: Int?
    public var errorCount: Int?
    public init(traceID: TraceID) { self.traceID = traceID }
}
public enum TempoSearchResponse {
    public static func decode(_ bytes: UnsafeRawBufferPointer, maxHits: Int = 100_000) throws(ScanError) -> [TraceHit] { [] }
}
