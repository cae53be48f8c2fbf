import SpanAnalysis
import SpanModel
import SpanStore

let testTrace = TraceID(high: 0x1111_2222_3333_4444, low: 0x5555_6666_7777_8888)

func resource(_ service: String?, _ extra: [Attribute] = []) -> Resource {
    guard let service else { return Resource(attributes: extra) }
    return Resource(attributes: [Attribute("service.name", .string(service))] + extra)
}

/// A span of `testTrace` with small numeric IDs and times.
func span(_ id: UInt64, parent: UInt64 = 0, _ name: String, _ start: Int64, _ end: Int64,
          service: String? = "svc", kind: SpanKind = .internal, followsFrom: Bool = false,
          error: Bool = false, attributes: [Attribute] = [], resource res: Resource? = nil) -> Span {
    Span(traceID: testTrace, spanID: SpanID(id), parentSpanID: SpanID(parent), name: name, kind: kind,
         startTime: start, endTime: end, attributes: attributes,
         status: error ? SpanStatus(code: .error, description: "failed") : .unset,
         parentIsFollowsFrom: followsFrom, resource: res ?? resource(service))
}

func tree(_ spans: [Span]) -> TraceTree {
    var r = TraceRecord(traceID: spans.first?.traceID ?? testTrace, arrival: 0)
    for s in spans { r.insert(s) }
    return TraceTree(r)
}

extension TraceTree {
    func index(named name: String) -> Int { spans.firstIndex { $0.name == name }! }
}

/// The path as "name start-end" strings, in path order.
func pathText(_ tree: TraceTree, _ segments: [CriticalPath.Segment]) -> [String] {
    segments.map { "\(tree.spans[$0.span].name) \($0.start)-\($0.end)" }
}

func path(_ spans: [Span]) -> [String] {
    let t = tree(spans)
    return pathText(t, CriticalPath.compute(t).segments)
}

/// Self time by span name.
func selfTimes(_ spans: [Span]) -> [String: Int64] {
    let t = tree(spans)
    let s = SelfTime.compute(t)
    var out: [String: Int64] = [:]
    for i in t.spans.indices { out[t.spans[i].name] = s[i] }
    return out
}
