import SpanFormats
import SpanModel

extension FuzzChecks {
    /// Any input read by the reader (every format); each span it gives is written by
    /// `StdouttraceWriter` (compact and pretty), `OTLPJSONWriter`, `OTLPProtobufWriter`,
    /// `JaegerJSONWriter` and `ZipkinWriter`, and each text read back must give exactly one
    /// span, no problem, and the same fingerprint (`check`). For OTLP, Jaeger and Zipkin the
    /// expected span is first put in the form the format can say (`asOTLP`, `asJaeger`, `asZipkin`).
    public static func writeAndReadBack(_ data: UnsafeBufferPointer<UInt8>) {
        let outcome = read(data, format: nil, pieces: nil)
        for span in outcome.decoded {
            let fingerprint = check(compactingUnknown(span))
            for pretty in [false, true] {
                var out: [UInt8] = []
                StdouttraceWriter.write(span, pretty: pretty, into: &out)
                compare(out, expected: fingerprint, what: pretty ? "Go stdouttrace (pretty)" : "Go stdouttrace")
            }
            var out: [UInt8] = []
            OTLPJSONWriter.write([span], into: &out)
            compare(out, expected: check(asOTLP(span)), what: "OTLP/JSON")
            protobufRoundTrip(span)
            foreignRoundTrips(span)
        }
    }

    private static func compare(_ text: [UInt8], expected: String, what: String) {
        let back = text.withUnsafeBufferPointer { read($0, format: nil, pieces: nil) }
        require(back.problems.isEmpty, "\(what) text read back with problems: \(back.problems) in \(String(decoding: text, as: UTF8.self))")
        require(back.spans.count == 1, "\(what) text read back as \(back.spans.count) spans: \(String(decoding: text, as: UTF8.self))")
        let got = check(compactingUnknown(back.decoded[0]))
        require(got == expected, "\(what) round trip changed the span:\n\(expected)\nvs\n\(got)\nwritten: \(String(decoding: text, as: UTF8.self))")
    }

    /// The span with each unknown type's JSON compacted (the Go writer lays it out again:
    /// compact, or indented), for comparing.
    static func compactingUnknown(_ span: Span) -> Span {
        func value(_ v: AttributeValue) -> AttributeValue {
            switch v {
            case .array(let l): .array(l.map(value))
            case .map(let l): .map(attributes(l))
            case .unknown(let type, let json): .unknown(type: type, json: compactJSON(json))
            default: v
            }
        }
        func attributes(_ l: [Attribute]) -> [Attribute] { l.map { Attribute($0.key, value($0.value)) } }
        return rebuilt(span, attributes: attributes, time: { $0 })
    }

    /// `span` with every attribute list (the span's, its events', links', resource's and
    /// scope's) passed through `attributes`, and every time through `time`.
    static func rebuilt(_ span: Span, attributes: ([Attribute]) -> [Attribute], time: (Int64) -> Int64) -> Span {
        Span(
            traceID: span.traceID, spanID: span.spanID, parentSpanID: span.parentSpanID, name: span.name, kind: span.kind,
            startTime: time(span.startTime), endTime: time(span.endTime), attributes: attributes(span.attributes),
            events: span.events.map { SpanEvent(name: $0.name, time: time($0.time), attributes: attributes($0.attributes),
                                                droppedAttributeCount: $0.droppedAttributeCount) },
            links: span.links.map { SpanLink(traceID: $0.traceID, spanID: $0.spanID, traceState: $0.traceState,
                                             attributes: attributes($0.attributes), droppedAttributeCount: $0.droppedAttributeCount) },
            status: span.status, traceState: span.traceState, traceFlags: span.traceFlags, isRemote: span.isRemote,
            parentIsRemote: span.parentIsRemote, droppedAttributeCount: span.droppedAttributeCount,
            droppedEventCount: span.droppedEventCount, droppedLinkCount: span.droppedLinkCount, childSpanCount: span.childSpanCount,
            resource: Resource(attributes: attributes(span.resource.attributes)),
            scope: InstrumentationScope(name: span.scope.name, version: span.scope.version, schemaURL: span.scope.schemaURL,
                                        attributes: attributes(span.scope.attributes)))
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
        return rebuilt(span, attributes: attributes, time: time)
    }
}

/// JSON text without the whitespace between its tokens (an unknown type's value, which the
/// writers lay out again).
func compactJSON(_ text: String) -> String {
    var out: [UInt8] = []
    var inString = false, escaped = false
    for b in text.utf8 {
        if inString {
            out.append(b)
            if escaped { escaped = false } else if b == UInt8(ascii: "\\") { escaped = true } else if b == UInt8(ascii: "\"") { inString = false }
        } else if b == UInt8(ascii: "\"") {
            inString = true
            out.append(b)
        } else if b != 0x20 && b != 0x09 && b != 0x0A && b != 0x0D {
            out.append(b)
        }
    }
    return String(decoding: out, as: UTF8.self)
}
