/// One span as exported, in a form that depends on no format.
public struct Span: Sendable {
    public var traceID: TraceID
    public var spanID: SpanID
    /// `.zero` for a root span.
    public var parentSpanID: SpanID
    public var name: String
    public var kind: SpanKind
    /// Nanoseconds since the Unix epoch, or `Timestamp.unknown` (Go's `WithoutTimestamps`).
    public var startTime: Int64
    public var endTime: Int64
    /// Attributes, events and links, packed (decoded on access).
    public var details: SpanDetails
    public var status: SpanStatus
    public var traceState: String
    public var traceFlags: UInt8
    /// The span context was propagated from another process.
    public var isRemote: Bool
    /// The parent context was propagated from another process.
    public var parentIsRemote: Bool
    /// The parent is a Jaeger/OpenTracing FOLLOWS_FROM reference (the parent does not wait
    /// for this span), not CHILD_OF; the critical path leaves such a subtree out.
    public var parentIsFollowsFrom: Bool
    public var droppedAttributeCount: UInt32
    public var droppedEventCount: UInt32
    public var droppedLinkCount: UInt32
    /// Go's `ChildSpanCount`: children started from this span in its process.
    public var childSpanCount: UInt32
    public var resource: Resource
    public var scope: InstrumentationScope

    public init(
        traceID: TraceID, spanID: SpanID, parentSpanID: SpanID = .zero, name: String,
        kind: SpanKind = .internal, startTime: Int64, endTime: Int64,
        attributes: [Attribute] = [], events: [SpanEvent] = [], links: [SpanLink] = [], details: SpanDetails? = nil,
        status: SpanStatus = .unset, traceState: String = "", traceFlags: UInt8 = 1,
        isRemote: Bool = false, parentIsRemote: Bool = false, parentIsFollowsFrom: Bool = false,
        droppedAttributeCount: UInt32 = 0, droppedEventCount: UInt32 = 0, droppedLinkCount: UInt32 = 0,
        childSpanCount: UInt32 = 0, resource: Resource = .empty, scope: InstrumentationScope = .empty
    ) {
        self.traceID = traceID
        self.spanID = spanID
        self.parentSpanID = parentSpanID
        self.name = name
        self.kind = kind
        self.startTime = startTime
        self.endTime = endTime
        self.details = details ?? (attributes.isEmpty && events.isEmpty && links.isEmpty
            ? .empty : SpanDetails(attributes: attributes, events: events, links: links))
        self.status = status
        self.traceState = traceState
        self.traceFlags = traceFlags
        self.isRemote = isRemote
        self.parentIsRemote = parentIsRemote
        self.parentIsFollowsFrom = parentIsFollowsFrom
        self.droppedAttributeCount = droppedAttributeCount
        self.droppedEventCount = droppedEventCount
        self.droppedLinkCount = droppedLinkCount
        self.childSpanCount = childSpanCount
        self.resource = resource
        self.scope = scope
    }

    public var attributes: [Attribute] { details.attributes }
    public var events: [SpanEvent] { details.events }
    public var links: [SpanLink] { details.links }

    public var isRoot: Bool { parentSpanID.isZero }
    public var isError: Bool { status.isError }
    public var serviceName: String? { resource.serviceName }

    /// Both ends are known.
    public var hasTimes: Bool { startTime != Timestamp.unknown && endTime != Timestamp.unknown }

    /// End minus start in nanoseconds (negative when the clock went backwards), nil without times.
    public var duration: Int64? {
        hasTimes ? endTime &- startTime : nil
    }

    /// True when this is the same exported span as `other` (a second copy of one export),
    /// as opposed to a different span that happens to carry the same IDs.
    public func isCopy(of other: Span) -> Bool {
        traceID == other.traceID && spanID == other.spanID && parentSpanID == other.parentSpanID
            && name == other.name && startTime == other.startTime && endTime == other.endTime
            && kind == other.kind && status == other.status
            && details.eventCount == other.details.eventCount && details.linkCount == other.details.linkCount
            && ((details.bytes == other.details.bytes && details.symbols === other.details.symbols) || attributes == other.attributes)
    }
}
