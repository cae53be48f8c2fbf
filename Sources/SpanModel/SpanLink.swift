/// A reference from one span to another, possibly in another trace.
public struct SpanLink: Hashable, Sendable {
    public var traceID: TraceID
    public var spanID: SpanID
    public var traceState: String
    public var attributes: [Attribute]
    public var droppedAttributeCount: UInt32

    public init(traceID: TraceID, spanID: SpanID, traceState: String = "", attributes: [Attribute] = [], droppedAttributeCount: UInt32 = 0) {
        self.traceID = traceID
        self.spanID = spanID
        self.traceState = traceState
        self.attributes = attributes
        self.droppedAttributeCount = droppedAttributeCount
    }
}
