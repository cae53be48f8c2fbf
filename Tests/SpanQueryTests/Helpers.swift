import SpanModel
import SpanStore
@testable import SpanQuery

let trace1 = TraceID(high: 0x4bf9_2f35_77b3_4da6, low: 0xa3ce_929d_0e0e_4736)

let checkoutResource = Resource(attributes: [
    Attribute("service.name", .string("checkout")),
    Attribute("deployment.environment", .string("Production")),
    Attribute("host.cores", .int(8)),
])
let paymentResource = Resource(attributes: [Attribute("service.name", .string("payment-api"))])

/// A span of `trace` with small numeric IDs.
func span(_ id: UInt64, parent: UInt64 = 0, _ name: String, start: Int64 = 0, end: Int64 = 10,
          kind: SpanKind = .internal, resource: Resource = checkoutResource, status: SpanStatus = .unset,
          attributes: [Attribute] = [], events: [SpanEvent] = [], details: SpanDetails? = nil, trace: TraceID = trace1) -> Span {
    Span(traceID: trace, spanID: SpanID(id), parentSpanID: SpanID(parent), name: name, kind: kind,
         startTime: start, endTime: end, attributes: attributes, events: events, details: details,
         status: status, resource: resource)
}

/// Details whose string values are symbols (as decoders write repeated values), in `symbols`.
func symbolDetails(_ attributes: [Attribute], symbols: Symbols) -> SpanDetails {
    var bytes: [UInt8] = []
    for a in attributes {
        PackedBytes.key(&bytes, a.key, symbols: symbols)
        if case .string(let s) = a.value, let id = symbols.id(for: s) {
            PackedBytes.symbolString(&bytes, id)
        } else {
            PackedBytes.value(&bytes, a.value, symbols: symbols)
        }
    }
    return SpanDetails(attributes: bytes, attributeCount: attributes.count, events: [], eventCount: 0,
                       links: [], linkCount: 0, symbols: symbols)
}

func record(_ spans: [Span]) -> TraceRecord {
    var r = TraceRecord(traceID: spans.first?.traceID ?? trace1, arrival: 0)
    for s in spans { r.insert(s) }
    return r
}

func search(_ text: String) throws -> SpanSearch { try SpanSearch(parsing: text) }
func filter(_ text: String) throws -> TraceFilter { try TraceFilter(parsing: text) }

/// The error a parse throws, or nil.
func searchError(_ text: String) -> QueryParseError? {
    do { _ = try SpanSearch(parsing: text); return nil } catch { return error }
}

func filterError(_ text: String) -> QueryParseError? {
    do { _ = try TraceFilter(parsing: text); return nil } catch { return error }
}
