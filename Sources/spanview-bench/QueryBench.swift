import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif
import SpanModel
import SpanQuery
import SpanStore

/// `spanview-bench query`: span search over one big trace, and trace filters over a big store
/// (docs/benchmarks.md, "Queries"). Spans are made in memory, packed as the decoders pack them:
/// keys and repeated values as symbols, request IDs and messages in place.
struct QueryBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "query",
        abstract: "Measure span search over one big trace and trace filters over a big store."
    )

    @Option(help: "Spans in the trace searched.")
    var traceSpans = 50_000

    @Option(help: "Spans in the store filtered (traces of 20 to 2000 spans).")
    var storeSpans = 1_000_000

    @Option(help: "Runs of each measurement; the median is shown.")
    var runs = 7

    @Option(help: "A search to time instead of the built-in list (repeatable).")
    var search: [String] = []

    @Option(help: "A filter to time instead of the built-in list (repeatable).")
    var filter: [String] = []

    func run() throws {
        var rng = SplitMix64(seed: 7)
        let symbols = Symbols()

        // Span search over one trace.
        var t0 = now()
        let big = QuerySpans.trace(TraceID(high: 1, low: 1), spans: traceSpans, rng: &rng, symbols: symbols)
        let tree = TraceTree(TraceRecordBuilder.record(big))
        print("one trace of \(tree.count) spans, made and built in \(ms(now() - t0)) ms")
        print("search (spans matched, median of \(runs) runs over the whole tree):")
        let searches = !search.isEmpty ? search : [
            "timeout", "GET /api/orders", "http.status_code=503", "db.system=postgresql", "service=payment status=error",
            "\"connection reset\"", "order-7", "cafe", "no-such-text-anywhere", "SELECT orders kind=client",
        ]
        for text in searches {
            let query = try SpanSearch(parsing: text)
            var count = 0
            let time = median(runs) { count = query.matches(in: tree).count }
            print("  \(pad(text, 32)) \(pad(String(count), 7)) \(ms(time)) ms   (\(format1(time * 1e9 / Double(tree.count))) ns/span)")
        }
        let single = try SpanSearch(parsing: "timeout")
        let singleTime = median(runs) { for span in tree.spans where single.matches(span) {} }
        print("  \(pad("timeout, one span at a time", 32)) \(pad("", 7)) \(ms(singleTime)) ms   (matches(_:), under its lock)")

        // Trace filters over a store.
        t0 = now()
        var store = TraceStore()
        var made = 0, traceNumber: UInt64 = 2
        while made < storeSpans {
            let n = min(storeSpans - made, Int(20 * pow100(rng.nextDouble())))
            store.insert(contentsOf: QuerySpans.trace(TraceID(high: traceNumber, low: traceNumber), spans: max(1, n), rng: &rng, symbols: symbols))
            made += max(1, n)
            traceNumber += 1
        }
        print("\nstore of \(store.spanCount) spans in \(store.traceCount) traces, made in \(seconds(now() - t0)) s")
        t0 = now()
        let summaries = store.traces.map { TraceSummary(TraceTree($0)) }
        print("summaries (trees) of every trace: \(ms(now() - t0)) ms (once, as summary and print build them)")
        print("filter (traces kept, median of \(runs) runs):          with summaries    records only")
        let filters = !filter.isEmpty ? filter : [
            "service=payment-api", "duration>500ms", "errors", "spans>100", "depth>=8",
            "duration>500ms and not errors or spans>1000", "root=GET*",
            "http.status_code>=500", "db.system=postgresql", "name~SELECT", "request.id~req-ffff",
            "http.route=\"/api/orders/{id}\" duration>1s", "no.such.key=1",
        ]
        for text in filters {
            let query = try TraceFilter(parsing: text)
            var kept = 0
            let withSummaries = median(runs) { kept = query.matching(summaries) { store.traces[store.traces.startIndex + $0] }.count }
            let recordsOnly = median(runs) { _ = query.traces(in: store) }
            print("  \(pad(text, 46)) \(pad(String(kept), 6)) \(pad(ms(withSummaries) + " ms", 14)) \(ms(recordsOnly)) ms")
        }
    }

    /// 100^x: traces of 20 to 2000 spans, log-uniform.
    func pow100(_ x: Double) -> Double { pow(100, x) }

    func median(_ runs: Int, _ body: () -> Void) -> Double {
        var times: [Double] = []
        for _ in 0..<max(1, runs) {
            let t = now()
            body()
            times.append(now() - t)
        }
        return times.sorted()[times.count / 2]
    }

    func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s : s + String(repeating: " ", count: n - s.count) }
}

enum TraceRecordBuilder {
    static func record(_ spans: [Span]) -> TraceRecord {
        var r = TraceRecord(traceID: spans[0].traceID, arrival: 0)
        for s in spans { r.insert(s) }
        return r
    }
}

