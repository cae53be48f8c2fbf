import SpanModel

/// Decodes the span objects written by the Go SDK's `stdouttrace` exporter, every
/// version from v0.x (`MessageEvents`, flat `StatusCode`) through v1.45
/// (`InstrumentationScope`, `BYTESLICE`/`SLICE`/`MAP`/`EMPTY`), key order free.
/// See docs/formats.md.
public final class GoStdouttraceDecoder {
    public let strings: StringTable
    private let resources = ValueCache<Resource>()
    private let scopes = ValueCache<InstrumentationScope>()

    public init(strings: StringTable = StringTable()) {
        self.strings = strings
    }

    /// One top-level value: a span object, or an array of them (v0.x and v1.0.0-RC1/RC2
    /// wrote a batch as one array). Objects that are not spans (a log line in JSON,
    /// stdoutlog or stdoutmetric output) add nothing and return false.
    public func decodeTopLevel(_ s: inout JSONScanner, into spans: inout [Span]) throws(ScanError) -> Bool {
        if try s.peek() == UInt8(ascii: "[") {
            var found = false
            if try s.beginArray() {
                repeat {
                    if try s.peek() == UInt8(ascii: "{") {
                        if let span = try decodeSpan(&s) {
                            spans.append(span)
                            found = true
                        }
                    } else {
                        try s.skipValue()
                    }
                } while try s.nextElement()
            }
            return found
        }
        guard let span = try decodeSpan(&s) else { return false }
        spans.append(span)
        return true
    }

    // MARK: - Span

    /// A span object, or nil for an object without a `SpanContext`.
    public func decodeSpan(_ s: inout JSONScanner) throws(ScanError) -> Span? {
        var name = ""
        var context: Context?
        var parent = Context()
        var kind = SpanKind.internal
        var start = Timestamp.unknown, end = Timestamp.unknown
        var attributes: [Attribute] = []
        var events: [SpanEvent] = []
        var links: [SpanLink] = []
        var status = SpanStatus.unset
        var dropped: (attributes: UInt32, events: UInt32, links: UInt32) = (0, 0, 0)
        var childCount: UInt32 = 0
        var resource = Resource.empty
        var scope: InstrumentationScope?
        var library: InstrumentationScope?

        guard try s.beginObject() else { return nil }
        repeat {
            let key = try s.readKey()
            switch key.count {
            case 4 where key.equals("Name"):
                name = try readString(&s)
            case 6 where key.equals("Parent"):
                parent = try readContext(&s)
            case 6 where key.equals("Status"):
                status = try readStatus(&s)
            case 5 where key.equals("Links"):
                links = try s.readArray { (s) throws(ScanError) in try self.readLink(&s) }
            case 6 where key.equals("Events"), 13 where key.equals("MessageEvents"):
                events = try s.readArray { (s) throws(ScanError) in try self.readEvent(&s) }
            case 7 where key.equals("EndTime"):
                end = try readTime(&s)
            case 8 where key.equals("SpanKind"):
                kind = SpanKind(rawValue: UInt8(clamping: try s.readInt())) ?? .unspecified
            case 8 where key.equals("Resource"):
                resource = try readResource(&s)
            case 9 where key.equals("StartTime"):
                start = try readTime(&s)
            case 10 where key.equals("Attributes"):
                attributes = try readAttributes(&s)
            case 10 where key.equals("StatusCode"):
                status.code = try readStatusCode(&s)
            case 11 where key.equals("SpanContext"):
                context = try readContext(&s)
            case 12 where key.equals("DroppedLinks"):
                dropped.links = try readCount(&s)
            case 13 where key.equals("DroppedEvents"):
                dropped.events = try readCount(&s)
            case 13 where key.equals("StatusMessage"):
                status.description = try readString(&s)
            case 14 where key.equals("ChildSpanCount"):
                childCount = try readCount(&s)
            case 16 where key.equals("DroppedLinkCount"):
                dropped.links = try readCount(&s)
            case 17 where key.equals("DroppedAttributes"):
                dropped.attributes = try readCount(&s)
            case 20 where key.equals("InstrumentationScope"):
                scope = try readScope(&s)
            case 21 where key.equals("DroppedAttributeCount"):
                dropped.attributes = try readCount(&s)
            case 22 where key.equals("InstrumentationLibrary"):
                library = try readScope(&s)
            case 24 where key.equals("DroppedMessageEventCount"):
                dropped.events = try readCount(&s)
            default:
                try s.skipValue()
            }
        } while try s.nextMember()

        guard let context else { return nil }
        return Span(
            traceID: context.traceID, spanID: context.spanID,
            parentSpanID: parent.traceID.isZero && parent.spanID.isZero ? .zero : parent.spanID,
            name: name, kind: kind, startTime: start, endTime: end,
            attributes: attributes, events: events, links: links, status: status,
            traceState: context.traceState, traceFlags: context.flags,
            isRemote: context.remote, parentIsRemote: parent.remote,
            droppedAttributeCount: dropped.attributes, droppedEventCount: dropped.events,
            droppedLinkCount: dropped.links, childSpanCount: childCount,
            resource: resource, scope: scope ?? library ?? .empty)
    }

