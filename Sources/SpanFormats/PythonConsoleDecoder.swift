import SpanModel

/// Decodes the Python SDK's `ConsoleSpanExporter` objects (`ReadableSpan.to_json`):
/// snake_case keys, `0x`-prefixed hex IDs, `SpanKind.SERVER`, ISO times with microseconds,
/// attributes as a plain JSON object.
public final class PythonConsoleDecoder: SpanValueDecoder {
    public static let format = SpanFormat.python
    let strings: StringTable
    @exclusivity(unchecked)
    private var resources: [[UInt8]: Resource] = [:]

    public init(strings: StringTable = StringTable()) { self.strings = strings }

    public func decodeTopLevel(_ s: inout JSONScanner, into spans: inout [Span]) throws(ScanError) -> Bool {
        spans.append(try span(&s))
        return true
    }

    private func span(_ s: inout JSONScanner) throws(ScanError) -> Span {
        var context = (TraceID.zero, SpanID.zero, "")
        var parent = SpanID.zero
        var name = "", kind = SpanKind.internal
        var start = Timestamp.unknown, end = Timestamp.unknown
        var status = SpanStatus.unset
        var attributes: [UInt8] = [], events: [UInt8] = [], links: [UInt8] = []
        var counts = (0, 0, 0)
        var resource = Resource.empty
        guard try s.beginObject() else { throw s.fail("an empty span") }
        repeat {
            let key = try s.readKey()
            if key.equals("name") { name = try string(&s) } else if key.equals("context") { context = try readContext(&s) } else if key.equals("parent_id") {
                parent = try s.consumeNull() ? .zero : try hexSpanID(&s)
            } else if key.equals("kind") {
                let text = try string(&s)
                kind = SpanKind.allCases.first { "SpanKind." + $0.name.uppercased() == text } ?? .internal
            } else if key.equals("start_time") { start = try time(&s) } else if key.equals("end_time") { end = try time(&s) } else if key.equals("status") {
                status = try readStatus(&s)
            } else if key.equals("attributes") { counts.0 += try writeObject(&s, into: &attributes) } else if key.equals("events") {
                counts.1 += try s.forEachElement { (s) throws(ScanError) in try self.writeEvent(&s, into: &events) }
            } else if key.equals("links") {
                counts.2 += try s.forEachElement { (s) throws(ScanError) in try self.writeLink(&s, into: &links) }
            } else if key.equals("resource") { resource = try readResource(&s) } else { try s.skipValue() }
        } while try s.nextMember()
        return Span(traceID: context.0, spanID: context.1, parentSpanID: parent, name: name, kind: kind,
                    startTime: start, endTime: end,
                    details: SpanDetails(attributes: attributes, attributeCount: counts.0, events: events, eventCount: counts.1,
                                         links: links, linkCount: counts.2, symbols: strings.symbols),
                    status: status, traceState: context.2 == "[]" ? "" : context.2, resource: resource)
    }

    private func string(_ s: inout JSONScanner) throws(ScanError) -> String {
        if try s.consumeNull() { return "" }
        return try strings.string(try s.readRawString(), offset: s.position)
    }

    private func stripped(_ raw: RawBytes) -> RawBytes {
        raw.count >= 2 && raw.start[0] == UInt8(ascii: "0") && (raw.start[1] | 0x20) == UInt8(ascii: "x")
            ? RawBytes(start: raw.start + 2, count: raw.count - 2, flags: raw.flags) : raw
    }

    private func hexSpanID(_ s: inout JSONScanner) throws(ScanError) -> SpanID {
        guard let id = s.parseSpanID(stripped(try s.readRawString())) else { throw .malformed("span ID is not hex", offset: s.position) }
        return id
    }

