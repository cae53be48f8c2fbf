import SpanModel

/// Decodes OTLP trace data in protobuf: an `ExportTraceServiceRequest` (the body of an
/// OTLP/HTTP export with `Content-Type: application/x-protobuf`) or a `TracesData` (the same
/// bytes). Hand-written over the wire format, with the field numbers of opentelemetry-proto's
/// `trace/v1/trace.proto`, `common/v1/common.proto` and `resource/v1/resource.proto`; the
/// deprecated `instrumentation_library_spans` (field 1000) is read like `scope_spans`.
///
/// Forgiving where the format allows it: protobuf frames every message with its length, so a
/// span that cannot be read (a truncated field, an ID of the wrong size, a field of the wrong
/// wire type, nesting deeper than 128) is reported with its byte offset and skipped, and every
/// span around it is kept; so is a resource or scope whose own fields are bad, with its spans.
/// A request cut short (a body truncated in flight) keeps every span that is whole before the
/// cut, with one problem for the cut, at its offset; a resource or scope written after its
/// spans is then lost with the cut, and those spans come without it.
/// Unknown fields are skipped, as protobuf requires. Nothing taken from the input is trusted:
/// every length is checked against the bytes that are there, and depth is bounded.
public enum OTLPProtobufDecoder {
    /// Deepest nesting of attribute values (arrays and maps in arrays and maps).
    public static let maxDepth = PackedBytes.maxDepth

    /// The spans in `bytes`, with a problem for each part that could not be read.
    /// - Parameters:
    ///   - source: the input's name for the problems (a file, or the peer that sent it).
    ///   - baseOffset: where `bytes` start in the input, for the problems' offsets.
    public static func decode(_ bytes: [UInt8], source: String, baseOffset: Int64 = 0) -> ReadBatch {
        var batch = ReadBatch()
        bytes.withUnsafeBufferPointer { buffer in
            var decoder = Decoder(buffer: buffer, source: source, baseOffset: baseOffset)
            decoder.request(into: &batch)
        }
        if !batch.spans.isEmpty { batch.formats = [.otlpProtobuf] }
        batch.stats.spans = batch.spans.count
        batch.stats.skipped = batch.problems.count
        batch.stats.bytes = Int64(bytes.count)
        return batch
    }
}

/// A bad part of a protobuf message: what, and the offset of the byte where it was found.
struct ProtobufError: Error {
    var reason: String
    var offset: Int
    /// The bytes ran out (rather than being wrong): the input may have been cut short.
    var atEnd = false
}

/// Reads protobuf fields from `buffer[position..<end]`.
struct ProtobufReader {
    let buffer: UnsafeBufferPointer<UInt8>
    var position: Int
    let end: Int

    enum WireType: UInt8 {
        case varint = 0, fixed64 = 1, lengthDelimited = 2, startGroup = 3, endGroup = 4, fixed32 = 5
    }

    var isAtEnd: Bool { position >= end }

    /// The next field's number and wire type.
    mutating func field() throws(ProtobufError) -> (number: UInt64, wire: WireType) {
        let at = position
        let key = try varint()
        guard let wire = WireType(rawValue: UInt8(key & 7)), wire != .startGroup, wire != .endGroup else {
            throw ProtobufError(reason: "wire type \(key & 7) is not one OTLP uses", offset: at)
        }
        let number = key >> 3
        guard number != 0 else { throw ProtobufError(reason: "field number 0", offset: at) }
        return (number, wire)
    }

