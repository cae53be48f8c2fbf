import SpanModel

/// Writes spans as a Zipkin API v2 JSON list (`[{…},…]`, one line; what `POST /api/v2/spans`
/// takes), one object a span in their order, keys in Zipkin's own order: `traceId` (16 hex
/// digits when its high half is zero, else 32), `parentId`, `id`, `kind` (`CLIENT`, `SERVER`,
/// `PRODUCER`, `CONSUMER`; none for internal and unspecified), `name`, `timestamp` and
/// `duration` in microseconds (each end rounded down; both left out without a start, the
/// duration without an end), `localEndpoint` (`serviceName`: the resource's `service.name`),
/// `remoteEndpoint` (`serviceName`: the span's first `peer.service` when a string),
/// `annotations` (events: `timestamp` in microseconds, `value` the name), `tags`, and
/// `"shared":true` for a server span whose context is remote (`isRemote`). Read back by
/// `ZipkinDecoder`.
///
/// Tags are a map of strings: each attribute's key once (the first kept), its value as text
/// (`tagText`). After the attributes come the Collector's OTLP→Zipkin tags for what Zipkin has
/// no field for: `otel.status_code` (`OK` or `ERROR`), `otel.status_description`, `error` (the
/// status description, or `true` without one) for an error, `otel.scope.name`,
/// `otel.scope.version`, `w3c.tracestate`; attributes under those keys are left out.
///
/// What Zipkin cannot hold (docs/formats.md, "Writing Zipkin v2", and `losses(in:)`):
/// links, FOLLOWS_FROM, typed values, event attributes, resource attributes other than the
/// service name, nanoseconds, the internal kind, trace flags, scope attributes, remote flags
/// other than a server's, dropped counts, child span counts (not in `losses(in:)`: the tree gives
/// them again), a status description without a status.
public enum ZipkinWriter {
    /// Appends one Zipkin v2 JSON list (one line) holding `spans` (nothing for no spans).
    /// Whenever `out` holds `flushingOver` bytes or more after a whole span, it is handed to
    /// `flush`, which takes the bytes (writes them and empties it), so that a big list is never
    /// held whole.
    public static func write(_ spans: some Collection<Span>, into out: inout [UInt8],
                             flushingOver limit: Int = .max, flush: (inout [UInt8]) -> Void = { _ in }) {
        var list = ListWriter()
        list.append(spans, into: &out, flushingOver: limit, flush: flush)
        list.end(into: &out)
    }

    /// A Zipkin v2 list written a batch at a time as spans are read (`spanview convert`): `[`
    /// before the first span, commas between, `]` and a newline at `end`, so a list of any
    /// length is never held; the same bytes `write` gives for all the spans at once (nothing at
    /// all for none).
    public struct ListWriter: Sendable {
        private var started = false

        public init() {}

        /// Appends `spans` as the list's next elements, handing `out` to `flush` whenever it
        /// holds `flushingOver` bytes after a whole span (as `ZipkinWriter.write` does).
        public mutating func append(_ spans: some Collection<Span>, into out: inout [UInt8],
                                    flushingOver limit: Int = .max, flush: (inout [UInt8]) -> Void = { _ in }) {
            guard !spans.isEmpty else { return }
            var w = JSONOutput(pretty: false)
            swap(&w.bytes, &out)
            defer { swap(&w.bytes, &out) }
            var seen = Set<String>()
            for span in spans {
                w.byte(started ? UInt8(ascii: ",") : UInt8(ascii: "["))
                started = true
                ZipkinWriter.write(span, seen: &seen, into: &w)
                if w.bytes.count >= limit { flush(&w.bytes) }
            }
        }

        /// Closes the list, if a span was written.
        public func end(into out: inout [UInt8]) {
            if started { out += Array("]\n".utf8) }
        }
    }

    /// The text a Zipkin tag holds for `value` (Jaeger's string tag for an array or map is the
    /// same): a string as it is, an integer in decimal, `true` or `false`, a float as JSON
    /// writes it (`NaN`, `Infinity`, `-Infinity` bare), bytes as standard base64, an array or
    /// map as its JSON (`["a",1]`, `{"k":"v"}`; bytes inside as base64 strings, no value as
    /// `null`), no value as the empty string, an unknown type as its JSON text.
    public static func tagText(_ value: AttributeValue) -> String {
        ForeignWriting.text(value)
    }

