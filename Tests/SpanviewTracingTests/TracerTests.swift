import Foundation
import SpanModel
import Synchronization
import Testing
import Tracing
@testable import SpanviewTracing

/// A tracer that keeps what it exports, for the tests.
func makeTracer(sampler: any Sampler = ParentBasedSampler(root: AlwaysOnSampler()), seed: UInt64? = nil)
    -> (SpanviewTracer, InMemorySpanExporter) {
    let exporter = InMemorySpanExporter()
    let tracer = SpanviewTracer(serviceName: "test-service", resourceAttributes: [Attribute("service.version", .string("1.2.3"))],
                                sampler: sampler, processor: SimpleSpanProcessor(exporter: exporter),
                                idGenerator: seed.map { RandomIDGenerator(seed: $0) } ?? RandomIDGenerator())
    return (tracer, exporter)
}

struct DictionaryInjector: Injector, Extractor {
    func inject(_ value: String, forKey key: String, into carrier: inout [String: String]) { carrier[key] = value }
    func extract(key: String, from carrier: [String: String]) -> String? { carrier[key] }
}

struct Failure: Error, CustomStringConvertible {
    var description: String { "card declined" }
}

@Suite("The tracer")
struct TracerTests {
    @Test("IDs are random, non-zero and unique; the same seed gives the same IDs")
    func ids() {
        let generator = RandomIDGenerator()
        var traces = Set<TraceID>(), spans = Set<SpanID>()
        for _ in 0..<100_000 {
            let t = generator.newTraceID(), s = generator.newSpanID()
            #expect(!t.isZero && !s.isZero)
            traces.insert(t)
            spans.insert(s)
        }
        #expect(traces.count == 100_000 && spans.count == 100_000)
        let a = RandomIDGenerator(seed: 7), b = RandomIDGenerator(seed: 7)
        #expect((0..<10).map { _ in a.newTraceID() } == (0..<10).map { _ in b.newTraceID() })
        #expect(a.newTraceID().hex.count == 32 && a.newSpanID().hex.count == 16)
    }

    @Test("nested withSpan across async calls: one trace, each span's parent the enclosing one, the model span filled in")
    func nesting() async throws {
        let (tracer, exporter) = makeTracer()
        func charge() async throws {
            try await tracer.withSpan("charge", ofKind: .client) { span in
                span.attributes["amount"] = 42
                span.attributes["currency"] = "EUR"
                span.attributes["retries"] = SpanAttribute.int64Array([1, 2])
                span.addEvent("sent")
                try await Task.sleep(nanoseconds: 1_000_000)
            }
        }
        try await tracer.withSpan("checkout", ofKind: .server) { span in
            span.attributes["http.method"] = "POST"
            try await charge()
            await Task.detached {
                // A detached task starts without the context: a new root unless it is passed.
                tracer.withSpan("detached") { _ in }
            }.value
        }
        let spans = exporter.spans
        #expect(spans.map(\.name) == ["charge", "detached", "checkout"])
        let charge = spans[0], detached = spans[1], checkout = spans[2]
        #expect(charge.traceID == checkout.traceID)
        #expect(charge.parentSpanID == checkout.spanID)
        #expect(checkout.isRoot && detached.isRoot && detached.traceID != checkout.traceID)
        #expect(charge.kind == .client && checkout.kind == .server)
        #expect(charge.attributes == [Attribute("amount", .int(42)), Attribute("currency", .string("EUR")), Attribute("retries", .intArray([1, 2]))])
        #expect(charge.events.map(\.name) == ["sent"])
        #expect(charge.startTime >= checkout.startTime && charge.endTime <= checkout.endTime)
        #expect(charge.endTime - charge.startTime >= 1_000_000)
        #expect(checkout.resource.serviceName == "test-service")
        #expect(checkout.resource.attributes.contains(Attribute("service.version", .string("1.2.3"))))
        #expect(checkout.scope.name == "spanview-tracing")
    }

