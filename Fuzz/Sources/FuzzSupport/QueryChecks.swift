import SpanModel
import SpanQuery
import SpanStore

extension FuzzChecks {
    /// A small trace to evaluate queries against: a root, children with attributes of every
    /// type, an error with an exception event.
    static let queryTree: TraceTree = {
        let id = TraceID(high: 0xABCD, low: 0x1234)
        let resource = Resource(attributes: [Attribute("service.name", .string("checkout")), Attribute("host.name", .string("web-1"))])
        var spans = [Span(traceID: id, spanID: SpanID(1), name: "GET /checkout", kind: .server, startTime: 1_000, endTime: 9_000,
                          attributes: [Attribute("http.status_code", .int(503)), Attribute("http.route", .string("/checkout"))],
                          resource: resource)]
        spans.append(Span(traceID: id, spanID: SpanID(2), parentSpanID: SpanID(1), name: "SELECT orders", kind: .client,
                          startTime: 2_000, endTime: 5_000,
                          attributes: [Attribute("db.system", .string("postgresql")), Attribute("rows", .int(12)),
                                       Attribute("cache.hit", .bool(false)), Attribute("ratio", .double(0.25)),
                                       Attribute("tags", .stringArray(["a", "b"]))],
                          resource: resource))
        spans.append(Span(traceID: id, spanID: SpanID(3), parentSpanID: SpanID(1), name: "charge card", startTime: 5_000, endTime: 8_500,
                          events: [SpanEvent(name: "exception", time: 8_000, attributes: [Attribute("exception.message", .string("card declined"))])],
                          status: SpanStatus(code: .error, description: "declined"), resource: resource))
        var record = TraceRecord(traceID: id, arrival: 0)
        for span in spans { _ = record.insert(span) }
        return TraceTree(record)
    }()

    /// Any text as a span search and as a trace filter: parsing never traps, an error's
    /// position lies inside the text, a query that parses reads back (its description) as
    /// the same query, and evaluating it on a small trace never traps and agrees with itself.
    public static func query(_ data: UnsafeBufferPointer<UInt8>) {
        let text = String(decoding: data.prefix(4096), as: UTF8.self)
        let tree = queryTree
        do {
            let search = try SpanSearch(parsing: text)
            let again = try? SpanSearch(parsing: search.description)
            require(again == search, "search '\(text)' reads back as '\(search.description)', a different query")
            let matches = search.matches(in: tree)
            let one = tree.spans.indices.filter { search.matches(tree.spans[$0]) }
            require(Set(matches.map(Int.init)) == Set(one), "search '\(text)': matches(in:) and matches(_:) disagree")
            let mask = SpanSearch.withAncestors(matches, in: tree)
            for m in matches { require(mask[Int(m)], "a match is not in its own mask") }
        } catch {
            require(error.position >= 0 && error.position <= text.utf8.count + 1,
                    "search error position \(error.position) outside '\(text)'")
        }
        do {
            let filter = try TraceFilter(parsing: text)
            let again = try? TraceFilter(parsing: filter.description)
            require(again == filter, "filter '\(text)' reads back as '\(filter.description)', a different expression")
            let summary = TraceSummary(tree)
            let a = filter.matches(summary: summary, tree: tree)
            let b = filter.matches(tree: tree)
            require(a == b, "filter '\(text)': with and without the summary disagree")
        } catch {
            require(error.position >= 0 && error.position <= text.utf8.count + 1,
                    "filter error position \(error.position) outside '\(text)'")
        }
        _ = try? TraceIDInput(parsing: text)
    }
}
