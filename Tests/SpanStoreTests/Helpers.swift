import SpanModel
import SpanStore

let testTrace = TraceID(high: 0x4bf9_2f35_77b3_4da6, low: 0xa3ce_929d_0e0e_4736)

func resource(_ service: String?) -> Resource {
    guard let service else { return .empty }
    return Resource(attributes: [Attribute("service.name", .string(service))])
}

/// A span of `testTrace` with small numeric IDs and times.
func span(_ id: UInt64, parent: UInt64 = 0, _ name: String? = nil, start: Int64 = 0, end: Int64 = 10,
          service: String? = nil, error: Bool = false, trace: TraceID = testTrace,
          attributes: [Attribute] = []) -> Span {
    Span(traceID: trace, spanID: SpanID(id), parentSpanID: SpanID(parent), name: name ?? "s\(id)",
         startTime: start, endTime: end, attributes: attributes,
         status: error ? SpanStatus(code: .error, description: "failed") : .unset,
         resource: resource(service))
}

func record(_ spans: [Span]) -> TraceRecord {
    var r = TraceRecord(traceID: spans.first?.traceID ?? testTrace, arrival: 0)
    for s in spans { r.insert(s) }
    return r
}

func tree(_ spans: [Span]) -> TraceTree { TraceTree(record(spans)) }

extension TraceTree {
    /// The tree as indented span names, depth first: independent of arrival order.
    var outline: [String] {
        var lines: [String] = []
        func visit(_ i: Int32, _ level: Int) {
            lines.append(String(repeating: "  ", count: level) + spans[Int(i)].name)
            for c in children(of: Int(i)) { visit(c, level + 1) }
        }
        for r in roots { visit(r, 0) }
        return lines
    }

    func index(named name: String) -> Int? { spans.firstIndex { $0.name == name } }

    func flags(named name: String) -> SpanFlags? { index(named: name).map { flags[$0] } }

    func parentName(of name: String) -> String? {
        guard let i = index(named: name), parent[i] >= 0 else { return nil }
        return spans[Int(parent[i])].name
    }
}

/// All orderings of `items`.
func permutations<T>(_ items: [T]) -> [[T]] {
    guard items.count > 1 else { return [items] }
    var result: [[T]] = []
    for (i, item) in items.enumerated() {
        var rest = items
        rest.remove(at: i)
        for p in permutations(rest) { result.append([item] + p) }
    }
    return result
}

/// SplitMix64: reproducible pseudo-random numbers.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
