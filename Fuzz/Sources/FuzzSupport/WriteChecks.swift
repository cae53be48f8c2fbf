import SpanFormats
import SpanModel

extension FuzzChecks {
    /// Any input read by the reader (every format); each span it gives is written by
    /// `StdouttraceWriter` (compact and pretty) and by `OTLPJSONWriter`, and each text read
    /// back must give exactly one span, no problem, and the same fingerprint (`check`). For
    /// OTLP the expected span is first put in the form OTLP can say (`asOTLP`).
    public static func writeAndReadBack(_ data: UnsafeBufferPointer<UInt8>) {
        let outcome = read(data, format: nil, pieces: nil)
        for (span, fingerprint) in zip(outcome.decoded, outcome.spans) {
            for pretty in [false, true] {
                var out: [UInt8] = []
                StdouttraceWriter.write(span, pretty: pretty, into: &out)
                compare(out, expected: fingerprint, what: pretty ? "Go stdouttrace (pretty)" : "Go stdouttrace")
            }
            var out: [UInt8] = []
            OTLPJSONWriter.write([span], into: &out)
            compare(out, expected: check(asOTLP(span)), what: "OTLP/JSON")
        }
    }

    private static func compare(_ text: [UInt8], expected: String, what: String) {
        let back = text.withUnsafeBufferPointer { read($0, format: nil, pieces: nil) }
        require(back.problems.isEmpty, "\(what) text read back with problems: \(back.problems) in \(String(decoding: text, as: UTF8.self))")
        require(back.spans.count == 1, "\(what) text read back as \(back.spans.count) spans: \(String(decoding: text, as: UTF8.self))")
        require(back.spans[0] == expected, "\(what) round trip changed the span:\n\(expected)\nvs\n\(back.spans[0])\nwritten: \(String(decoding: text, as: UTF8.self))")
    }

    /// The span as OTLP carries it: typed arrays as arrays, an unknown type as the string of
    /// its JSON, a time of exactly 0 as unknown (protobuf's default: not set).
    static func asOTLP(_ span: Span) -> Span {
        func time(_ t: Int64) -> Int64 { t == 0 ? Timestamp.unknown : t }
        func value(_ v: AttributeValue) -> AttributeValue {
            switch v {
            case .stringArray(let l): .array(l.map { .string($0) })
            case .boolArray(let l): .array(l.map { .bool($0) })
            case .intArray(let l): .array(l.map { .int($0) })
            case .doubleArray(let l): .array(l.map { .double($0) })
            case .array(let l): .array(l.map(value))
            case .map(let l): .map(attributes(l))
            case .unknown(_, let json): .string(json)
            default: v
            }
        }
        func attributes(_ l: [Attribute]) -> [Attribute] { l.map { Attribute($0.key, value($0.value)) } }
        return Span(
            traceID: span.traceID, spanID: span.spanID, parentSpanID: span.parentSpanID, name: span.name, kind: span.kind,
            startTime: time(span.startTime), endTime: time(span.endTime), attributes: attributes(span.attributes),
            events: span.events.map { SpanEvent(name: $0.name, time: time($0.time), attributes: attributes($0.attributes),
                                                droppedAttributeCount: $0.droppedAttributeCount) },
            links: span.links.map { SpanLink(traceID: $0.traceID, spanID: $0.spanID, traceState: $0.traceState,
                                             attributes: attributes($0.attributes), droppedAttributeCount: $0.droppedAttributeCount) },
            status: span.status, traceState: span.traceState, traceFlags: span.traceFlags, parentIsRemote: span.parentIsRemote,
            resource: Resource(attributes: attributes(span.resource.attributes)),
            scope: InstrumentationScope(name: span.scope.name, version: span.scope.version))
    }
}
