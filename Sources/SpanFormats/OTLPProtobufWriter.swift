import SpanModel

/// Writes spans as one OTLP protobuf `ExportTraceServiceRequest` (the body of an OTLP/HTTP
/// `POST /v1/traces` with `Content-Type: application/x-protobuf`, and the `TracesData` a
/// file holds: the two messages are the same on the wire). Grouping and what OTLP cannot say
/// are as for `OTLPJSONWriter`: spans grouped by resource then scope in order of first
/// appearance; typed arrays become `ArrayValue`s; an unknown attribute type becomes a
/// `string_value` of its JSON text; unknown times and fields at their zero value are left
/// out (proto3), except inside an `AnyValue`, whose one field is always written.
///
/// Field numbers are those of opentelemetry-proto's `trace/v1/trace.proto`,
/// `common/v1/common.proto` and `resource/v1/resource.proto`.
public enum OTLPProtobufWriter {
    /// Appends one `ExportTraceServiceRequest` holding `spans` (nothing for no spans).
    public static func write(_ spans: some Collection<Span>, into out: inout [UInt8]) {
        guard !spans.isEmpty else { return }
        var w = ProtobufOutput()
        swap(&w.bytes, &out)
        defer { swap(&w.bytes, &out) }
        for group in OTLPGroups(spans).resources {
            w.message(1) { w in                                   // resource_spans
                w.message(1) { w in                               // resource
                    for attribute in group.resource.attributes { keyValue(&w, 1, attribute) }
                }
                for scopeGroup in group.scopes {
                    let scope = scopeGroup.scope
                    w.message(2) { w in                           // scope_spans
                        w.message(1) { w in                       // scope
                            w.string(1, scope.name)
                            w.string(2, scope.version)
                            for attribute in scope.attributes { keyValue(&w, 3, attribute) }
                        }
                        for span in scopeGroup.spans {
                            w.message(2) { w in write(span, into: &w) }
                        }
                        w.string(3, scope.schemaURL)
                    }
                }
            }
        }
    }

    private static func write(_ span: Span, into w: inout ProtobufOutput) {
        w.traceID(1, span.traceID)
        w.spanID(2, span.spanID)
        w.string(3, span.traceState)
        w.spanID(4, span.parentSpanID)
        w.string(5, span.name)
        w.varintField(6, UInt64(span.kind.rawValue))
        time(&w, 7, span.startTime)
        time(&w, 8, span.endTime)
        for attribute in span.attributes { keyValue(&w, 9, attribute) }
        w.varintField(10, UInt64(span.droppedAttributeCount))
        for event in span.events {
            w.message(11) { w in
                time(&w, 1, event.time)
                w.string(2, event.name)
                for attribute in event.attributes { keyValue(&w, 3, attribute) }
                w.varintField(4, UInt64(event.droppedAttributeCount))
            }
        }
        w.varintField(12, UInt64(span.droppedEventCount))
        for link in span.links {
            w.message(13) { w in
                w.traceID(1, link.traceID)
                w.spanID(2, link.spanID)
                w.string(3, link.traceState)
                for attribute in link.attributes { keyValue(&w, 4, attribute) }
                w.varintField(5, UInt64(link.droppedAttributeCount))
            }
        }
        w.varintField(14, UInt64(span.droppedLinkCount))
        if span.status.code != .unset || !span.status.description.isEmpty {
            w.message(15) { w in
                w.string(2, span.status.description)
                w.varintField(3, UInt64(span.status.code.rawValue))
            }
        }
        // The trace flags, 0x100 (whether the parent is remote is known) and 0x200 (it is),
        // as the Go SDK's OTLP exporter sets them.
        w.fixed32Field(16, UInt32(span.traceFlags) | 0x100 | (span.parentIsRemote ? 0x200 : 0))
    }

    /// A time in nanoseconds (`fixed64`), left out when unknown.
    @inline(__always)
    private static func time(_ w: inout ProtobufOutput, _ field: UInt32, _ ns: Int64) {
        guard ns != Timestamp.unknown, ns != 0 else { return }
        w.fixed64Field(field, UInt64(bitPattern: ns))
    }

    /// A `KeyValue` message in `field`.
    private static func keyValue(_ w: inout ProtobufOutput, _ field: UInt32, _ attribute: Attribute) {
        w.message(field) { w in
            w.string(1, attribute.key)
            w.message(2) { w in anyValue(&w, attribute.value) }
        }
    }