    mutating func varint() throws(ProtobufError) -> UInt64 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        let start = position
        while position < end {
            let b = buffer[position]
            position += 1
            if shift == 63 && b > 1 { throw ProtobufError(reason: "a varint longer than 64 bits", offset: start) }
            value |= UInt64(b & 0x7F) << shift
            if b < 0x80 { return value }
            shift += 7
            if shift > 63 { throw ProtobufError(reason: "a varint longer than 10 bytes", offset: start) }
        }
        throw ProtobufError(reason: "the message ends inside a varint", offset: start, atEnd: end == buffer.count)
    }

    mutating func fixed64() throws(ProtobufError) -> UInt64 {
        guard end - position >= 8 else {
            throw ProtobufError(reason: "the message ends inside a 64-bit value", offset: position, atEnd: end == buffer.count)
        }
        var value: UInt64 = 0
        for i in 0..<8 { value |= UInt64(buffer[position + i]) << (8 * UInt64(i)) }
        position += 8
        return value
    }

    mutating func fixed32() throws(ProtobufError) -> UInt32 {
        guard end - position >= 4 else {
            throw ProtobufError(reason: "the message ends inside a 32-bit value", offset: position, atEnd: end == buffer.count)
        }
        var value: UInt32 = 0
        for i in 0..<4 { value |= UInt32(buffer[position + i]) << (8 * UInt32(i)) }
        position += 4
        return value
    }

    /// A length-delimited field's bytes, as a reader of their own.
    mutating func nested() throws(ProtobufError) -> ProtobufReader {
        let at = position
        let length = try varint()
        guard length <= UInt64(end - position) else {
            throw ProtobufError(reason: "a field of \(length) bytes where \(end - position) are left", offset: at, atEnd: end == buffer.count)
        }
        let inner = ProtobufReader(buffer: buffer, position: position, end: position + Int(length))
        position += Int(length)
        return inner
    }

    /// A length-delimited field's bytes as `nested()` gives them, except when the bytes end
    /// before the field does (the input was cut short): then what there is of it, and how many
    /// of its bytes are missing. A field running past an enclosing field's end still fails.
    mutating func nestedOrCut() throws(ProtobufError) -> (reader: ProtobufReader, missing: Int) {
        let at = position
        let length = try varint()
        let left = end - position
        guard length > UInt64(left) else {
            let inner = ProtobufReader(buffer: buffer, position: position, end: position + Int(length))
            position += Int(length)
            return (inner, 0)
        }
        guard end == buffer.count else {
            throw ProtobufError(reason: "a field of \(length) bytes where \(left) are left", offset: at)
        }
        let inner = ProtobufReader(buffer: buffer, position: position, end: end)
        position = end
        return (inner, Int(clamping: length) - left)
    }

    /// What remains of this reader's bytes, as text (invalid UTF-8 replaced).
    var text: String {
        guard position < end else { return "" }
        return String(decoding: UnsafeBufferPointer(rebasing: buffer[position..<end]), as: UTF8.self)
    }

    var bytes: [UInt8] { position < end ? Array(buffer[position..<end]) : [] }

    mutating func string() throws(ProtobufError) -> String { try nested().text }

    mutating func skip(_ wire: WireType) throws(ProtobufError) {
        switch wire {
        case .varint: _ = try varint()
        case .fixed64: _ = try fixed64()
        case .fixed32: _ = try fixed32()
        case .lengthDelimited: _ = try nested()
        case .startGroup, .endGroup: throw ProtobufError(reason: "groups are not used by OTLP", offset: position)
        }
    }

    /// Fails unless `wire` is what field `name` must have.
    func expect(_ wire: WireType, _ wanted: WireType, _ name: StaticString) throws(ProtobufError) {
        guard wire == wanted else {
            throw ProtobufError(reason: "\(name) has wire type \(wire.rawValue), not \(wanted.rawValue)", offset: position)
        }
    }
}

/// One request's decoding: the resources, scopes and spans, with problems for what is bad.
private struct Decoder {
    let buffer: UnsafeBufferPointer<UInt8>
    let source: String
    let baseOffset: Int64

    init(buffer: UnsafeBufferPointer<UInt8>, source: String, baseOffset: Int64) {
        self.buffer = buffer
        self.source = source
        self.baseOffset = baseOffset
    }

    static let cutNote = " (the input ends there: cut short)"

    func problem(_ error: ProtobufError, _ what: String, into batch: inout ReadBatch) {
        batch.problems.append(ReadProblem(source: source, offset: baseOffset + Int64(error.offset), line: 1,
                                          reason: "\(what): \(error.reason)\(error.atEnd ? Self.cutNote : "")"))
    }

    mutating func request(into batch: inout ReadBatch) {
        var r = ProtobufReader(buffer: buffer, position: 0, end: buffer.count)
        do throws(ProtobufError) {
            while !r.isAtEnd {
                let (number, wire) = try r.field()
                if number == 1 {
                    try r.expect(wire, .lengthDelimited, "resource_spans")
                    var (inner, missing) = try r.nestedOrCut()
                    let problemsBefore = batch.problems.count
                    resourceSpans(&inner, into: &batch)
                    if missing > 0 { cut(missing: missing, problemsBefore: problemsBefore, into: &batch) }
                } else {
                    try r.skip(wire)
                }
            }
        } catch {
            problem(error, "the request cannot be read further", into: &batch)
        }
    }

