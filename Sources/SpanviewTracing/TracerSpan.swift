import SpanModel
import Synchronization
import Tracing

/// A span started by `SpanviewTracer`. Thread-safe: any thread may set attributes, add
/// events and end it. A span that was not sampled records nothing and costs one allocation.
/// When it ends, it becomes a `SpanModel.Span` (the value spanview reads from files) and goes
/// to the tracer's processor.
public final class TracerSpan: Tracing.Span, @unchecked Sendable {
    public let context: InstrumentationContext
    public let spanContext: SpanContext
    let parentSpanID: SpanID
    let parentIsRemote: Bool
    let kind: Tracing.SpanKind
    let startTime: UInt64
    private let tracer: SpanviewTracer?
    private let state: Mutex<State>

    struct State {
        var name: String
        var attributes = SpanAttributes()
        var events: [SpanModel.SpanEvent] = []
        var links: [SpanModel.SpanLink] = []
        var status = SpanModel.SpanStatus.unset
        var ended = false
        var droppedAttributes: UInt32 = 0
        var droppedEvents: UInt32 = 0
        var droppedLinks: UInt32 = 0
    }

    /// Most attributes, events and links a span keeps (the OpenTelemetry defaults); more are
    /// counted as dropped.
    public static let maxAttributes = 128, maxEvents = 128, maxLinks = 128

    init(name: String, context: InstrumentationContext, spanContext: SpanContext, parentSpanID: SpanID, parentIsRemote: Bool,
         kind: Tracing.SpanKind, startTime: UInt64, tracer: SpanviewTracer?) {
        self.context = context
        self.spanContext = spanContext
        self.parentSpanID = parentSpanID
        self.parentIsRemote = parentIsRemote
        self.kind = kind
        self.startTime = startTime
        self.tracer = tracer
        state = Mutex(State(name: name))
    }

    public var isRecording: Bool { tracer != nil && !state.withLock { $0.ended } }

    public var operationName: String {
        get { state.withLock { $0.name } }
        set { state.withLock { if !$0.ended { $0.name = newValue } } }
    }

    public var attributes: SpanAttributes {
        get { state.withLock { $0.attributes } }
        set {
            guard tracer != nil else { return }
            state.withLock { s in
                guard !s.ended else { return }
                s.attributes = newValue
            }
        }
    }

    public func setStatus(_ status: Tracing.SpanStatus) {
        guard tracer != nil else { return }
        state.withLock { s in
            guard !s.ended else { return }
            // Ok is final; otherwise the last status set wins (the specification's rule).
            if s.status.code == .ok { return }
            switch status.code {
            case .ok: s.status = SpanModel.SpanStatus(code: .ok)
            case .error:
                // No message keeps the one recorded with the error (`withSpan` sets status
                // Error without one right after `recordError`).
                s.status = SpanModel.SpanStatus(code: .error, description: status.message ?? (s.status.code == .error ? s.status.description : ""))
            }
        }
    }

    public func addEvent(_ event: Tracing.SpanEvent) {
        guard tracer != nil else { return }
        let converted = SpanModel.SpanEvent(name: event.name, time: Int64(clamping: event.nanosecondsSinceEpoch),
                                            attributes: Self.convert(event.attributes))
        state.withLock { s in
            guard !s.ended else { return }
            if s.events.count < Self.maxEvents { s.events.append(converted) } else { s.droppedEvents += 1 }
        }
    }

    /// An `exception` event (`exception.type`, `exception.message`, and the attributes given)
    /// and status Error, as the OpenTelemetry conventions record an error.
    public func recordError<Instant: TracerInstant>(_ error: any Error, attributes: SpanAttributes, at instant: @autoclosure () -> Instant) {
        guard tracer != nil else { return }
        var all: [Attribute] = [
            Attribute("exception.type", .string(String(reflecting: type(of: error)))),
            Attribute("exception.message", .string(String(describing: error))),
        ]
        all += Self.convert(attributes)
        let event = SpanModel.SpanEvent(name: "exception", time: Int64(clamping: instant().nanosecondsSinceEpoch), attributes: all)
        state.withLock { s in
            guard !s.ended else { return }
            if s.events.count < Self.maxEvents { s.events.append(event) } else { s.droppedEvents += 1 }
            if s.status.code != .ok { s.status = SpanModel.SpanStatus(code: .error, description: String(describing: error)) }
        }
    }

    public func addLink(_ link: Tracing.SpanLink) {
        guard tracer != nil, let other = link.context.spanContext else { return }
        let converted = SpanModel.SpanLink(traceID: other.traceID, spanID: other.spanID, traceState: other.traceState,
                                           attributes: Self.convert(link.attributes))
        state.withLock { s in
            guard !s.ended else { return }
            if s.links.count < Self.maxLinks { s.links.append(converted) } else { s.droppedLinks += 1 }
        }
    }

    public func end<Instant: TracerInstant>(at instant: @autoclosure () -> Instant) {
        guard let tracer else { return }   // not sampled: not even the clock is read
        let endTime = instant().nanosecondsSinceEpoch
        guard let finished = state.withLock({ s -> State? in
            guard !s.ended else { return nil }
            s.ended = true
            return s
        }) else { return }
        var attributes = Self.convert(finished.attributes)
        var droppedAttributes = finished.droppedAttributes
        if attributes.count > Self.maxAttributes {
            droppedAttributes += UInt32(attributes.count - Self.maxAttributes)
            attributes.removeLast(attributes.count - Self.maxAttributes)
        }
        let span = SpanModel.Span(
            traceID: spanContext.traceID, spanID: spanContext.spanID, parentSpanID: parentSpanID, name: finished.name,
            kind: Self.convert(kind), startTime: Int64(clamping: startTime), endTime: Int64(clamping: endTime),
            attributes: attributes, events: finished.events, links: finished.links, status: finished.status,
            traceState: spanContext.traceState, traceFlags: spanContext.traceFlags,
            parentIsRemote: parentIsRemote,
            droppedAttributeCount: droppedAttributes, droppedEventCount: finished.droppedEvents,
            droppedLinkCount: finished.droppedLinks, resource: tracer.resource, scope: tracer.scope)
        tracer.processor.onEnd(span)
    }

    // MARK: - Conversions to the model

    static func convert(_ kind: Tracing.SpanKind) -> SpanModel.SpanKind {
        switch kind {
        case .server: .server
        case .client: .client
        case .producer: .producer
        case .consumer: .consumer
        case .internal: .internal
        }
    }

    /// Attributes in key order (a dictionary has none; sorted, output is reproducible).
    static func convert(_ attributes: SpanAttributes) -> [Attribute] {
        var out: [Attribute] = []
        out.reserveCapacity(attributes.count)
        attributes.forEach { key, value in out.append(Attribute(key, convert(value))) }
        out.sort { $0.key < $1.key }
        return out
    }

    static func convert(_ value: SpanAttribute) -> AttributeValue {
        switch value {
        case .int32(let v): .int(Int64(v))
        case .int64(let v): .int(v)
        case .int32Array(let v): .intArray(v.map(Int64.init))
        case .int64Array(let v): .intArray(v)
        case .double(let v): .double(v)
        case .doubleArray(let v): .doubleArray(v)
        case .bool(let v): .bool(v)
        case .boolArray(let v): .boolArray(v)
        case .string(let v): .string(v)
        case .stringArray(let v): .stringArray(v)
        case .stringConvertible(let v): .string(v.description)
        case .stringConvertibleArray(let v): .stringArray(v.map(\.description))
        default: .empty
        }
    }
}