    @Test("a thrown error is an exception event and status Error; explicit status and links are kept")
    func errorsAndLinks() throws {
        let (tracer, exporter) = makeTracer()
        var first: InstrumentationContext?
        tracer.withSpan("first") { span in first = span.context }
        #expect(throws: Failure.self) {
            try tracer.withSpan("pay") { span in
                span.addLink(SpanLink(context: first!, attributes: ["why": "retry of"]))
                throw Failure()
            }
        }
        tracer.withSpan("ok") { span in
            span.setStatus(SpanStatus(code: .ok))
            span.setStatus(SpanStatus(code: .error, message: "too late"))   // Ok is final
        }
        let spans = exporter.spans
        let pay = try #require(spans.first { $0.name == "pay" })
        #expect(pay.status.code == .error && pay.status.description == "card declined")
        let exception = try #require(pay.events.first)
        #expect(exception.name == "exception")
        #expect(exception.attributes.contains(Attribute("exception.message", .string("card declined"))))
        #expect(exception.attributes.contains { $0.key == "exception.type" })
        #expect(pay.links.map(\.spanID) == [spans[0].spanID])
        #expect(pay.links.first?.attributes == [Attribute("why", .string("retry of"))])
        #expect(spans.first { $0.name == "ok" }?.status.code == .ok)
    }

    @Test("an ended span ignores what comes after; a span not sampled records nothing")
    func endedAndUnsampled() {
        let (tracer, exporter) = makeTracer()
        let span = tracer.startSpan("once")
        span.end()
        span.attributes["late"] = true
        span.end()
        #expect(!span.isRecording)
        #expect(exporter.spans.count == 1 && exporter.spans[0].attributes.isEmpty)

        let (off, offExporter) = makeTracer(sampler: AlwaysOffSampler())
        off.withSpan("dropped") { span in
            #expect(!span.isRecording)
            #expect(span.context.spanContext?.isSampled == false)
            off.withSpan("child of dropped") { _ in }
        }
        #expect(offExporter.spans.isEmpty)
    }

    @Test("traceparent: injected and extracted back; a remote parent continues its trace; bad headers are refused")
    func propagation() throws {
        let (tracer, exporter) = makeTracer()
        var headers: [String: String] = [:]
        tracer.withSpan("client") { span in
            var context = span.context
            context.spanContext?.traceState = "vendor=1"
            tracer.inject(context, into: &headers, using: DictionaryInjector())
        }
        let client = try #require(exporter.spans.first)
        #expect(headers["traceparent"] == "00-\(client.traceID.hex)-\(client.spanID.hex)-01")
        #expect(headers["tracestate"] == "vendor=1")
        var received = InstrumentationContext.topLevel
        tracer.extract(headers, into: &received, using: DictionaryInjector())
        #expect(received.spanContext?.isRemote == true)
        tracer.withSpan("server", context: received, ofKind: .server) { _ in }
        let server = exporter.spans[1]
        #expect(server.traceID == client.traceID && server.parentSpanID == client.spanID && server.parentIsRemote)
        #expect(server.traceState == "vendor=1")

        for bad in ["", "00-\(String(repeating: "0", count: 32))-00f067aa0ba902b7-01", "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
                    "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra",
                    "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7"] {
            #expect(TraceParent.parse(bad) == nil, "\(bad)")
        }
        #expect(TraceParent.parse("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00-later") != nil)
    }
}

@Suite("Samplers")
struct SamplerTests {
    @Test("trace-ID ratio: within 1% of the ratio over 100,000 traces, and the same decision for the same trace", arguments: [0.0, 0.1, 0.25, 0.5, 1.0])
    func ratio(_ ratio: Double) {
        let sampler = TraceIDRatioSampler(ratio: ratio)
        let ids = RandomIDGenerator(seed: 11)
        var kept = 0
        for _ in 0..<100_000 {
            let id = ids.newTraceID()
            let decision = sampler.shouldSample(parent: nil, traceID: id, name: "x")
            #expect(decision == sampler.shouldSample(parent: nil, traceID: id, name: "y"))
            if decision { kept += 1 }
        }
        #expect(abs(Double(kept) / 100_000 - ratio) < 0.01)
    }

