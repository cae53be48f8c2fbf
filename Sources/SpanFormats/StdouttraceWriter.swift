import SpanModel

/// Writes spans as the Go SDK's stdout exporter
/// (`go.opentelemetry.io/otel/exporters/stdout/stdouttrace`, v1.32 and later) does: one JSON
/// object per span, keys in the Go struct's order, followed by `"\n"`; compact by default,
/// tab-indented like `WithPrettyPrint()` with `pretty`.
///
/// What the model does not keep is written as Go would write it in the usual case
/// (docs/formats.md, "Writing"): the parent's trace ID is the span's own (all zeros for a
/// root), its trace flags and trace state are the span's own ("00" and "" for a root); a
/// link's trace flags are "01" and its `Remote` false; times are written in UTC.
public enum StdouttraceWriter {
    /// Appends `span` to `out`, as the Go exporter's `json.Encoder` writes it.
    public static func write(_ span: Span, pretty: Bool = false, into out: inout [UInt8]) {
        var w = JSONOutput(pretty: pretty)
        swap(&w.bytes, &out)
        defer { swap(&w.bytes, &out) }
        w.beginObject()
        w.key("\"Name\":")
        w.string(span.name)
        w.key("\"SpanContext\":")
        spanContext(&w, span.traceID, span.spanID, flags: span.traceFlags, state: span.traceState, remote: span.isRemote)
        w.key("\"Parent\":")
        if span.parentSpanID.isZero {
            spanContext(&w, .zero, .zero, flags: 0, state: "", remote: span.parentIsRemote)
        } else {
            spanContext(&w, span.traceID, span.parentSpanID, flags: span.traceFlags, state: span.traceState,
                        remote: span.parentIsRemote)
        }
        w.key("\"SpanKind\":")
        w.unsigned(UInt64(span.kind.rawValue))
        w.key("\"StartTime\":")
        GoTimeText.append(span.startTime, into: &w.bytes)
        w.key("\"EndTime\":")
        GoTimeText.append(span.endTime, into: &w.bytes)
        w.key("\"Attributes\":")
        attributes(&w, span.attributes)
        w.key("\"Events\":")
        let events = span.events
        if events.isEmpty {
            w.raw("null")
        } else {
            w.beginArray()
            for event in events {
                w.element()
                w.beginObject()
                w.key("\"Name\":")
                w.string(event.name)
                w.key("\"Attributes\":")
                attributes(&w, event.attributes)
                w.key("\"DroppedAttributeCount\":")
                w.unsigned(UInt64(event.droppedAttributeCount))
                w.key("\"Time\":")
                GoTimeText.append(event.time, into: &w.bytes)
                w.endObject()
            }
            w.endArray()
        }
        w.key("\"Links\":")
        let links = span.links
        if links.isEmpty {
            w.raw("null")
        } else {
            w.beginArray()
            for link in links {
                w.element()
                w.beginObject()
                w.key("\"SpanContext\":")
                spanContext(&w, link.traceID, link.spanID, flags: 1, state: link.traceState, remote: false)
                w.key("\"Attributes\":")
                attributes(&w, link.attributes)
                w.key("\"DroppedAttributeCount\":")
                w.unsigned(UInt64(link.droppedAttributeCount))
                w.endObject()
            }
            w.endArray()
        }
        w.key("\"Status\":")
        w.beginObject()
        w.key("\"Code\":")
        switch span.status.code {
        case .unset: w.raw("\"Unset\"")
        case .ok: w.raw("\"Ok\"")
        case .error: w.raw("\"Error\"")
        }
        w.key("\"Description\":")
        w.string(span.status.description)
        w.endObject()
        w.key("\"DroppedAttributes\":")
        w.unsigned(UInt64(span.droppedAttributeCount))
        w.key("\"DroppedEvents\":")
        w.unsigned(UInt64(span.droppedEventCount))
        w.key("\"DroppedLinks\":")
        w.unsigned(UInt64(span.droppedLinkCount))
        w.key("\"ChildSpanCount\":")
        w.unsigned(UInt64(span.childSpanCount))
        w.key("\"Resource\":")
        attributes(&w, span.resource.attributes)
        w.key("\"InstrumentationScope\":")
        scope(&w, span.scope)
        w.key("\"InstrumentationLibrary\":")
        scope(&w, span.scope)
        w.endObject()
        w.byte(UInt8(ascii: "\n"))
    }

    /// Appends each span of `spans` in turn.
    public static func write(_ spans: some Sequence<Span>, pretty: Bool = false, into out: inout [UInt8]) {
        for span in spans { write(span, pretty: pretty, into: &out) }
    }