    /// The request ends `missing` bytes into its last `resource_spans` frame: the spans whole
    /// before the cut are kept. The span the cut fell in has been reported where its frame
    /// failed (the cut's offset), as cut short. When the cut fell between spans, one problem at
    /// the end stands for what is lost (at least a span; more cannot be known).
    func cut(missing: Int, problemsBefore: Int, into batch: inout ReadBatch) {
        guard !batch.problems[problemsBefore...].contains(where: { $0.reason.hasSuffix(Self.cutNote) }) else { return }
        problem(ProtobufError(reason: "the request ends \(missing) bytes before its last resource_spans does; what follows is lost",
                              offset: buffer.count), "cut short", into: &batch)
    }

    /// A `ResourceSpans`: the resource first (wherever it is in the message), then its scopes.
    func resourceSpans(_ r: inout ProtobufReader, into batch: inout ReadBatch) {
        var resource = Resource.empty
        var scopes: [(reader: ProtobufReader, legacy: Bool)] = []
        do throws(ProtobufError) {
            while !r.isAtEnd {
                let (number, wire) = try r.field()
                switch number {
                case 1:
                    try r.expect(wire, .lengthDelimited, "resource")
                    var inner = try r.nested()
                    resource = Resource(attributes: try keyValues(&inner, field: 1, depth: 0))
                case 2, 1000:
                    try r.expect(wire, .lengthDelimited, "scope_spans")
                    scopes.append((try r.nestedOrCut().reader, number == 1000))
                default:
                    try r.skip(wire)
                }
            }
        } catch {
            problem(error, "resource spans", into: &batch)
        }
        for (reader, _) in scopes {
            var reader = reader
            scopeSpans(&reader, resource: resource, into: &batch)
        }
    }

    func scopeSpans(_ r: inout ProtobufReader, resource: Resource, into batch: inout ReadBatch) {
        var name = "", version = "", schemaURL = ""
        var attributes: [Attribute] = []
        var spans: [ProtobufReader] = []
        do throws(ProtobufError) {
            while !r.isAtEnd {
                let (number, wire) = try r.field()
                switch number {
                case 1:
                    try r.expect(wire, .lengthDelimited, "scope")
                    var inner = try r.nested()
                    while !inner.isAtEnd {
                        let (n, w) = try inner.field()
                        switch n {
                        case 1: try inner.expect(w, .lengthDelimited, "scope name"); name = try inner.string()
                        case 2: try inner.expect(w, .lengthDelimited, "scope version"); version = try inner.string()
                        case 3:
                            try inner.expect(w, .lengthDelimited, "scope attributes")
                            var kv = try inner.nested()
                            attributes.append(try keyValue(&kv, depth: 0))
                        default: try inner.skip(w)
                        }
                    }
                case 2:
                    try r.expect(wire, .lengthDelimited, "spans")
                    spans.append(try r.nested())
                case 3:
                    try r.expect(wire, .lengthDelimited, "schema_url")
                    schemaURL = try r.string()
                default:
                    try r.skip(wire)
                }
            }
        } catch {
            problem(error, "scope spans", into: &batch)
        }
        let scope = name.isEmpty && version.isEmpty && schemaURL.isEmpty && attributes.isEmpty
            ? InstrumentationScope.empty
            : InstrumentationScope(name: name, version: version, schemaURL: schemaURL, attributes: attributes)
        batch.spans.reserveCapacity(batch.spans.count + spans.count)
        for var reader in spans {
            do throws(ProtobufError) {
                batch.spans.append(try span(&reader, resource: resource, scope: scope))
            } catch {
                problem(error, "span skipped", into: &batch)
            }
        }
    }