    /// The inside of an `AnyValue`: exactly one field of its `oneof`, written even at its zero
    /// value, or nothing for no value.
    private static func anyValue(_ w: inout ProtobufOutput, _ value: AttributeValue) {
        switch value {
        case .string(let s): w.string(1, s, always: true)
        case .bool(let b): w.varintField(2, b ? 1 : 0, always: true)
        case .int(let i): w.varintField(3, UInt64(bitPattern: i), always: true)
        case .double(let d): w.fixed64Field(4, d.bitPattern, always: true)
        case .bytes(let bytes): w.bytesField(7, bytes)
        case .stringArray(let list): array(&w, list.count) { w, i in w.string(1, list[i], always: true) }
        case .boolArray(let list): array(&w, list.count) { w, i in w.varintField(2, list[i] ? 1 : 0, always: true) }
        case .intArray(let list): array(&w, list.count) { w, i in w.varintField(3, UInt64(bitPattern: list[i]), always: true) }
        case .doubleArray(let list): array(&w, list.count) { w, i in w.fixed64Field(4, list[i].bitPattern, always: true) }
        case .array(let list): array(&w, list.count) { w, i in anyValue(&w, list[i]) }
        case .map(let list):
            w.message(6) { w in                                   // kvlist_value
                for attribute in list { keyValue(&w, 1, attribute) }
            }
        case .empty: break
        case .unknown(_, let json): w.string(1, json, always: true)
        }
    }

    /// `array_value` (field 5): an `ArrayValue` whose `values` (field 1) are `AnyValue`s.
    private static func array(_ w: inout ProtobufOutput, _ count: Int, element: (inout ProtobufOutput, Int) -> Void) {
        w.message(5) { w in
            for i in 0..<count {
                w.message(1) { w in element(&w, i) }
            }
        }
    }
}

/// Protobuf wire-format output: tags, varints, fixed-width numbers and length-delimited
/// fields, appended to `bytes`. A nested message is written in place and its length put
/// in front of it afterwards (one move of its bytes), so no size pass is needed.
struct ProtobufOutput {
    var bytes: [UInt8] = []

    private static let varint: UInt32 = 0, fixed64: UInt32 = 1, lengthDelimited: UInt32 = 2, fixed32: UInt32 = 5

    @inline(__always)
    mutating func varint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    @inline(__always)
    mutating func tag(_ field: UInt32, _ wireType: UInt32) { varint(UInt64(field << 3 | wireType)) }

    mutating func varintField(_ field: UInt32, _ value: UInt64, always: Bool = false) {
        guard value != 0 || always else { return }
        tag(field, Self.varint)
        varint(value)
    }

    mutating func fixed64Field(_ field: UInt32, _ value: UInt64, always: Bool = false) {
        guard value != 0 || always else { return }
        tag(field, Self.fixed64)
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func fixed32Field(_ field: UInt32, _ value: UInt32) {
        guard value != 0 else { return }
        tag(field, Self.fixed32)
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func string(_ field: UInt32, _ text: String, always: Bool = false) {
        guard !text.isEmpty || always else { return }
        tag(field, Self.lengthDelimited)
        var text = text
        text.withUTF8 { utf8 in
            varint(UInt64(utf8.count))
            bytes.append(contentsOf: utf8)
        }
    }

    mutating func bytesField(_ field: UInt32, _ value: [UInt8]) {
        tag(field, Self.lengthDelimited)
        varint(UInt64(value.count))
        bytes.append(contentsOf: value)
    }

    /// A 16-byte trace ID (`bytes`), big-endian as its hex reads; left out when zero.
    mutating func traceID(_ field: UInt32, _ id: TraceID) {
        guard !id.isZero else { return }
        tag(field, Self.lengthDelimited)
        bytes.append(16)
        withUnsafeBytes(of: id.high.bigEndian) { bytes.append(contentsOf: $0) }
        withUnsafeBytes(of: id.low.bigEndian) { bytes.append(contentsOf: $0) }
    }

    /// An 8-byte span ID (`bytes`), big-endian; left out when zero.
    mutating func spanID(_ field: UInt32, _ id: SpanID) {
        guard !id.isZero else { return }
        tag(field, Self.lengthDelimited)
        bytes.append(8)
        withUnsafeBytes(of: id.value.bigEndian) { bytes.append(contentsOf: $0) }
    }

    /// A nested message in `field`, written by `body` (an empty one is still written: it
    /// says the field is set).
    mutating func message(_ field: UInt32, _ body: (inout ProtobufOutput) -> Void) {
        tag(field, Self.lengthDelimited)
        let start = bytes.count
        body(&self)
        let length = bytes.count - start
        if length < 0x80 {
            bytes.insert(UInt8(length), at: start)
        } else {
            var prefix: [UInt8] = []
            var v = UInt64(length)
            while v >= 0x80 {
                prefix.append(UInt8(truncatingIfNeeded: v) | 0x80)
                v >>= 7
            }
            prefix.append(UInt8(v))
            bytes.insert(contentsOf: prefix, at: start)
        }
    }
}
