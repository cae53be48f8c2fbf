import SpanAnalysis
import SpanModel
import SpanStore
import SpanviewKit
import Testing

@Suite("stats report")
struct StatsReportTests {
    static let trace = TraceID(high: 0xabc, low: 0xdef)

    static func store() -> TraceStore {
        let resource = Resource(attributes: [Attribute("service.name", .string("svc\u{1b}[31m"))])
        return TraceStore([
            Span(traceID: trace, spanID: SpanID(1), name: "root \"q\"\n", startTime: 1_000, endTime: 2_000, resource: resource),
            Span(traceID: trace, spanID: SpanID(2), parentSpanID: SpanID(1), name: "child\u{202e}", startTime: 1_200, endTime: 1_700,
                 attributes: [Attribute("k", .string("v\\"))], resource: resource),
        ])
    }

    @Test("JSON escapes names, services and values; the path adds up to the root")
    func json() {
        let report = StatsReport(Self.store(), traces: [0], by: .operation, single: true)
        let json = report.json
        #expect(json.hasPrefix(#"{"groupBy":"operation","traceId":"0000000000000abc0000000000000def","traces":1,"spans":2,"errors":0,"totalNs":1000,"selfNs":1000,"rows":["#))
        #expect(json.contains(#""service":"svc\u001b[31m","name":"root \"q\"\n","count":1,"errors":0,"totalNs":1000,"selfNs":500,"minNs":1000,"maxNs":1000"#))
        #expect(json.contains(#""name":"child\u202e""#))
        #expect(json.hasSuffix(#""criticalPath":[{"spanId":"0000000000000001","service":"svc\u001b[31m","name":"root \"q\"\n","ns":200},{"spanId":"0000000000000002","service":"svc\u001b[31m","name":"child\u202e","ns":500},{"spanId":"0000000000000001","service":"svc\u001b[31m","name":"root \"q\"\n","ns":300}]}"#))
        let byKey = StatsReport(Self.store(), traces: [0], by: .attribute("k")).json
        #expect(byKey.contains(#"{"name":"v\\","count":1"#))
        #expect(byKey.contains(#"{"name":null,"count":1"#))
        #expect(!byKey.contains("criticalPath") && !byKey.contains("traceId"))
    }

    @Test("text escapes control and bidirectional characters")
    func text() {
        let text = StatsReport(Self.store(), traces: [0], by: .operation, single: true).text()
        #expect(!text.contains("\u{1b}") && !text.contains("\u{202e}"))
        #expect(text.contains("critical path: 1µs in 3 pieces"))
    }
}
