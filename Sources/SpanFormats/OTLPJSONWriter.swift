import SpanModel

/// Writes spans as one OTLP/JSON `{"resourceSpans":[…]}` line, as the Collector's file
/// exporter writes a batch: spans grouped by resource (in order of first appearance), then
/// by scope, each group's spans in their order; the protobuf JSON mapping with the
/// Collector's choices (lowerCamelCase keys in field-number order, lowercase hex IDs, 64-bit
/// integers as decimal strings, enums as integers, fields at their zero value left out,
/// `"status"` always written, `{}` when unset).
///
/// What OTLP cannot say (docs/formats.md, "Writing"): typed arrays become `arrayValue`s
/// (read back as heterogeneous arrays), an unknown attribute type becomes a `stringValue`
/// of its JSON text, a time of exactly 0 (the epoch) reads back as unknown, a span's own
/// `Remote` and `ChildSpanCount` are not written, a negative time is written as a negative
/// decimal string. `flags` holds the trace flags, 0x100 and, for a remote parent, 0x200
/// (as the Go SDK's OTLP exporter sets them). NaN and infinities are the strings "NaN",
/// "Infinity", "-Infinity".
public enum OTLPJSONWriter {
    /// Appends one `{"resourceSpans":[…]}` line holding `spans` (nothing for no spans).
    public static func write(_ spans: some Collection<Span>, into out: inout [UInt8]) {
        guard !spans.isEmpty else { return }
        let resources = OTLPGroups(spans).resources

        var w = JSONOutput(pretty: false)
        swap(&w.bytes, &out)
        defer { swap(&w.bytes, &out) }
        w.beginObject()
        w.key("\"resourceSpans\":")
        w.beginArray()
        for group in resources {
            w.element()
            w.beginObject()
            w.key("\"resource\":")
            w.beginObject()
            if !group.resource.attributes.isEmpty {
                w.key("\"attributes\":")
                keyValues(&w, group.resource.attributes)
            }
            w.endObject()
            w.key("\"scopeSpans\":")
            w.beginArray()
            for scopeGroup in group.scopes {
                let scope = scopeGroup.scope
                w.element()
                w.beginObject()
                w.key("\"scope\":")
                w.beginObject()
                if !scope.name.isEmpty {
                    w.key("\"name\":")
                    w.string(scope.name)
                }
                if !scope.version.isEmpty {
                    w.key("\"version\":")
                    w.string(scope.version)
                }
                if !scope.attributes.isEmpty {
                    w.key("\"attributes\":")
                    keyValues(&w, scope.attributes)
                }
                w.endObject()
                w.key("\"spans\":")
                w.beginArray()
                for span in scopeGroup.spans {
                    w.element()
                    write(span, into: &w)
                }
                w.endArray()
                if !scope.schemaURL.isEmpty {
                    w.key("\"schemaUrl\":")
                    w.string(scope.schemaURL)
                }
                w.endObject()
            }
            w.endArray()
            w.endObject()
        }
        w.endArray()
        w.endObject()
        w.byte(UInt8(ascii: "\n"))
    }

    private static func write(_ span: Span, into w: inout JSONOutput) {
        w.beginObject()
        if !span.traceID.isZero {
            w.key("\"traceId\":")
            w.traceID(span.traceID)
        }
        if !span.spanID.isZero {
            w.key("\"spanId\":")
            w.spanID(span.spanID)
        }
        if !span.traceState.isEmpty {
            w.key("\"traceState\":")
            w.string(span.traceState)
        }
        if !span.parentSpanID.isZero {
            w.key("\"parentSpanId\":")
            w.spanID(span.parentSpanID)
        }
        w.key("\"flags\":")
        w.unsigned(UInt64(span.traceFlags) | 0x100 | (span.parentIsRemote ? 0x200 : 0))
        if !span.name.isEmpty {
            w.key("\"name\":")
            w.string(span.name)
        }
        if span.kind != .unspecified {
            w.key("\"kind\":")
            w.unsigned(UInt64(span.kind.rawValue))
        }
        time(&w, span.startTime) { $0.key("\"startTimeUnixNano\":") }
        time(&w, span.endTime) { $0.key("\"endTimeUnixNano\":") }
        let attributes = span.attributes
        if !attributes.isEmpty {
            w.key("\"attributes\":")
            keyValues(&w, attributes)
        }
        dropped(&w, span.droppedAttributeCount) { $0.key("\"droppedAttributesCount\":") }
        let events = span.events
        if !events.isEmpty {
            w.key("\"events\":")
            w.beginArray()
            for event in events {
                w.element()
                w.beginObject()
                time(&w, event.time) { $0.key("\"timeUnixNano\":") }
                if !event.name.isEmpty {
                    w.key("\"name\":")
                    w.string(event.name)
                }
                if !event.attributes.isEmpty {
                    w.key("\"attributes\":")
                    keyValues(&w, event.attributes)
                }
                dropped(&w, event.droppedAttributeCount) { $0.key("\"droppedAttributesCount\":") }
                w.endObject()
            }
            w.endArray()
        }
        dropped(&w, span.droppedEventCount) { $0.key("\"droppedEventsCount\":") }
        let links = span.links
        if !links.isEmpty {
            w.key("\"links\":")
            w.beginArray()
            for link in links {
                w.element()
                w.beginObject()
                if !link.traceID.isZero {
                    w.key("\"traceId\":")
                    w.traceID(link.traceID)
                }
                if !link.spanID.isZero {
                    w.key("\"spanId\":")
                    w.spanID(link.spanID)
                }
                if !link.traceState.isEmpty {
                    w.key("\"traceState\":")
                    w.string(link.traceState)
                }
                if !link.attributes.isEmpty {
                    w.key("\"attributes\":")
                    keyValues(&w, link.attributes)
                }
                dropped(&w, link.droppedAttributeCount) { $0.key("\"droppedAttributesCount\":") }
                w.endObject()
            }
            w.endArray()
        }
        dropped(&w, span.droppedLinkCount) { $0.key("\"droppedLinksCount\":") }
        w.key("\"status\":")
        w.beginObject()
        if !span.status.description.isEmpty {
            w.key("\"message\":")
            w.string(span.status.description)
        }
        if span.status.code != .unset {
            w.key("\"code\":")
            w.unsigned(UInt64(span.status.code.rawValue))
        }
        w.endObject()
        w.endObject()
    }