    private static func spanContext(_ w: inout JSONOutput, _ trace: TraceID, _ span: SpanID, flags: UInt8, state: String, remote: Bool) {
        w.beginObject()
        w.key("\"TraceID\":")
        w.traceID(trace)
        w.key("\"SpanID\":")
        w.spanID(span)
        w.key("\"TraceFlags\":")
        w.byte(UInt8(ascii: "\""))
        w.hex(UInt64(flags), digits: 2)
        w.byte(UInt8(ascii: "\""))
        w.key("\"TraceState\":")
        w.string(state)
        w.key("\"Remote\":")
        w.bool(remote)
        w.endObject()
    }

    private static func scope(_ w: inout JSONOutput, _ scope: InstrumentationScope) {
        w.beginObject()
        w.key("\"Name\":")
        w.string(scope.name)
        w.key("\"Version\":")
        w.string(scope.version)
        w.key("\"SchemaURL\":")
        w.string(scope.schemaURL)
        w.key("\"Attributes\":")
        attributes(&w, scope.attributes)
        w.endObject()
    }

    /// `[{"Key": …, "Value": {"Type": …, "Value": …}}, …]`, or `null` when there are none.
    private static func attributes(_ w: inout JSONOutput, _ list: [Attribute]) {
        if list.isEmpty {
            w.raw("null")
            return
        }
        keyValues(&w, list)
    }

    private static func keyValues(_ w: inout JSONOutput, _ list: [Attribute]) {
        w.beginArray()
        for attribute in list {
            w.element()
            w.beginObject()
            w.key("\"Key\":")
            w.string(attribute.key)
            w.key("\"Value\":")
            typedValue(&w, attribute.value)
            w.endObject()
        }
        w.endArray()
    }

    /// What Go's stdouttrace cannot hold of `spans`: only a FOLLOWS_FROM parent (Jaeger's),
    /// written as a plain parent; everything else spanview reads has its place.
    public static func losses(in spans: some Collection<Span>) -> WriteLosses {
        var l = WriteLosses()
        l.add(spans.reduce(0) { $0 + ($1.parentIsFollowsFrom ? 1 : 0) }, "FOLLOWS_FROM parents read back as plain parents")
        return l
    }

    /// `{"Type": "INT64", "Value": 42}`. A NaN or infinite float, which Go cannot encode, is
    /// written as the string "NaN", "Infinity" or "-Infinity"; an unknown type as its name
    /// and the JSON text it came with (laid out again: compact, or indented with `pretty`).
    private static func typedValue(_ w: inout JSONOutput, _ value: AttributeValue) {
        w.beginObject()
        w.key("\"Type\":")
        switch value {
        case .string(let s):
            w.raw("\"STRING\"")
            w.key("\"Value\":")
            w.string(s)
        case .bool(let b):
            w.raw("\"BOOL\"")
            w.key("\"Value\":")
            w.bool(b)
        case .int(let i):
            w.raw("\"INT64\"")
            w.key("\"Value\":")
            w.int(i)
        case .double(let d):
            w.raw("\"FLOAT64\"")
            w.key("\"Value\":")
            w.double(d)
        case .stringArray(let list):
            w.raw("\"STRINGSLICE\"")
            w.key("\"Value\":")
            w.beginArray()
            for s in list { w.element(); w.string(s) }
            w.endArray()
        case .boolArray(let list):
            w.raw("\"BOOLSLICE\"")
            w.key("\"Value\":")
            w.beginArray()
            for b in list { w.element(); w.bool(b) }
            w.endArray()
        case .intArray(let list):
            w.raw("\"INT64SLICE\"")
            w.key("\"Value\":")
            w.beginArray()
            for i in list { w.element(); w.int(i) }
            w.endArray()
        case .doubleArray(let list):
            w.raw("\"FLOAT64SLICE\"")
            w.key("\"Value\":")
            w.beginArray()
            for d in list { w.element(); w.double(d) }
            w.endArray()
        case .bytes(let bytes):
            w.raw("\"BYTESLICE\"")
            w.key("\"Value\":")
            w.base64(bytes)
        case .array(let list):
            w.raw("\"SLICE\"")
            w.key("\"Value\":")
            w.beginArray()
            for v in list { w.element(); typedValue(&w, v) }
            w.endArray()
        case .map(let list):
            w.raw("\"MAP\"")
            w.key("\"Value\":")
            keyValues(&w, list)
        case .empty:
            w.raw("\"EMPTY\"")
            w.key("\"Value\":")
            w.raw("null")
        case .unknown(let type, let json):
            w.string(type)
            w.key("\"Value\":")
            w.rawJSON(json)
        }
        w.endObject()
    }
}
