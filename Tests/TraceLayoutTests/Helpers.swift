import SpanModel
import SpanStore

let layoutTrace = TraceID(high: 0xabc, low: 0xdef)

func span(_ id: UInt64, parent: UInt64 = 0, _ name: String, start: Int64, end: Int64) -> Span {
    Span(traceID: layoutTrace, spanID: SpanID(id), parentSpanID: SpanID(parent), name: name, startTime: start, endTime: end)
}

func tree(_ spans: [Span]) -> TraceTree {
    var r = TraceRecord(traceID: layoutTrace, arrival: 0)
    for s in spans { r.insert(s) }
    return TraceTree(r)
}

/// R(0..100): A(10..60) with A1(15..30), A2(35..55) and A2's child A2a(40..50); B(70..90) with B1(75..85).
/// Arrival order is scrambled so indices differ from display order.
let sample = tree([
    span(6, parent: 3, "B1", start: 75, end: 85),
    span(5, parent: 2, "A2", start: 35, end: 55),
    span(1, "R", start: 0, end: 100),
    span(3, parent: 1, "B", start: 70, end: 90),
    span(8, parent: 5, "A2a", start: 40, end: 50),
    span(2, parent: 1, "A", start: 10, end: 60),
    span(4, parent: 2, "A1", start: 15, end: 30),
])

extension TraceTree {
    func index(named name: String) -> Int { spans.firstIndex { $0.name == name }! }
    /// Span names for rows; a placeholder row reads "(parent …)".
    func names(_ rows: [Int32]) -> [String] { rows.map { $0 >= 0 ? spans[Int($0)].name : "(placeholder)" } }
}