    /// The tag keys the writer fills from the span's own fields; attributes under them are left out.
    static func isReserved(_ key: String) -> Bool {
        switch key {
        case ForeignWriting.statusCode, ForeignWriting.statusDescription, ForeignWriting.error,
             ForeignWriting.scopeName, ForeignWriting.scopeVersion, ForeignWriting.traceState,
             ForeignWriting.libraryName, ForeignWriting.libraryVersion:
            true
        default:
            false
        }
    }

    /// The span's first `peer.service`, when it is a string (the remote endpoint's service).
    static func peerService(_ attributes: [Attribute]) -> String? {
        guard let a = attributes.first(where: { $0.key == "peer.service" }), case .string(let s) = a.value else { return nil }
        return s
    }

    private static func write(_ span: Span, seen: inout Set<String>, into w: inout JSONOutput) {
        w.beginObject()
        w.key("\"traceId\":")
        ForeignWriting.traceID(&w, span.traceID)
        if !span.parentSpanID.isZero {
            w.key("\"parentId\":")
            w.spanID(span.parentSpanID)
        }
        w.key("\"id\":")
        w.spanID(span.spanID)
        switch span.kind {
        case .server: w.key("\"kind\":"); w.raw("\"SERVER\"")
        case .client: w.key("\"kind\":"); w.raw("\"CLIENT\"")
        case .producer: w.key("\"kind\":"); w.raw("\"PRODUCER\"")
        case .consumer: w.key("\"kind\":"); w.raw("\"CONSUMER\"")
        case .internal, .unspecified: break
        }
        if !span.name.isEmpty {
            w.key("\"name\":")
            w.string(span.name)
        }
        let (start, duration) = ForeignWriting.microTimes(span)
        if let start {
            w.key("\"timestamp\":")
            w.int(start)
            w.key("\"duration\":")
            w.int(duration ?? 0)
        }
        if let service = span.resource.attributes.first(where: { $0.key == "service.name" }).map({ ForeignWriting.text($0.value) }),
           !service.isEmpty {
            w.key("\"localEndpoint\":")
            w.beginObject()
            w.key("\"serviceName\":")
            w.string(service)
            w.endObject()
        }
        let attributes = span.attributes
        let peer = peerService(attributes)
        if let peer {
            w.key("\"remoteEndpoint\":")
            w.beginObject()
            w.key("\"serviceName\":")
            w.string(peer)
            w.endObject()
        }
        let events = span.events
        if !events.isEmpty {
            w.key("\"annotations\":")
            w.beginArray()
            for event in events {
                w.element()
                w.beginObject()
                if event.time != Timestamp.unknown {
                    w.key("\"timestamp\":")
                    w.int(ForeignWriting.micros(event.time))
                }
                w.key("\"value\":")
                w.string(event.name)
                w.endObject()
            }
            w.endArray()
        }
        w.key("\"tags\":")
        w.beginObject()
        seen.removeAll(keepingCapacity: true)
        if peer != nil { seen.insert("peer.service") }
        for a in attributes where !isReserved(a.key) {
            if attributes.count > 1 {
                guard seen.insert(a.key).inserted else { continue }
            } else if peer != nil {
                continue
            }
            w.dynamicKey(a.key)
            if case .string(let s) = a.value { w.string(s) } else { w.string(ForeignWriting.text(a.value)) }
        }
        switch span.status.code {
        case .unset: break
        case .ok:
            w.key("\"otel.status_code\":")
            w.raw("\"OK\"")
        case .error:
            w.key("\"otel.status_code\":")
            w.raw("\"ERROR\"")
        }
        if span.status.code != .unset && !span.status.description.isEmpty {
            w.key("\"otel.status_description\":")
            w.string(span.status.description)
        }
        if span.status.code == .error {
            w.key("\"error\":")
            if span.status.description.isEmpty { w.raw("\"true\"") } else { w.string(span.status.description) }
        }
        if !span.scope.name.isEmpty {
            w.key("\"otel.scope.name\":")
            w.string(span.scope.name)
        }
        if !span.scope.version.isEmpty {
            w.key("\"otel.scope.version\":")
            w.string(span.scope.version)
        }
        if !span.traceState.isEmpty {
            w.key("\"w3c.tracestate\":")
            w.string(span.traceState)
        }
        w.endObject()
        if span.isRemote && span.kind == .server {
            w.key("\"shared\":")
            w.raw("true")
        }
        w.endObject()
    }