    func span(_ r: inout ProtobufReader, resource: Resource, scope: InstrumentationScope) throws(ProtobufError) -> Span {
        var traceID = TraceID.zero, spanID = SpanID.zero, parentID = SpanID.zero
        var traceState = "", name = ""
        var kind = SpanKind.unspecified
        var start = Timestamp.unknown, end = Timestamp.unknown
        var attributes: [Attribute] = [], events: [SpanEvent] = [], links: [SpanLink] = []
        var droppedAttributes: UInt32 = 0, droppedEvents: UInt32 = 0, droppedLinks: UInt32 = 0
        var status = SpanStatus.unset
        var flags: UInt32 = 1
        var flagsSeen = false
        while !r.isAtEnd {
            let (number, wire) = try r.field()
            switch number {
            case 1: try r.expect(wire, .lengthDelimited, "trace_id"); traceID = try Self.traceID(&r)
            case 2: try r.expect(wire, .lengthDelimited, "span_id"); spanID = try Self.spanID(&r, "span_id")
            case 3: try r.expect(wire, .lengthDelimited, "trace_state"); traceState = try r.string()
            case 4: try r.expect(wire, .lengthDelimited, "parent_span_id"); parentID = try Self.spanID(&r, "parent_span_id")
            case 5: try r.expect(wire, .lengthDelimited, "name"); name = try r.string()
            case 6:
                try r.expect(wire, .varint, "kind")
                kind = SpanKind(rawValue: UInt8(clamping: try r.varint())) ?? .unspecified
            case 7: try r.expect(wire, .fixed64, "start_time_unix_nano"); start = Self.time(try r.fixed64())
            case 8: try r.expect(wire, .fixed64, "end_time_unix_nano"); end = Self.time(try r.fixed64())
            case 9:
                try r.expect(wire, .lengthDelimited, "attributes")
                var kv = try r.nested()
                attributes.append(try keyValue(&kv, depth: 0))
            case 10: try r.expect(wire, .varint, "dropped_attributes_count"); droppedAttributes = UInt32(clamping: try r.varint())
            case 11:
                try r.expect(wire, .lengthDelimited, "events")
                var inner = try r.nested()
                events.append(try event(&inner))
            case 12: try r.expect(wire, .varint, "dropped_events_count"); droppedEvents = UInt32(clamping: try r.varint())
            case 13:
                try r.expect(wire, .lengthDelimited, "links")
                var inner = try r.nested()
                links.append(try link(&inner))
            case 14: try r.expect(wire, .varint, "dropped_links_count"); droppedLinks = UInt32(clamping: try r.varint())
            case 15:
                try r.expect(wire, .lengthDelimited, "status")
                var inner = try r.nested()
                status = try Self.status(&inner)
            case 16:
                try r.expect(wire, .fixed32, "flags")
                flags = try r.fixed32()
                flagsSeen = true
            default:
                try r.skip(wire)
            }
        }
        return Span(traceID: traceID, spanID: spanID, parentSpanID: parentID, name: name, kind: kind,
                    startTime: start, endTime: end, attributes: attributes, events: events, links: links,
                    status: status, traceState: traceState, traceFlags: flagsSeen ? UInt8(truncatingIfNeeded: flags) : 1,
                    parentIsRemote: flags & 0x300 == 0x300,
                    droppedAttributeCount: droppedAttributes, droppedEventCount: droppedEvents, droppedLinkCount: droppedLinks,
                    resource: resource, scope: scope)
    }

    func event(_ r: inout ProtobufReader) throws(ProtobufError) -> SpanEvent {
        var event = SpanEvent(name: "", time: Timestamp.unknown)
        while !r.isAtEnd {
            let (number, wire) = try r.field()
            switch number {
            case 1: try r.expect(wire, .fixed64, "event time_unix_nano"); event.time = Self.time(try r.fixed64())
            case 2: try r.expect(wire, .lengthDelimited, "event name"); event.name = try r.string()
            case 3:
                try r.expect(wire, .lengthDelimited, "event attributes")
                var kv = try r.nested()
                event.attributes.append(try keyValue(&kv, depth: 0))
            case 4: try r.expect(wire, .varint, "event dropped_attributes_count"); event.droppedAttributeCount = UInt32(clamping: try r.varint())
            default: try r.skip(wire)
            }
        }
        return event
    }

    func link(_ r: inout ProtobufReader) throws(ProtobufError) -> SpanLink {
        var link = SpanLink(traceID: .zero, spanID: .zero)
        while !r.isAtEnd {
            let (number, wire) = try r.field()
            switch number {
            case 1: try r.expect(wire, .lengthDelimited, "link trace_id"); link.traceID = try Self.traceID(&r)
            case 2: try r.expect(wire, .lengthDelimited, "link span_id"); link.spanID = try Self.spanID(&r, "link span_id")
            case 3: try r.expect(wire, .lengthDelimited, "link trace_state"); link.traceState = try r.string()
            case 4:
                try r.expect(wire, .lengthDelimited, "link attributes")
                var kv = try r.nested()
                link.attributes.append(try keyValue(&kv, depth: 0))
            case 5: try r.expect(wire, .varint, "link dropped_attributes_count"); link.droppedAttributeCount = UInt32(clamping: try r.varint())
            default: try r.skip(wire)
            }
        }
        return link
    }

    static func status(_ r: inout ProtobufReader) throws(ProtobufError) -> SpanStatus {
        var status = SpanStatus.unset
        while !r.isAtEnd {
            let (number, wire) = try r.field()
            switch number {
            case 2: try r.expect(wire, .lengthDelimited, "status message"); status.description = try r.string()
            case 3:
                try r.expect(wire, .varint, "status code")
                status.code = SpanStatus.Code(rawValue: UInt8(clamping: try r.varint())) ?? .unset
            default: try r.skip(wire)   // 1: the deprecated code
            }
        }
        return status
    }