    // MARK: - Pieces

    struct Context {
        var traceID = TraceID.zero
        var spanID = SpanID.zero
        var flags: UInt8 = 0
        var traceState = ""
        var remote = false
    }

    private func readContext(_ s: inout JSONScanner) throws(ScanError) -> Context {
        var c = Context()
        if try s.consumeNull() { return c }
        guard try s.beginObject() else { return c }
        repeat {
            let key = try s.readKey()
            if key.equals("TraceID") {
                let raw = try s.readRawString()
                guard raw.count <= 32, !raw.hasEscapes, let id = TraceID(hexBytes: raw.buffer) ?? (raw.count == 0 ? .zero : nil) else {
                    throw .malformed("TraceID is not up to 32 hex digits", offset: s.position)
                }
                c.traceID = id
            } else if key.equals("SpanID") {
                let raw = try s.readRawString()
                guard raw.count <= 16, !raw.hasEscapes, let id = SpanID(hexBytes: raw.buffer) ?? (raw.count == 0 ? .zero : nil) else {
                    throw .malformed("SpanID is not up to 16 hex digits", offset: s.position)
                }
                c.spanID = id
            } else if key.equals("TraceFlags") {
                if try s.peek() == UInt8(ascii: "\"") {
                    let raw = try s.readRawString()
                    c.flags = raw.count <= 2 ? UInt8(truncatingIfNeeded: SpanID(hexBytes: raw.buffer)?.value ?? 0) : 0
                } else {
                    c.flags = UInt8(truncatingIfNeeded: try s.readInt())
                }
            } else if key.equals("TraceState") {
                c.traceState = try readTraceState(&s)
            } else if key.equals("Remote") {
                c.remote = try s.readBool()
            } else {
                try s.skipValue()
            }
        } while try s.nextMember()
        return c
    }

    /// v1 writes the W3C header form; v0.x wrote an array of KeyValue (or null).
    private func readTraceState(_ s: inout JSONScanner) throws(ScanError) -> String {
        switch try s.peek() {
        case UInt8(ascii: "\""): return try readString(&s)
        case UInt8(ascii: "["):
            let entries = try readAttributes(&s)
            return entries.map { entry in
                if case .string(let v) = entry.value { return "\(entry.key)=\(v)" }
                return entry.key
            }.joined(separator: ",")
        default:
            try s.skipValue()
            return ""
        }
    }

    private func readStatus(_ s: inout JSONScanner) throws(ScanError) -> SpanStatus {
        var status = SpanStatus.unset
        if try s.consumeNull() { return status }
        guard try s.beginObject() else { return status }
        repeat {
            let key = try s.readKey()
            if key.equals("Code") {
                status.code = try readStatusCode(&s)
            } else if key.equals("Description") {
                status.description = try readString(&s)
            } else {
                try s.skipValue()
            }
        } while try s.nextMember()
        return status
    }

    /// `"Unset"`/`"Error"`/`"Ok"`, or Go's numbering (0 Unset, 1 Error, 2 Ok).
    private func readStatusCode(_ s: inout JSONScanner) throws(ScanError) -> SpanStatus.Code {
        if try s.peek() == UInt8(ascii: "\"") {
            let raw = try s.readRawString()
            if raw.equals("Error") || raw.equals("ERROR") || raw.equals("error") { return .error }
            if raw.equals("Ok") || raw.equals("OK") || raw.equals("ok") { return .ok }
            return .unset
        }
        switch try s.readInt() {
        case 1: return .error
        case 2: return .ok
        default: return .unset
        }
    }

    private func readCount(_ s: inout JSONScanner) throws(ScanError) -> UInt32 {
        UInt32(clamping: try s.readInt())
    }