    private func readContext(_ s: inout JSONScanner) throws(ScanError) -> (TraceID, SpanID, String) {
        var c = (TraceID.zero, SpanID.zero, "")
        guard try s.beginObject() else { return c }
        repeat {
            let key = try s.readKey()
            if key.equals("trace_id") {
                guard let id = s.parseTraceID(stripped(try s.readRawString())) else { throw .malformed("trace_id is not hex", offset: s.position) }
                c.0 = id
            } else if key.equals("span_id") { c.1 = try hexSpanID(&s) } else if key.equals("trace_state") { c.2 = try string(&s) } else { try s.skipValue() }
        } while try s.nextMember()
        return c
    }

    private func time(_ s: inout JSONScanner) throws(ScanError) -> Int64 {
        if try s.consumeNull() { return Timestamp.unknown }
        let raw = try s.readRawString()
        guard let t = RFC3339.parse(raw.start, count: raw.count) else { throw .malformed("time is not ISO 8601", offset: s.position) }
        return t
    }

    private func readStatus(_ s: inout JSONScanner) throws(ScanError) -> SpanStatus {
        var status = SpanStatus.unset
        guard try s.beginObject() else { return status }
        repeat {
            let key = try s.readKey()
            if key.equals("status_code") {
                switch try string(&s) {
                case "ERROR": status.code = .error
                case "OK": status.code = .ok
                default: status.code = .unset
                }
            } else if key.equals("description") { status.description = try string(&s) } else { try s.skipValue() }
        } while try s.nextMember()
        return status
    }

    /// `{"key": value, …}` as attributes (values mapped by their JSON type).
    private func writeObject(_ s: inout JSONScanner, into out: inout [UInt8]) throws(ScanError) -> Int {
        if try s.consumeNull() { return 0 }
        var n = 0
        if try s.beginObject() {
            repeat {
                let key = try s.readKey()
                try strings.writeKey(key, into: &out, offset: s.position)
                try s.writeGenericValue(strings, into: &out)
                n += 1
            } while try s.nextMember()
        }
        return n
    }

    private func writeEvent(_ s: inout JSONScanner, into out: inout [UInt8]) throws(ScanError) {
        var name: RawBytes?
        var time = Timestamp.unknown
        let slot = PackedBytes.countSlot(&out)
        var count = 0
        if try s.beginObject() {
            repeat {
                let key = try s.readKey()
                if key.equals("name") { name = try s.readRawString() } else if key.equals("timestamp") { time = try self.time(&s) } else if key.equals("attributes") {
                    count += try writeObject(&s, into: &out)
                } else { try s.skipValue() }
            } while try s.nextMember()
        }
        try strings.finishEvent(&out, slot: slot, attributes: count, name: name, time: time, dropped: 0, offset: s.position)
    }

    private func writeLink(_ s: inout JSONScanner, into out: inout [UInt8]) throws(ScanError) {
        var context = (TraceID.zero, SpanID.zero, "")
        let slot = PackedBytes.countSlot(&out)
        var count = 0
        if try s.beginObject() {
            repeat {
                let key = try s.readKey()
                if key.equals("context") { context = try readContext(&s) } else if key.equals("attributes") { count += try writeObject(&s, into: &out) } else { try s.skipValue() }
            } while try s.nextMember()
        }
        strings.finishLink(&out, slot: slot, attributes: count, traceID: context.0, spanID: context.1,
                           traceState: context.2 == "[]" ? "" : context.2, dropped: 0)
    }

    private func readResource(_ s: inout JSONScanner) throws(ScanError) -> Resource {
        s.skipWhitespace()
        let start = s.position
        var attributes: [Attribute] = []
        if try s.beginObject() {
            repeat {
                let key = try s.readKey()
                if key.equals("attributes") {
                    var bytes: [UInt8] = []
                    let n = try writeObject(&s, into: &bytes)
                    attributes = SpanDetails(attributes: bytes, attributeCount: n, events: [], eventCount: 0, links: [], linkCount: 0,
                                             symbols: strings.symbols).attributes
                } else { try s.skipValue() }
            } while try s.nextMember()
        }
        let raw = Array(UnsafeBufferPointer(start: s.base + start, count: s.position - start))
        if let r = resources[raw] { return r }
        let r = Resource(attributes: attributes)
        resources[raw] = r
        return r
    }
}
