/// What the tree builder noticed about a span. Nothing is corrected: the span is shown as
/// exported, with these flags beside it.
public struct SpanFlags: OptionSet, Hashable, Sendable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// Its parent span is not in the input (yet).
    public static let orphan = SpanFlags(rawValue: 1 << 0)
    /// It ends before it starts.
    public static let negativeDuration = SpanFlags(rawValue: 1 << 1)
    /// It starts before its parent starts or ends after its parent ends (clock skew, or async work).
    public static let outsideParent = SpanFlags(rawValue: 1 << 2)
    /// Identical copies of it were dropped.
    public static let duplicated = SpanFlags(rawValue: 1 << 3)
    /// Another, different span of the trace has its span ID.
    public static let idCollision = SpanFlags(rawValue: 1 << 4)
    /// Its parent chain loops back to itself; it was made a root to break the loop.
    public static let cycle = SpanFlags(rawValue: 1 << 5)

    /// Flags about time (shown as clock problems).
    public static let clockProblems: SpanFlags = [.negativeDuration, .outsideParent]
}
