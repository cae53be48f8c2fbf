import SpanModel
import Tracing

/// A `Tracer` (swift-distributed-tracing) whose finished spans are spanview's own model
/// spans: sampled at the root (`sampler`), handed to a processor as they end, exported by
/// it to a file, a collector or the viewer. Propagates W3C `traceparent` and `tracestate`.
///
/// ```swift
/// let tracer = SpanviewTracer(serviceName: "checkout",
///                             processor: BatchSpanProcessor(exporter: InMemorySpanExporter()))
/// InstrumentationSystem.bootstrap(tracer)
/// try await withSpan("charge card") { span in span.attributes["amount"] = 42 }
/// tracer.shutdown()
/// ```
public final class SpanviewTracer: Tracer {
    public typealias Span = TracerSpan

    public let resource: Resource
    public let scope: InstrumentationScope
    public let sampler: any Sampler
    public let processor: any SpanProcessor
    public let idGenerator: any IDGenerator

    /// - Parameters:
    ///   - serviceName: `service.name` of the resource (what viewers group spans by).
    ///   - resourceAttributes: more resource attributes (`service.version`, `host.name`, ...).
    ///   - sampler: parent-based, always on at the root, by default.
    public init(serviceName: String, resourceAttributes: [Attribute] = [],
                scope: InstrumentationScope = InstrumentationScope(name: "spanview-tracing", version: "0.1.0"),
                sampler: any Sampler = ParentBasedSampler(root: AlwaysOnSampler()),
                processor: any SpanProcessor, idGenerator: any IDGenerator = RandomIDGenerator()) {
        var attributes = resourceAttributes.filter { $0.key != "service.name" }
        attributes.insert(Attribute("service.name", .string(serviceName)), at: 0)
        attributes.append(contentsOf: [
            Attribute("telemetry.sdk.name", .string("spanview-tracing")),
            Attribute("telemetry.sdk.language", .string("swift")),
        ])
        resource = Resource(attributes: attributes)
        self.scope = scope
        self.sampler = sampler
        self.processor = processor
        self.idGenerator = idGenerator
    }

    public func startSpan<Instant: TracerInstant>(
        _ operationName: String, context: @autoclosure () -> InstrumentationContext, ofKind kind: Tracing.SpanKind,
        at instant: @autoclosure () -> Instant, function: String, file fileID: String, line: UInt
    ) -> TracerSpan {
        var childContext = context()
        let parent = childContext.spanContext.flatMap { $0.isValid ? $0 : nil }
        let traceID: TraceID, spanID: SpanID
        if let parent {
            traceID = parent.traceID
            spanID = idGenerator.newSpanID()
        } else {
            (traceID, spanID) = idGenerator.newIDs()   // a root: both under one lock
        }
        let sampled = sampler.shouldSample(parent: parent, traceID: traceID, name: operationName)
        let spanContext = SpanContext(traceID: traceID, spanID: spanID, traceFlags: sampled ? 1 : 0,
                                      traceState: parent?.traceState ?? "")
        childContext.spanContext = spanContext
        // A span not sampled records nothing, its start time included: the clock is not read.
        return TracerSpan(name: operationName, context: childContext, spanContext: spanContext,
                          parentSpanID: parent?.spanID ?? .zero, parentIsRemote: parent?.isRemote ?? false,
                          kind: kind, startTime: sampled ? instant().nanosecondsSinceEpoch : 0, tracer: sampled ? self : nil)
    }

    /// Exports every span ended so far, and returns when that is done.
    public func forceFlush() { processor.forceFlush() }

    /// Flushes and stops the processor (and its exporter); spans ended later are ignored.
    public func shutdown() { processor.shutdown() }

    // MARK: - W3C trace context

    public func extract<Carrier, Extract>(_ carrier: Carrier, into context: inout InstrumentationContext, using extractor: Extract)
    where Extract: Extractor, Extract.Carrier == Carrier {
        guard let header = extractor.extract(key: "traceparent", from: carrier), var remote = TraceParent.parse(header) else { return }
        remote.traceState = extractor.extract(key: "tracestate", from: carrier) ?? ""
        context.spanContext = remote
    }

    public func inject<Carrier, Inject>(_ context: InstrumentationContext, into carrier: inout Carrier, using injector: Inject)
    where Inject: Injector, Inject.Carrier == Carrier {
        guard let spanContext = context.spanContext, spanContext.isValid else { return }
        injector.inject(TraceParent.format(spanContext), forKey: "traceparent", into: &carrier)
        if !spanContext.traceState.isEmpty { injector.inject(spanContext.traceState, forKey: "tracestate", into: &carrier) }
    }
}

/// The W3C `traceparent` header: `00-<trace ID>-<span ID>-<flags>`, lowercase hex.
public enum TraceParent {
    /// A remote span context, or nil for a header that is not valid (wrong lengths, version
    /// `ff`, upper-case hex, all-zero IDs). A later version may add fields after the flags.
    public static func parse(_ header: String) -> SpanContext? {
        let bytes = Array(header.utf8)
        guard bytes.count >= 55, bytes[2] == 0x2D, bytes[35] == 0x2D, bytes[52] == 0x2D,
              let version = hex(bytes[0..<2]), version != 0xFF,
              version != 0 || bytes.count == 55,
              version == 0 || bytes.count == 55 || bytes[55] == 0x2D,
              bytes[3..<35].allSatisfy(isLowerHex), bytes[36..<52].allSatisfy(isLowerHex),
              let traceID = TraceID(hexBytes: bytes[3..<35]), let spanID = SpanID(hexBytes: bytes[36..<52]),
              let flags = hex(bytes[53..<55]), !traceID.isZero, !spanID.isZero
        else { return nil }
        return SpanContext(traceID: traceID, spanID: spanID, traceFlags: UInt8(flags), isRemote: true)
    }

    public static func format(_ context: SpanContext) -> String {
        let flags = String(context.traceFlags, radix: 16)
        return "00-\(context.traceID.hex)-\(context.spanID.hex)-\(flags.count == 1 ? "0" + flags : flags)"
    }

    private static func isLowerHex(_ b: UInt8) -> Bool { (b >= 0x30 && b <= 0x39) || (b >= 0x61 && b <= 0x66) }

    private static func hex(_ pair: ArraySlice<UInt8>) -> Int? {
        guard pair.allSatisfy(isLowerHex) else { return nil }
        return pair.reduce(0) { $0 * 16 + Int($1 <= 0x39 ? $1 - 0x30 : $1 - 0x61 + 10) }
    }
}