/// Spans shaped like `SyntheticTraces`' (5 services, about 6 attributes and 1 event a span, 3%
/// errors with exception events), made in memory.
enum QuerySpans {
    static let services: [(resource: Resource, operations: [String])] = [
        ("api-gateway", ["GET /api/orders/{id}", "POST /api/checkout", "GET /api/catalog", "authenticate", "rate-limit"]),
        ("order-service", ["POST /orders", "SELECT orders", "INSERT order_items", "publish order.created", "compute-totals"]),
        ("inventory-service", ["GET /inventory/{sku}", "SELECT stock", "UPDATE stock", "redis GET", "reserve-items"]),
        ("payment-api", ["POST /api/payments", "SELECT accounts", "POST fraud-check", "charge-card", "redis SET"]),
        ("email-worker", ["consume order.created", "render-template", "SMTP send", "SELECT customers", "retry-backoff"]),
    ].enumerated().map { i, service in
        (Resource(attributes: [
            Attribute("deployment.environment", .string("production")),
            Attribute("host.name", .string("\(service.0)-7d9f8b6c5-x\(i)")),
            Attribute("service.name", .string(service.0)),
            Attribute("service.namespace", .string("shop")),
            Attribute("service.version", .string("1.\(i + 4).\(i * 3)")),
            Attribute("telemetry.sdk.language", .string("go")),
            Attribute("telemetry.sdk.version", .string("1.32.0")),
        ]), service.1)
    }

    static func trace(_ id: TraceID, spans n: Int, rng: inout SplitMix64, symbols: Symbols) -> [Span] {
        var out: [Span] = []
        out.reserveCapacity(n)
        let base: Int64 = 1_764_000_000_000_000_000 + Int64(id.low) * 10_000_000_000
        let total = Int64(50_000_000 + rng.next() % 2_000_000_000)
        var ids: [UInt64] = []
        for i in 0..<n {
            let spanID = rng.next() | 1
            ids.append(spanID)
            let parent = i == 0 ? 0 : ids[Int(rng.next() % UInt64(i))]
            let service = services[Int(rng.next() % 5)]
            let operation = service.operations[i == 0 ? 0 : Int(rng.next() % 5)]
            let start = base + Int64(rng.next() % UInt64(total / 2 + 1))
            let length = i == 0 ? total : Int64(rng.next() % UInt64(total / 4 + 1))
            let error = rng.next() % 100 < 3
            out.append(Span(
                traceID: id, spanID: SpanID(spanID), parentSpanID: SpanID(parent), name: operation,
                kind: operation.hasPrefix("SELECT") || operation.hasPrefix("redis") ? .client : (i == 0 ? .server : .internal),
                startTime: i == 0 ? base : start, endTime: (i == 0 ? base : start) + length,
                details: details(operation, error: error, rng: &rng, symbols: symbols),
                status: error ? SpanStatus(code: .error, description: "upstream timeout after 3 retries") : .unset,
                resource: service.resource))
        }
        return out
    }

    static func details(_ operation: String, error: Bool, rng: inout SplitMix64, symbols: Symbols) -> SpanDetails {
        var a: [UInt8] = [], count = 0
        func key(_ k: String) { PackedBytes.key(&a, k, symbols: symbols); count += 1 }
        func repeated(_ k: String, _ v: String) {
            key(k)
            if let id = symbols.id(for: v) { PackedBytes.symbolString(&a, id) } else { PackedBytes.string(&a, v) }
        }
        func int(_ k: String, _ v: Int64) { key(k); PackedBytes.tag(&a, .int); PackedBytes.int(&a, v) }
        if operation.hasPrefix("SELECT") || operation.hasPrefix("UPDATE") || operation.hasPrefix("INSERT") {
            repeated("db.system", "postgresql")
            repeated("db.statement", operation + " WHERE id = $1")
            int("db.rows_affected", Int64(rng.next() % 50))
        } else {
            repeated("http.method", operation.hasPrefix("GET") ? "GET" : "POST")
            repeated("http.route", operation.split(separator: " ").last.map(String.init) ?? operation)
            int("http.status_code", error ? 503 : 200)
        }
        key("request.id")
        PackedBytes.string(&a, "req-\(HexDigits.format(rng.next(), digits: 16))")
        key("order.id")
        PackedBytes.string(&a, "order-\(rng.next() % 100_000)")
        key("retry")
        PackedBytes.tag(&a, rng.next() % 10 == 0 ? .boolTrue : .boolFalse)

        var e: [UInt8] = []
        var events = 1
        let slot = PackedBytes.countSlot(&e)
        PackedBytes.key(&e, "message", symbols: symbols)
        PackedBytes.string(&e, "handled in \(rng.next() % 1000) µs")
        PackedBytes.finishEvent(&e, slot: slot, attributeCount: 1, time: 0, dropped: 0) { PackedBytes.string(&$0, "log") }
        if error {
            events += 1
            let slot = PackedBytes.countSlot(&e)
            PackedBytes.key(&e, "exception.type", symbols: symbols)
            PackedBytes.symbolString(&e, symbols.id(for: "context.deadlineExceededError") ?? 0)
            PackedBytes.key(&e, "exception.message", symbols: symbols)
            PackedBytes.string(&e, "context deadline exceeded (connection reset by peer)")
            PackedBytes.finishEvent(&e, slot: slot, attributeCount: 2, time: 0, dropped: 0) { PackedBytes.string(&$0, "exception") }
        }
        return SpanDetails(attributes: a, attributeCount: count, events: e, eventCount: events, links: [], linkCount: 0, symbols: symbols)
    }
}