    /// Every `KeyValue` in `field` of the message `r` holds (a `Resource`'s attributes).
    func keyValues(_ r: inout ProtobufReader, field: UInt64, depth: Int) throws(ProtobufError) -> [Attribute] {
        var out: [Attribute] = []
        while !r.isAtEnd {
            let (number, wire) = try r.field()
            if number == field {
                try r.expect(wire, .lengthDelimited, "attributes")
                var kv = try r.nested()
                out.append(try keyValue(&kv, depth: depth))
            } else {
                try r.skip(wire)
            }
        }
        return out
    }

    func keyValue(_ r: inout ProtobufReader, depth: Int) throws(ProtobufError) -> Attribute {
        var key = ""
        var value = AttributeValue.empty
        while !r.isAtEnd {
            let (number, wire) = try r.field()
            switch number {
            case 1: try r.expect(wire, .lengthDelimited, "key"); key = try r.string()
            case 2:
                try r.expect(wire, .lengthDelimited, "value")
                var inner = try r.nested()
                value = try anyValue(&inner, depth: depth + 1)
            default: try r.skip(wire)
            }
        }
        return Attribute(key, value)
    }

    /// An `AnyValue`; the last of its `oneof` fields wins, as protobuf merges them.
    func anyValue(_ r: inout ProtobufReader, depth: Int) throws(ProtobufError) -> AttributeValue {
        guard depth <= OTLPProtobufDecoder.maxDepth else {
            throw ProtobufError(reason: "values nested deeper than \(OTLPProtobufDecoder.maxDepth)", offset: r.position)
        }
        var value = AttributeValue.empty
        while !r.isAtEnd {
            let (number, wire) = try r.field()
            switch number {
            case 1: try r.expect(wire, .lengthDelimited, "string_value"); value = .string(try r.string())
            case 2: try r.expect(wire, .varint, "bool_value"); value = .bool(try r.varint() != 0)
            case 3: try r.expect(wire, .varint, "int_value"); value = .int(Int64(bitPattern: try r.varint()))
            case 4: try r.expect(wire, .fixed64, "double_value"); value = .double(Double(bitPattern: try r.fixed64()))
            case 5:
                try r.expect(wire, .lengthDelimited, "array_value")
                var inner = try r.nested()
                var list: [AttributeValue] = []
                while !inner.isAtEnd {
                    let (n, w) = try inner.field()
                    if n == 1 {
                        try inner.expect(w, .lengthDelimited, "array values")
                        var element = try inner.nested()
                        list.append(try anyValue(&element, depth: depth + 1))
                    } else {
                        try inner.skip(w)
                    }
                }
                value = .array(list)
            case 6:
                try r.expect(wire, .lengthDelimited, "kvlist_value")
                var inner = try r.nested()
                value = .map(try keyValues(&inner, field: 1, depth: depth + 1))
            case 7: try r.expect(wire, .lengthDelimited, "bytes_value"); value = .bytes(try r.nested().bytes)
            default: try r.skip(wire)
            }
        }
        return value
    }

    static func traceID(_ r: inout ProtobufReader) throws(ProtobufError) -> TraceID {
        let at = r.position
        let inner = try r.nested()
        let count = inner.end - inner.position
        if count == 0 { return .zero }
        guard count == 16 else { throw ProtobufError(reason: "trace_id is \(count) bytes, not 16", offset: at) }
        var high: UInt64 = 0, low: UInt64 = 0
        for i in 0..<8 { high = high << 8 | UInt64(inner.buffer[inner.position + i]) }
        for i in 8..<16 { low = low << 8 | UInt64(inner.buffer[inner.position + i]) }
        return TraceID(high: high, low: low)
    }

    static func spanID(_ r: inout ProtobufReader, _ name: StaticString) throws(ProtobufError) -> SpanID {
        let at = r.position
        let inner = try r.nested()
        let count = inner.end - inner.position
        if count == 0 { return .zero }
        guard count == 8 else { throw ProtobufError(reason: "\(name) is \(count) bytes, not 8", offset: at) }
        var value: UInt64 = 0
        for i in 0..<8 { value = value << 8 | UInt64(inner.buffer[inner.position + i]) }
        return SpanID(value)
    }

    /// A time in nanoseconds; 0 is protobuf's "not set".
    static func time(_ raw: UInt64) -> Int64 { raw == 0 ? Timestamp.unknown : Int64(bitPattern: raw) }
}
