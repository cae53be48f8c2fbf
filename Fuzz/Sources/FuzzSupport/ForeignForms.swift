import SpanFormats
import SpanModel

/// What Jaeger JSON and Zipkin v2 hold of a span: the span as `JaegerJSONWriter` and
/// `ZipkinWriter` write it and their readers read it back (docs/formats.md says the same in
/// prose). One file for the fuzz-write harness and for Tests/SpanFormatsTests, which links to
/// it, so the harness and the tests check against one statement of the rules.
enum ForeignForms {
    /// Tags the writers fill from the span's own fields (and the readers map back).
    static let jaegerReserved: Set<String> = [
        "span.kind", "otel.status_code", "otel.status_description", "error", "otel.scope.name", "otel.scope.version",
        "otel.library.name", "otel.library.version", "w3c.tracestate",
    ]
    static let zipkinReserved = jaegerReserved.subtracting(["span.kind"])

    static func micros(_ t: Int64) -> Int64 {
        guard t != Timestamp.unknown else { return t }
        let q = t / 1_000
        return (t % 1_000 < 0 ? q - 1 : q) * 1_000
    }

    /// Start and end as read back: rounded down to microseconds; no start, no end; no end, the start.
    static func times(_ span: Span) -> (Int64, Int64) {
        guard span.startTime != Timestamp.unknown else { return (Timestamp.unknown, Timestamp.unknown) }
        return (micros(span.startTime), span.endTime == Timestamp.unknown ? micros(span.startTime) : micros(span.endTime))
    }

    static func status(_ status: SpanStatus) -> SpanStatus { status.code == .unset ? .unset : status }

    static func scope(_ scope: InstrumentationScope) -> InstrumentationScope {
        InstrumentationScope(name: scope.name, version: scope.version)
    }

    /// The span as Jaeger JSON carries it, read back by `JaegerDecoder`.
    static func asJaeger(_ span: Span) -> Span {
        func value(_ v: AttributeValue) -> AttributeValue {
            switch v {
            case .string, .bool, .int, .double, .bytes: v
            default: .string(ZipkinWriter.tagText(v))
            }
        }
        func attributes(_ list: [Attribute]) -> [Attribute] { list.map { Attribute($0.key, value($0.value)) } }
        // The references as written, and the reader's choice of parent among them.
        var refs: [(followsFrom: Bool, trace: TraceID, span: SpanID)] = []
        if !span.parentSpanID.isZero { refs.append((span.parentIsFollowsFrom, span.traceID, span.parentSpanID)) }
        refs += span.links.map { (true, $0.traceID, $0.spanID) }
        let sameTrace = refs.filter { $0.trace == span.traceID || $0.trace.isZero }
        let parent = sameTrace.first { !$0.followsFrom } ?? sameTrace.first
        let links = refs.filter { ref in !(parent.map { $0.span == ref.span && $0.trace == ref.trace } ?? false) }.map {
            SpanLink(traceID: $0.trace.isZero ? span.traceID : $0.trace, spanID: $0.span, traceState: "",
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
            scope: scope(span.scope))
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
            scope: scope(span.scope))
    }

}