    @Test("parent-based: the root decides, children follow, remote parents by their flags")
    func parentBased() {
        let sampler = ParentBasedSampler(root: AlwaysOffSampler())
        let id = TraceID(high: 1, low: 2)
        #expect(!sampler.shouldSample(parent: nil, traceID: id, name: "root"))
        #expect(sampler.shouldSample(parent: SpanContext(traceID: id, spanID: SpanID(3), traceFlags: 1), traceID: id, name: "c"))
        #expect(!sampler.shouldSample(parent: SpanContext(traceID: id, spanID: SpanID(3), traceFlags: 0), traceID: id, name: "c"))
        #expect(sampler.shouldSample(parent: SpanContext(traceID: id, spanID: SpanID(3), traceFlags: 1, isRemote: true), traceID: id, name: "c"))
        // Whole traces: with a 50% root ratio, every trace is kept or dropped entire.
        let (tracer, exporter) = makeTracer(sampler: ParentBasedSampler(root: TraceIDRatioSampler(ratio: 0.5)), seed: 3)
        for _ in 0..<200 {
            tracer.withSpan("root") { _ in tracer.withSpan("child") { _ in tracer.withSpan("grandchild") { _ in } } }
        }
        let byTrace = Dictionary(grouping: exporter.spans, by: \.traceID)
        #expect(byTrace.values.allSatisfy { $0.count == 3 })
        #expect(byTrace.count > 60 && byTrace.count < 140)
    }
}

/// An exporter that takes its time, to fill the batch processor's queue.
final class SlowExporter: SpanExporter, @unchecked Sendable {
    let delay: UInt32
    let batches = Mutex<[Int]>([])
    init(delayMicroseconds: UInt32) { delay = delayMicroseconds }
    func export(_ spans: [SpanModel.Span]) -> Bool {
        usleep(delay)
        batches.withLock { $0.append(spans.count) }
        return true
    }
}

@Suite("The batch processor")
struct BatchProcessorTests {
    @Test("batches of at most the export size; force flush exports everything queued")
    func batches() {
        let exporter = SlowExporter(delayMicroseconds: 0)
        let processor = BatchSpanProcessor(exporter: exporter, configuration: .init(maxQueueSize: 1000, scheduledDelay: 60, maxExportBatchSize: 100))
        let tracer = SpanviewTracer(serviceName: "b", processor: processor)
        for i in 0..<350 { tracer.withSpan("s\(i)") { _ in } }
        tracer.forceFlush()
        let sizes = exporter.batches.withLock { $0 }
        #expect(sizes.reduce(0, +) == 350)
        #expect(sizes.allSatisfy { $0 <= 100 })
        #expect(processor.droppedSpans == 0 && processor.exportedSpans == 350)
        tracer.shutdown()
    }

    @Test("a full queue drops spans and counts them; ending a span never waits for the exporter")
    func drops() {
        let exporter = SlowExporter(delayMicroseconds: 200_000)
        let processor = BatchSpanProcessor(exporter: exporter, configuration: .init(maxQueueSize: 50, scheduledDelay: 0.01, maxExportBatchSize: 10))
        let tracer = SpanviewTracer(serviceName: "d", processor: processor)
        let start = ContinuousClock.now
        for i in 0..<1_000 { tracer.withSpan("s\(i)") { _ in } }
        let took = ContinuousClock.now - start
        #expect(took < .milliseconds(150), "ending 1,000 spans took \(took): it waited for the exporter")
        tracer.shutdown()   // flushes what is queued
        let exported = exporter.batches.withLock { $0.reduce(0, +) }
        #expect(processor.droppedSpans > 0)
        #expect(exported + processor.droppedSpans == 1_000)
    }