    private func readString(_ s: inout JSONScanner) throws(ScanError) -> String {
        if try s.consumeNull() { return "" }
        let raw = try s.readRawString()
        return try strings.string(raw, offset: s.position)
    }

    private func readTime(_ s: inout JSONScanner) throws(ScanError) -> Int64 {
        let raw = try s.readRawString()
        guard !raw.hasEscapes, let t = RFC3339.parse(raw.start, count: raw.count) else {
            throw .malformed("time is not RFC 3339: \"\(String(decoding: raw.buffer.prefix(40), as: UTF8.self))\"", offset: s.position)
        }
        return t
    }

    private func readEvent(_ s: inout JSONScanner) throws(ScanError) -> SpanEvent {
        var event = SpanEvent(name: "", time: Timestamp.unknown)
        guard try s.beginObject() else { return event }
        repeat {
            let key = try s.readKey()
            if key.equals("Name") {
                event.name = try readString(&s)
            } else if key.equals("Time") {
                event.time = try readTime(&s)
            } else if key.equals("Attributes") {
                event.attributes = try readAttributes(&s)
            } else if key.equals("DroppedAttributeCount") {
                event.droppedAttributeCount = try readCount(&s)
            } else {
                try s.skipValue()
            }
        } while try s.nextMember()
        return event
    }

    private func readLink(_ s: inout JSONScanner) throws(ScanError) -> SpanLink {
        var link = SpanLink(traceID: .zero, spanID: .zero)
        guard try s.beginObject() else { return link }
        repeat {
            let key = try s.readKey()
            if key.equals("SpanContext") {
                let c = try readContext(&s)
                link.traceID = c.traceID
                link.spanID = c.spanID
                link.traceState = c.traceState
            } else if key.equals("Attributes") {
                link.attributes = try readAttributes(&s)
            } else if key.equals("DroppedAttributeCount") {
                link.droppedAttributeCount = try readCount(&s)
            } else {
                try s.skipValue()
            }
        } while try s.nextMember()
        return link
    }

    // MARK: - Resource and scope (decoded once per distinct JSON text)

    private func readResource(_ s: inout JSONScanner) throws(ScanError) -> Resource {
        try cached(&s, in: resources) { (s) throws(ScanError) in
            Resource(attributes: try self.readAttributes(&s))
        }
    }

    private func readScope(_ s: inout JSONScanner) throws(ScanError) -> InstrumentationScope {
        try cached(&s, in: scopes) { (s) throws(ScanError) in
            var name = "", version = "", schemaURL = ""
            var attributes: [Attribute] = []
            if try s.consumeNull() { return .empty }
            if try s.beginObject() {
                repeat {
                    let key = try s.readKey()
                    if key.equals("Name") {
                        name = try self.readString(&s)
                    } else if key.equals("Version") {
                        version = try self.readString(&s)
                    } else if key.equals("SchemaURL") {
                        schemaURL = try self.readString(&s)
                    } else if key.equals("Attributes") {
                        attributes = try self.readAttributes(&s)
                    } else {
                        try s.skipValue()
                    }
                } while try s.nextMember()
            }
            return InstrumentationScope(name: name, version: version, schemaURL: schemaURL, attributes: attributes)
        }
    }

    /// Skips the value to learn its bytes; decodes it only the first time those bytes are seen.
    private func cached<V>(_ s: inout JSONScanner, in cache: ValueCache<V>,
                           decode: (inout JSONScanner) throws(ScanError) -> V) throws(ScanError) -> V {
        s.skipWhitespace()
        let before = s
        try s.skipValue()
        let bytes = UnsafeBufferPointer(start: s.base + before.position, count: s.position - before.position)
        let hash = byteHash(bytes.baseAddress!, bytes.count)
        if let hit = cache.value(for: bytes, hash: hash) { return hit }
        let after = s
        s = before
        let value = try decode(&s)
        s = after
        cache.insert(value, for: bytes, hash: hash)
        return value
    }

    // MARK: - Attributes

    /// `[{"Key": …, "Value": {"Type": …, "Value": …}}, …]` or null.
    func readAttributes(_ s: inout JSONScanner) throws(ScanError) -> [Attribute] {
        if try s.consumeNull() { return [] }
        var list: [Attribute] = []
        guard try s.beginArray() else { return list }
        repeat { list.append(try readKeyValue(&s)) } while try s.nextElement()
        return list
    }

