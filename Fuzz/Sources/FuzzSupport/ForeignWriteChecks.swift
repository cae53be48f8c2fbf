import SpanFormats
import SpanModel

/// `JaegerJSONWriter` and `ZipkinWriter` on one span: the text read back must give exactly
/// one span, no problem, and the span as the format holds it (`asJaeger`, `asZipkin`; the
/// same rules as Tests/SpanFormatsTests/JaegerZipkinWritersTests.swift).
extension FuzzChecks {
    static let jaegerReserved: Set<String> = [
        "span.kind", "otel.status_code", "otel.status_description", "error", "otel.scope.name", "otel.scope.version",
        "otel.library.name", "otel.library.version", "w3c.tracestate",
    ]
    static let zipkinReserved = jaegerReserved.subtracting(["span.kind"])

    static func foreignRoundTrips(_ span: Span) {
        var out: [UInt8] = []
        JaegerJSONWriter.write([span], into: &out)
        compareForeign(out, expected: asJaeger(span), reserved: jaegerReserved, what: "Jaeger JSON")
        out = []
        ZipkinWriter.write([span], into: &out)
        compareForeign(out, expected: asZipkin(span), reserved: zipkinReserved, what: "Zipkin v2")
    }

    private static func compareForeign(_ text: [UInt8], expected: Span, reserved: Set<String>, what: String) {
        let back = text.withUnsafeBufferPointer { read($0, format: nil, pieces: nil) }
        require(back.problems.isEmpty, "\(what) text read back with problems: \(back.problems) in \(String(decoding: text, as: UTF8.self))")
        require(back.spans.count == 1, "\(what) text read back as \(back.spans.count) spans: \(String(decoding: text, as: UTF8.self))")
        var got = back.decoded[0]
        _ = check(got)
        got.details = SpanDetails(attributes: got.attributes.filter { !reserved.contains($0.key) }, events: got.events, links: got.links)
        let a = foreignFingerprint(expected), b = foreignFingerprint(got)
        require(a == b, "\(what) round trip changed the span:\n\(a)\nvs\n\(b)\nwritten: \(String(decoding: text, as: UTF8.self))")
    }

    private static func foreignFingerprint(_ span: Span) -> String {
        check(span) + "/\(span.scope.version)/\(span.traceState)/\(span.traceFlags)/\(span.isRemote)/\(span.parentIsFollowsFrom)"
    }

    private static func micros(_ t: Int64) -> Int64 {
        guard t != Timestamp.unknown else { return t }
        let q = t / 1_000
        return (t % 1_000 < 0 ? q - 1 : q) * 1_000
    }

    private static func times(_ span: Span) -> (Int64, Int64) {
        guard span.startTime != Timestamp.unknown else { return (Timestamp.unknown, Timestamp.unknown) }
        return (micros(span.startTime), span.endTime == Timestamp.unknown ? micros(span.startTime) : micros(span.endTime))
    }

    private static func status(_ status: SpanStatus) -> SpanStatus { status.code == .unset ? .unset : status }

    /// The span as Jaeger JSON carries it, read back by `JaegerDecoder`.
    static func asJaeger(_ span: Span) -> Span {
        func value(_ v: AttributeValue) -> AttributeValue {
            switch v {
            case .string, .bool, .int, .double, .bytes: v
            default: .string(ZipkinWriter.tagText(v))
            }
        }
        func attributes(_ list: [Attribute]) -> [Attribute] { list.map { Attribute($0.key, value($0.value)) } }
        var refs: [(followsFrom: Bool, trace: TraceID, span: SpanID)] = []
        if !span.parentSpanID.isZero { refs.append((span.parentIsFollowsFrom, span.traceID, span.parentSpanID)) }
        refs += span.links.map { (true, $0.traceID, $0.spanID) }
        let sameTrace = refs.filter { $0.trace == span.traceID || $0.trace.isZero }
        let parent = sameTrace.first { !$0.followsFrom } ?? sameTrace.first
        let links = refs.filter { ref in !(parent.map { $0.span == ref.span && $0.trace == ref.trace } ?? false) }.map {
            SpanLink(traceID: $0.trace.isZero ? span.traceID : $0.trace, spanID: $0.span,
                     attributes: [Attribute("jaeger.ref_type", .string("FOLLOWS_FROM"))])
        }
        let service = span.resource.attributes.first { $0.key == "service.name" }.map { ZipkinWriter.tagText($0.value) } ?? ""
        let (start, end) = times(span)
        return Span(
            traceID: span.traceID, spanID: span.spanID, parentSpanID: parent?.span ?? .zero, name: span.name, kind: span.kind,
            startTime: start, endTime: end, attributes: attributes(span.attributes.filter { !jaegerReserved.contains($0.key) }),
            events: span.events.map {
                SpanEvent(name: $0.name, time: micros($0.time),
                          attributes: [Attribute("event", .string($0.name))] + attributes($0.attributes.filter { $0.key != "event" }))
            },
            links: links, status: status(span.status), traceState: span.traceState, traceFlags: span.traceFlags,
            parentIsFollowsFrom: parent?.followsFrom ?? false,
            resource: Resource(attributes: [Attribute("service.name", .string(service))]
                + attributes(span.resource.attributes.filter { $0.key != "service.name" })),
            scope: InstrumentationScope(name: span.scope.name, version: span.scope.version))
    }

    /// The span as Zipkin v2 carries it, read back by `ZipkinDecoder`.
    static func asZipkin(_ span: Span) -> Span {
        var peer: String?
        if case .string(let s)? = span.attributes.first(where: { $0.key == "peer.service" })?.value { peer = s }
        var seen: Set<String> = peer == nil ? [] : ["peer.service"]
        var attributes: [Attribute] = []
        for a in span.attributes where !zipkinReserved.contains(a.key) && seen.insert(a.key).inserted {
            attributes.append(Attribute(a.key, .string(ZipkinWriter.tagText(a.value))))
        }
        if let peer { attributes.append(Attribute("peer.service", .string(peer))) }
        let service = span.resource.attributes.first { $0.key == "service.name" }.map { ZipkinWriter.tagText($0.value) } ?? ""
        let (start, end) = times(span)
        return Span(
            traceID: span.traceID, spanID: span.spanID, parentSpanID: span.parentSpanID, name: span.name,
            kind: span.kind == .internal ? .unspecified : span.kind, startTime: start, endTime: end, attributes: attributes,
            events: span.events.map { SpanEvent(name: $0.name, time: micros($0.time)) },
            status: status(span.status), traceState: span.traceState, traceFlags: 1,
            isRemote: span.isRemote && span.kind == .server,
            resource: Resource(attributes: service.isEmpty ? [] : [Attribute("service.name", .string(service))]),
            scope: InstrumentationScope(name: span.scope.name, version: span.scope.version))
    }
}