    /// What writing `spans` as Zipkin v2 loses or changes, one sentence each with its count,
    /// only for what occurs (e.g. "12 links left out (Zipkin has none)"); empty when Zipkin
    /// holds all of it. One pass.
    public static func losses(in spans: some Collection<Span>) -> WriteLosses {
        var links = 0, followsFrom = 0, eventAttributes = 0, asText = 0, repeated = 0, resourceAttributes = 0
        var internalKind = 0, flags = 0, nanos = 0, noEnd = 0, noStart = 0, reserved = 0, scopeExtras = 0, unsetDescription = 0
        var remote = 0, dropped = 0
        func ns(_ t: Int64) { if t != Timestamp.unknown && t % 1_000 != 0 { nanos += 1 } }
        var seen = Set<String>()
        for span in spans {
            ns(span.startTime)
            ns(span.endTime)
            if span.startTime != Timestamp.unknown && span.endTime == Timestamp.unknown { noEnd += 1 }
            if span.startTime == Timestamp.unknown && span.endTime != Timestamp.unknown { noStart += 1 }
            links += span.details.linkCount
            if span.parentIsFollowsFrom && !span.parentSpanID.isZero { followsFrom += 1 }
            for event in span.events {
                ns(event.time)
                eventAttributes += event.attributes.count
                if event.droppedAttributeCount != 0 { dropped += 1 }
            }
            let attributes = span.attributes
            seen.removeAll(keepingCapacity: true)
            for a in attributes {
                if isReserved(a.key) {
                    reserved += 1
                } else if !seen.insert(a.key).inserted {
                    repeated += 1
                } else if !ForeignWriting.isString(a.value) {
                    asText += 1
                }
            }
            for a in span.resource.attributes where a.key != "service.name" { resourceAttributes += 1 }
            if span.kind == .internal { internalKind += 1 }
            if span.traceFlags != 1 { flags += 1 }
            if !span.scope.attributes.isEmpty || !span.scope.schemaURL.isEmpty { scopeExtras += 1 }
            if span.status.code == .unset && !span.status.description.isEmpty { unsetDescription += 1 }
            if (span.isRemote && span.kind != .server) || span.parentIsRemote { remote += 1 }
            if span.droppedAttributeCount != 0 || span.droppedEventCount != 0 || span.droppedLinkCount != 0 { dropped += 1 }
        }
        var l = WriteLosses()
        l.add(links, "links left out (Zipkin has none)")
        l.add(followsFrom, "FOLLOWS_FROM parents read back as plain parents")
        l.add(nanos, "times with nanoseconds, rounded down to microseconds")
        l.add(noEnd, "spans without an end time read back ending at their start")
        l.add(noStart, "spans without a start time read back without an end time")
        l.add(asText, "non-string attribute values written as text (Zipkin tags are strings)")
        l.add(repeated, "repeated attribute keys left out (Zipkin tags are a map; the first is kept)")
        l.add(reserved, "attributes under error, otel.status_code, otel.status_description, otel.scope.name, otel.scope.version, otel.library.name, otel.library.version or w3c.tracestate left out (the span's own fields are written there)")
        l.add(eventAttributes, "event attributes left out (annotations hold only a name)")
        l.add(resourceAttributes, "resource attributes other than service.name left out, counted per span (the local endpoint holds only the service name)")
        l.add(internalKind, "internal spans read back with no kind")
        l.add(flags, "spans' trace flags other than sampled left out")
        l.add(scopeExtras, "spans' scope attributes or schema URL left out (only otel.scope.name and otel.scope.version are written)")
        l.add(unsetDescription, "status descriptions without a status code left out")
        l.add(remote, "spans' remote-context flags left out (only a server's is written, as shared)")
        l.add(dropped, "dropped-item counts left out")
        return l
    }
}
