import SpanFormats
import SpanModel
import SpanNetwork

/// A backend's or a URL's answer, any bytes: read as each media type (and gzip-wrapped), the
/// spans it gives listed as search hits, and the bytes as a query typed in the viewer.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    for mediaType in ["application/json", "application/x-protobuf", "text/html"] {
        let response = HTTPFetcher.Response(status: 200, headers: ["content-type": mediaType], body: bytes)
        var spans: [Span] = []
        var ends = 0
        var last = ReadStats()
        ResponseBody.decode(response, source: "fuzz") { batch in
            spans += batch.spans
            if batch.end != nil { ends += 1 }
            last = batch.stats
            return true
        }
        // Exactly one last batch, whose totals count every span delivered.
        guard ends == 1, last.spans == spans.count else { fatalError("\(mediaType): \(ends) ends, \(last.spans) counted, \(spans.count) delivered") }
        let hits = TraceSearch.hits(spans, limit: .max)
        guard hits.count == Set(spans.map(\.traceID)).count else { fatalError("\(hits.count) hits for \(Set(spans.map(\.traceID)).count) traces") }
        for hit in hits where (hit.spanCount ?? 0) < 1 { fatalError("a hit with no span") }
    }
    let text = String(decoding: bytes, as: UTF8.self)
    for kind in TraceBackend.Kind.allCases {
        if case .success(let query) = TraceSearch.query(typed: text, for: kind, window: .init()) {
            if kind == .jaeger && query.service == nil { fatalError("a Jaeger query without a service") }
            if kind == .tempo && query.traceQL == nil { fatalError("a Tempo query without TraceQL") }
        }
    }
    return 0
}