    /// A time as a decimal string, left out when unknown.
    @inline(__always)
    private static func time(_ w: inout JSONOutput, _ ns: Int64, key: (inout JSONOutput) -> Void) {
        guard ns != Timestamp.unknown else { return }
        key(&w)
        w.byte(UInt8(ascii: "\""))
        w.int(ns)
        w.byte(UInt8(ascii: "\""))
    }

    @inline(__always)
    private static func dropped(_ w: inout JSONOutput, _ count: UInt32, key: (inout JSONOutput) -> Void) {
        guard count != 0 else { return }
        key(&w)
        w.unsigned(UInt64(count))
    }

    /// `[{"key": …, "value": AnyValue}, …]`.
    private static func keyValues(_ w: inout JSONOutput, _ list: [Attribute]) {
        w.beginArray()
        for attribute in list {
            w.element()
            w.beginObject()
            w.key("\"key\":")
            w.string(attribute.key)
            // No value is no `value` key (rotel answers 400 to `"value":{}`; readers take both).
            if case .empty = attribute.value {} else {
                w.key("\"value\":")
                anyValue(&w, attribute.value)
            }
            w.endObject()
        }
        w.endArray()
    }

    /// An AnyValue: exactly one of its keys, or `{}` for no value.
    private static func anyValue(_ w: inout JSONOutput, _ value: AttributeValue) {
        w.beginObject()
        switch value {
        case .string(let s):
            w.key("\"stringValue\":")
            w.string(s)
        case .bool(let b):
            w.key("\"boolValue\":")
            w.bool(b)
        case .int(let i):
            w.key("\"intValue\":")
            w.byte(UInt8(ascii: "\""))
            w.int(i)
            w.byte(UInt8(ascii: "\""))
        case .double(let d):
            w.key("\"doubleValue\":")
            w.double(d)
        case .bytes(let bytes):
            w.key("\"bytesValue\":")
            w.base64(bytes)
        case .stringArray(let list):
            array(&w, list.count) { w, i in anyValue(&w, .string(list[i])) }
        case .boolArray(let list):
            array(&w, list.count) { w, i in anyValue(&w, .bool(list[i])) }
        case .intArray(let list):
            array(&w, list.count) { w, i in anyValue(&w, .int(list[i])) }
        case .doubleArray(let list):
            array(&w, list.count) { w, i in anyValue(&w, .double(list[i])) }
        case .array(let list):
            array(&w, list.count) { w, i in anyValue(&w, list[i]) }
        case .map(let list):
            w.key("\"kvlistValue\":")
            w.beginObject()
            w.key("\"values\":")   // written when empty too (see `array`)
            keyValues(&w, list)
            w.endObject()
        case .empty:
            break
        case .unknown(_, let json):
            w.key("\"stringValue\":")
            w.string(json)
        }
        w.endObject()
    }

    /// `"arrayValue":{"values":[…]}`, with `"values":[]` written when empty: the protobuf JSON
    /// mapping allows `{}`, but rotel (a real collector) answers 400 to an `arrayValue` or
    /// `kvlistValue` without `values`, and every reader takes the explicit empty list.
    private static func array(_ w: inout JSONOutput, _ count: Int, element: (inout JSONOutput, Int) -> Void) {
        w.key("\"arrayValue\":")
        w.beginObject()
        w.key("\"values\":")
        w.beginArray()
        for i in 0..<count {
            w.element()
            element(&w, i)
        }
        w.endArray()
        w.endObject()
    }
}
