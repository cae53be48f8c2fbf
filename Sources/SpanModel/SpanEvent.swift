/// Something that happened at one instant during a span (a log, a retry, an exception).
public struct SpanEvent: Hashable, Sendable {
    public var name: String
    /// Nanoseconds since the Unix epoch, or `Timestamp.unknown`.
    public var time: Int64
    public var attributes: [Attribute]
    public var droppedAttributeCount: UInt32

    public init(name: String, time: Int64, attributes: [Attribute] = [], droppedAttributeCount: UInt32 = 0) {
        self.name = name
        self.time = time
        self.attributes = attributes
        self.droppedAttributeCount = droppedAttributeCount
    }

    /// True for an OpenTelemetry exception event (`exception` with exception.* attributes).
    public var isException: Bool { name == "exception" }
}