    private func readKeyValue(_ s: inout JSONScanner) throws(ScanError) -> Attribute {
        var key: String?
        var value = AttributeValue.empty
        guard try s.beginObject() else { throw s.fail("an attribute without Key and Value") }
        repeat {
            let k = try s.readKey()
            if k.equals("Key") {
                key = try readString(&s)
            } else if k.equals("Value") {
                value = try readTypedValue(&s)
            } else {
                try s.skipValue()
            }
        } while try s.nextMember()
        guard let key else { throw s.fail("an attribute without a Key") }
        return Attribute(key, value)
    }

    /// `{"Type": "INT64", "Value": 42}`, in either key order.
    private func readTypedValue(_ s: inout JSONScanner) throws(ScanError) -> AttributeValue {
        if try s.consumeNull() { return .empty }
        guard try s.beginObject() else { return .empty }
        var type: RawBytes?
        var value: AttributeValue?
        var pendingValue: JSONScanner?   // Value seen before Type: come back to it
        repeat {
            let k = try s.readKey()
            if k.equals("Type") {
                type = try s.readRawString()
            } else if k.equals("Value") {
                if let type {
                    value = try readValue(&s, type: type)
                } else {
                    s.skipWhitespace()
                    pendingValue = s
                    try s.skipValue()
                }
            } else {
                try s.skipValue()
            }
        } while try s.nextMember()
        if value == nil, var pending = pendingValue {
            if let type {
                value = try readValue(&pending, type: type)
            } else {
                value = try pending.readGenericValue(strings)
            }
        }
        return value ?? .empty
    }

    private func readValue(_ s: inout JSONScanner, type: RawBytes) throws(ScanError) -> AttributeValue {
        let next = try s.peek()
        if next == UInt8(ascii: "n") {
            _ = try s.consumeNull()
            return type.equals("STRINGSLICE") || type.equals("INT64SLICE") || type.equals("FLOAT64SLICE")
                || type.equals("BOOLSLICE") ? .array([]) : .empty
        }
        switch type.count {
        case 6 where type.equals("STRING") && next == UInt8(ascii: "\""):
            return .string(try readString(&s))
        case 5 where type.equals("INT64") && next != UInt8(ascii: "\""):
            return .int(try s.readInt())
        case 4 where type.equals("BOOL") && (next == UInt8(ascii: "t") || next == UInt8(ascii: "f")):
            return .bool(try s.readBool())
        case 7 where type.equals("FLOAT64"):
            return .double(try s.readDouble())
        case 11 where type.equals("STRINGSLICE") && next == UInt8(ascii: "["):
            return .stringArray(try s.readArray { (s) throws(ScanError) in try self.readString(&s) })
        case 10 where type.equals("INT64SLICE") && next == UInt8(ascii: "["):
            return .intArray(try s.readArray { (s) throws(ScanError) in try s.readInt() })
        case 12 where type.equals("FLOAT64SLICE") && next == UInt8(ascii: "["):
            return .doubleArray(try s.readArray { (s) throws(ScanError) in try s.readDouble() })
        case 9 where type.equals("BOOLSLICE") && next == UInt8(ascii: "["):
            return .boolArray(try s.readArray { (s) throws(ScanError) in try s.readBool() })
        case 9 where type.equals("BYTESLICE") && next == UInt8(ascii: "\""):
            let raw = try s.readRawString()
            guard !raw.hasEscapes, let bytes = Base64.decode(raw.buffer) else {
                throw .malformed("BYTESLICE value is not base64", offset: s.position)
            }
            return .bytes(bytes)
        case 5 where type.equals("SLICE") && next == UInt8(ascii: "["):
            return .array(try s.readArray { (s) throws(ScanError) in try self.readTypedValue(&s) })
        case 3 where type.equals("MAP") && next == UInt8(ascii: "["):
            return .map(try readAttributes(&s))
        case 5 where type.equals("EMPTY"), 7 where type.equals("INVALID"):
            try s.skipValue()
            return .empty
        case 5 where type.equals("ARRAY"):
            return try s.readGenericValue(strings)
        default:
            let typeName = try strings.string(type, offset: s.position)
            if ["STRING", "INT64", "BOOL", "STRINGSLICE", "INT64SLICE", "FLOAT64SLICE", "BOOLSLICE", "BYTESLICE", "SLICE", "MAP"].contains(typeName) {
                // Declared type and JSON disagree: keep what the JSON says.
                return try s.readGenericValue(strings)
            }
            return .unknown(type: typeName, json: try s.readRawValueText())
        }
    }
}
