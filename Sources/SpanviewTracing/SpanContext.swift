import SpanModel
import Tracing

/// What identifies a span across calls and processes: its trace and span IDs, whether it
/// was sampled, and the W3C trace state. Carried in an `InstrumentationContext`, so a child
/// started with that context knows its parent, in the same task, across `async` calls, and
/// (handed over explicitly) on other threads.
public struct SpanContext: Hashable, Sendable {
    public var traceID: TraceID
    public var spanID: SpanID
    /// W3C trace flags; bit 0 is "sampled".
    public var traceFlags: UInt8
    public var traceState: String
    /// Came from another process (`traceparent`), not from a span of this one.
    public var isRemote: Bool

    public init(traceID: TraceID, spanID: SpanID, traceFlags: UInt8 = 1, traceState: String = "", isRemote: Bool = false) {
        self.traceID = traceID
        self.spanID = spanID
        self.traceFlags = traceFlags
        self.traceState = traceState
        self.isRemote = isRemote
    }

    public var isSampled: Bool { traceFlags & 1 != 0 }
    /// Both IDs set (all-zero IDs are invalid in W3C trace context).
    public var isValid: Bool { !traceID.isZero && !spanID.isZero }
}

private enum SpanContextKey: InstrumentationContextKey {
    typealias Value = SpanContext
    static var nameOverride: String? { "spanview-span-context" }
}

extension InstrumentationContext {
    /// The span this context belongs to, if any.
    public var spanContext: SpanContext? {
        get { self[SpanContextKey.self] }
        set { self[SpanContextKey.self] = newValue }
    }
}