    @Test("shutdown flushes after the scheduled delay has not come yet; later spans are ignored")
    func shutdownFlushes() {
        let exporter = InMemorySpanExporter()
        let processor = BatchSpanProcessor(exporter: exporter, configuration: .init(scheduledDelay: 3600))
        let tracer = SpanviewTracer(serviceName: "s", processor: processor)
        for i in 0..<10 { tracer.withSpan("s\(i)") { _ in } }
        #expect(exporter.spans.isEmpty)
        tracer.shutdown()
        #expect(exporter.spans.count == 10)
        tracer.withSpan("after") { _ in }
        tracer.forceFlush()
        #expect(exporter.spans.count == 10)
    }
}

@Suite("Configuration from the environment")
struct ConfigurationTests {
    @Test("the standard OTEL_* variables")
    func variables() {
        let c = TracingConfiguration.fromEnvironment([
            "OTEL_RESOURCE_ATTRIBUTES": "service.name=from-attrs,deployment.environment=prod,team=a%2Cb",
            "OTEL_SERVICE_NAME": "checkout",
            "OTEL_TRACES_SAMPLER": "parentbased_traceidratio", "OTEL_TRACES_SAMPLER_ARG": "0.25",
            "OTEL_BSP_SCHEDULE_DELAY": "200", "OTEL_BSP_MAX_QUEUE_SIZE": "100", "OTEL_BSP_MAX_EXPORT_BATCH_SIZE": "50",
            "OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318/", "OTEL_EXPORTER_OTLP_HEADERS": "api-key=secret, x-team = a",
            "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc", "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL": "http/json", "OTEL_EXPORTER_OTLP_TIMEOUT": "2500",
        ], serviceName: "default")
        #expect(c.otlpEncoding == .json)   // the traces-specific variable wins
        #expect(c.otlpTimeout == 2.5)
        #expect(c.serviceName == "checkout")
        #expect(c.resourceAttributes == [Attribute("deployment.environment", .string("prod")), Attribute("team", .string("a,b"))])
        #expect(c.sampler.description == "parentbased(traceidratio(0.25))")
        #expect(c.batch.scheduledDelay == 0.2 && c.batch.maxQueueSize == 100 && c.batch.maxExportBatchSize == 50)
        #expect(c.otlpEndpoint == "http://127.0.0.1:4318/v1/traces")
        #expect(c.otlpHeaders.map { "\($0.0)=\($0.1)" } == ["api-key=secret", "x-team=a"])
        #expect(c.warnings.isEmpty)
        #expect(!c.disabled)
    }

    @Test("bad values are reported as warnings and defaults kept; OTEL_SDK_DISABLED makes no tracer")
    func badValues() {
        let c = TracingConfiguration.fromEnvironment([
            "OTEL_TRACES_SAMPLER": "sometimes", "OTEL_BSP_MAX_QUEUE_SIZE": "-3", "OTEL_RESOURCE_ATTRIBUTES": "novalue",
            "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://collector:4318/custom", "OTEL_SDK_DISABLED": "TRUE",
            "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc", "OTEL_EXPORTER_OTLP_TIMEOUT": "soon",
        ], serviceName: "default")
        #expect(c.otlpEncoding == .protobuf && c.otlpTimeout == 10)
        #expect(c.serviceName == "default")
        #expect(c.sampler.description == "parentbased(always_on)")
        #expect(c.batch.maxQueueSize == 2048)
        #expect(c.otlpEndpoint == "http://collector:4318/custom")
        #expect(c.warnings.count == 5)
        #expect(c.disabled)
        #expect(c.makeTracer(processor: SimpleSpanProcessor(exporter: InMemorySpanExporter())) == nil)
    }
}
