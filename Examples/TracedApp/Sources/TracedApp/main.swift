// A shop's checkout, traced with SpanviewTracing on the swift-distributed-tracing API, its
// spans written to standard output in the Go SDK's stdouttrace layout, so that
//
//     swift run --package-path Examples/TracedApp | spanview
//
// shows them live. Nested spans across async calls, an error, an event, a link, attributes
// of every type, and a trace its caller decided not to sample.
import SpanviewTracing
import Tracing

struct PaymentDeclined: Error, CustomStringConvertible {
    let reason: String
    var description: String { "payment declined: \(reason)" }
}

/// A carrier for trace headers, as an HTTP request's would be.
struct Headers: Injector, Extractor {
    func inject(_ value: String, forKey key: String, into carrier: inout [String: String]) { carrier[key] = value }
    func extract(key: String, from carrier: [String: String]) -> String? { carrier[key] }
}

let tracer = SpanviewTracer(
    serviceName: "shop",
    processor: BatchSpanProcessor(exporter: StreamSpanExporter(fd: 1), configuration: .init(scheduledDelay: 0.2)))
InstrumentationSystem.bootstrap(tracer)

func lookUp(_ sku: String) async throws -> Double {
    try await withSpan("SELECT price", ofKind: .client) { span in
        span.attributes["db.system"] = "postgresql"
        span.attributes["db.statement"] = "SELECT price FROM products WHERE sku = $1"
        try await Task.sleep(nanoseconds: 2_000_000)
        return sku == "tea" ? 4.5 : 12.0
    }
}

func charge(_ amount: Double, card: String) async throws {
    try await withSpan("POST /v1/charges", ofKind: .client) { span in
        span.attributes["http.request.method"] = "POST"
        span.attributes["payment.amount"] = amount
        span.attributes["payment.attempt"] = 1
        span.attributes["payment.retryable"] = false
        span.attributes["payment.tags"] = SpanAttribute.stringArray(["card", "eu"])
        span.attributes["payment.limits"] = SpanAttribute.int64Array([100, 1_000])
        span.attributes["payment.fees"] = SpanAttribute.doubleArray([0.25, 1.5])
        span.attributes["payment.flags"] = SpanAttribute.boolArray([true, false])
        try await Task.sleep(nanoseconds: 5_000_000)
        if card.hasPrefix("4000") { throw PaymentDeclined(reason: "insufficient funds") }
    }
}

// An order is queued first; its checkout links back to that trace.
var queued = InstrumentationContext.topLevel
withSpan("enqueue order", ofKind: .producer) { span in
    span.attributes["messaging.system"] = "kafka"
    queued = span.context
}

for (order, card) in [("A-1001", "4242 4242"), ("A-1002", "4000 0002")] {
    try? await withSpan("POST /checkout", ofKind: .server) { span in
        span.attributes["order.id"] = order
        span.addLink(SpanLink(context: queued, attributes: ["link.reason": "queued order"]))
        var total = 0.0
        for sku in ["tea", "mug"] { total += try await lookUp(sku) }
        span.addEvent(SpanEvent(name: "cart priced", attributes: ["order.total": .double(total)]))
        // A throw records the error on the span (an exception event, status Error) and ends it.
        try await charge(total, card: card)
        span.setStatus(SpanStatus(code: .ok))
    }
}

// A request whose caller did not sample its trace (traceparent flags 00): nothing is written.
var incoming = InstrumentationContext.topLevel
tracer.extract(["traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00"], into: &incoming, using: Headers())
withSpan("GET /health", context: incoming, ofKind: .server) { span in
    span.attributes["sampled"] = span.isRecording
}

tracer.shutdown()   // writes what is queued
