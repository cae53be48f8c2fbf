import SpanModel

/// Decodes OTLP/JSON trace data (`{"resourceSpans": [...]}`, as the Collector's file exporter
/// writes one per line, and Jaeger's api_v3 `{"result": {"resourceSpans": ...}}`), with the
/// protobuf JSON mapping's leniency: 64-bit integers as strings or numbers, IDs as hex in
/// either case (empty for none), the legacy `instrumentationLibrarySpans` key.
///
/// Also what Grafana Tempo's query API answers, which is gogo jsonpb rather than OTLP/JSON:
/// `/api/v2/traces/<id>`'s `{"trace": {"resourceSpans": ...}, "status": ..., "metrics": ...}`,
/// `/api/traces/<id>`'s `{"resourceSpans": ...}` (`{"batches": ...}` before Tempo 2.6), IDs
/// as base64 of their bytes, kinds and status codes as enum names.
public final class OTLPJSONDecoder: SpanValueDecoder {
    public static let format = SpanFormat.otlp
    let strings: StringTable

    public init(strings: StringTable = StringTable()) {
        self.strings = strings
    }

    /// One top-level OTLP object; false when it holds no trace data (logs, metrics).
    public func decodeTopLevel(_ s: inout JSONScanner, into spans: inout [Span]) throws(ScanError) -> Bool {
        try s.enterNested()   // `result` may hold another top level
        defer { s.leaveNested() }
        let before = spans.count
        guard try s.beginObject() else { return false }
        repeat {
            let key = try s.readKey()
            if key.equals("resourceSpans") || key.equals("batches") {
                _ = try s.forEachElement { (s) throws(ScanError) in try self.resourceSpans(&s, into: &spans) }
            } else if key.equals("result") {
                _ = try decodeTopLevel(&s, into: &spans)
            } else if key.equals("trace") {
                // Tempo's v2 answer (`status`, `message`, `metrics` beside it are skipped here:
                // `TraceResponseStatus.read` has them).
                if try !s.consumeNull() { _ = try decodeTopLevel(&s, into: &spans) }
            } else {
                try s.skipValue()
            }
        } while try s.nextMember()
        return spans.count > before
    }

    private func resourceSpans(_ s: inout JSONScanner, into spans: inout [Span]) throws(ScanError) {
        var resource = Resource.empty
        // Spans may come before the resource in the object; decode them after it. When the
        // input ends inside the object, the spans whole before the end are decoded with the
        // resource read so far, and the value is still incomplete.
        var pendingScopes: [JSONScanner] = []
        guard try s.beginObject() else { return }
        do {
            repeat {
                let key = try s.readKey()
                if key.equals("resource") {
                    resource = Resource(attributes: try readAttributesObject(&s))
                } else if key.equals("scopeSpans") || key.equals("instrumentationLibrarySpans") {
                    s.skipWhitespace()
                    pendingScopes.append(s)
                    try s.skipValue()
                } else {
                    try s.skipValue()
                }
            } while try s.nextMember()
        } catch .incomplete {
            for var scopes in pendingScopes {
                _ = try? scopes.forEachElement { (s) throws(ScanError) in try self.scopeSpans(&s, resource: resource, into: &spans) }
            }
            throw .incomplete
        }
        for var scopes in pendingScopes {
            _ = try scopes.forEachElement { (s) throws(ScanError) in try self.scopeSpans(&s, resource: resource, into: &spans) }
        }
    }

    /// A `ScopeSpans`; as `resourceSpans`, the spans whole before the input's end are decoded
    /// when it ends inside (the stream reader drops them again while more bytes may come).
    private func scopeSpans(_ s: inout JSONScanner, resource: Resource, into spans: inout [Span]) throws(ScanError) {
        var scope = InstrumentationScope.empty
        var pendingSpans: JSONScanner?
        guard try s.beginObject() else { return }
        do {
            repeat {
                let key = try s.readKey()
                if key.equals("scope") || key.equals("instrumentationLibrary") {
                    scope = try readScope(&s)
                } else if key.equals("spans") {
                    s.skipWhitespace()
                    pendingSpans = s
                    try s.skipValue()
                } else {
                    try s.skipValue()
                }
            } while try s.nextMember()
        } catch .incomplete {
            if var list = pendingSpans {
                _ = try? list.forEachElement { (s) throws(ScanError) in
                    spans.append(try self.span(&s, resource: resource, scope: scope))
                }
            }
            throw .incomplete
        }
        if var list = pendingSpans {
            _ = try list.forEachElement { (s) throws(ScanError) in
                spans.append(try self.span(&s, resource: resource, scope: scope))
            }
        }
    }

    private func readScope(_ s: inout JSONScanner) throws(ScanError) -> InstrumentationScope {
        var name = "", version = ""
        var attributes: [Attribute] = []
        guard try s.beginObject() else { return .empty }
        repeat {
            let key = try s.readKey()
            if key.equals("name") { name = try string(&s) } else if key.equals("version") { version = try string(&s) } else if key.equals("attributes") {
                attributes = try readAttributesObject(&s)
            } else { try s.skipValue() }
        } while try s.nextMember()
        return InstrumentationScope(name: name, version: version, attributes: attributes)
    }

    private func span(_ s: inout JSONScanner, resource: Resource, scope: InstrumentationScope) throws(ScanError) -> Span {
        var traceID = TraceID.zero, spanID = SpanID.zero, parent = SpanID.zero
        var name = "", kind = SpanKind.unspecified, traceState = ""
        var start = Timestamp.unknown, end = Timestamp.unknown
        var status = SpanStatus.unset
        var flags: UInt32 = 0
        var dropped: (UInt32, UInt32, UInt32) = (0, 0, 0)
        var attributes: [UInt8] = [], events: [UInt8] = [], links: [UInt8] = []
        var counts = (0, 0, 0)
        guard try s.beginObject() else { throw s.fail("an empty span object") }
        repeat {
            let key = try s.readKey()
            switch key.count {
            case 7 where key.equals("traceId"): traceID = try readTraceID(&s)
            case 6 where key.equals("spanId"): spanID = try readSpanID(&s)
            case 12 where key.equals("parentSpanId"): parent = try readSpanID(&s)
            case 4 where key.equals("name"): name = try string(&s)
            case 4 where key.equals("kind"):
                kind = SpanKind(rawValue: UInt8(clamping: try readEnum(&s, names: ["SPAN_KIND_UNSPECIFIED", "SPAN_KIND_INTERNAL", "SPAN_KIND_SERVER", "SPAN_KIND_CLIENT", "SPAN_KIND_PRODUCER", "SPAN_KIND_CONSUMER"]))) ?? .unspecified
            case 10 where key.equals("traceState"): traceState = try string(&s)
            case 5 where key.equals("flags"): flags = UInt32(truncatingIfNeeded: try s.readInt())
            case 17 where key.equals("startTimeUnixNano"): start = try readTime(&s)
            case 15 where key.equals("endTimeUnixNano"): end = try readTime(&s)
            case 10 where key.equals("attributes"): counts.0 += try writeAttributes(&s, into: &attributes)
            case 6 where key.equals("events"):
                counts.1 += try s.forEachElement { (s) throws(ScanError) in try self.writeEvent(&s, into: &events) }
            case 5 where key.equals("links"):
                counts.2 += try s.forEachElement { (s) throws(ScanError) in try self.writeLink(&s, into: &links) }
            case 6 where key.equals("status"): status = try readStatus(&s)
            case 22 where key.equals("droppedAttributesCount"): dropped.0 = UInt32(clamping: try s.readInt())
            case 18 where key.equals("droppedEventsCount"): dropped.1 = UInt32(clamping: try s.readInt())
            case 17 where key.equals("droppedLinksCount"): dropped.2 = UInt32(clamping: try s.readInt())
            default: try s.skipValue()
            }
        } while try s.nextMember()
        return Span(
            traceID: traceID, spanID: spanID, parentSpanID: parent, name: name, kind: kind,
            startTime: start, endTime: end,
            details: SpanDetails(attributes: attributes, attributeCount: counts.0, events: events, eventCount: counts.1,
                                 links: links, linkCount: counts.2, symbols: strings.symbols),
            status: status, traceState: traceState, traceFlags: UInt8(truncatingIfNeeded: flags),
            isRemote: false, parentIsRemote: flags & 0x300 == 0x300,
            droppedAttributeCount: dropped.0, droppedEventCount: dropped.1, droppedLinkCount: dropped.2,
            resource: resource, scope: scope)
    }

    // MARK: - Pieces

    private func string(_ s: inout JSONScanner) throws(ScanError) -> String {
        if try s.consumeNull() { return "" }
        return try strings.string(try s.readRawString(), offset: s.position)
    }

    /// An enum as its number or its name (the spec says numbers; some producers write names).
    private func readEnum(_ s: inout JSONScanner, names: [String]) throws(ScanError) -> Int64 {
        if try s.peek() == UInt8(ascii: "\"") {
            let text = try string(&s)
            return Int64(names.firstIndex(of: text) ?? 0)
        }
        return try s.readInt()
    }

    private func readTime(_ s: inout JSONScanner) throws(ScanError) -> Int64 {
        let ns = try s.readInt()
        return ns == 0 ? Timestamp.unknown : ns
    }

    /// Hex (OTLP/JSON) or base64 of 16 bytes (gogo jsonpb, Tempo): `parseTraceIDHexOrBase64`.
    private func readTraceID(_ s: inout JSONScanner) throws(ScanError) -> TraceID {
        let raw = try s.readRawString()
        guard let id = s.parseTraceIDHexOrBase64(raw) else {
            throw .malformed("traceId is neither up to 32 hex digits nor base64 of 16 bytes", offset: s.position)
        }
        return id
    }

    /// Hex or base64 of 8 bytes (`spanId`, `parentSpanId`, and a link's `spanId`).
    private func readSpanID(_ s: inout JSONScanner) throws(ScanError) -> SpanID {
        let raw = try s.readRawString()
        guard let id = s.parseSpanIDHexOrBase64(raw) else {
            throw .malformed("spanId is neither up to 16 hex digits nor base64 of 8 bytes", offset: s.position)
        }
        return id
    }

    private func readStatus(_ s: inout JSONScanner) throws(ScanError) -> SpanStatus {
        var status = SpanStatus.unset
        guard try s.beginObject() else { return status }
        repeat {
            let key = try s.readKey()
            if key.equals("code") {
                switch try readEnum(&s, names: ["STATUS_CODE_UNSET", "STATUS_CODE_OK", "STATUS_CODE_ERROR"]) {
                case 1: status.code = .ok
                case 2: status.code = .error
                default: status.code = .unset
                }
            } else if key.equals("message") {
                status.description = try string(&s)
            } else {
                try s.skipValue()
            }
        } while try s.nextMember()
        return status
    }

    private func writeEvent(_ s: inout JSONScanner, into out: inout [UInt8]) throws(ScanError) {
        var name: RawBytes?
        var time = Timestamp.unknown
        var dropped: UInt32 = 0
        let slot = PackedBytes.countSlot(&out)
        var count = 0
        if try s.beginObject() {
            repeat {
                let key = try s.readKey()
                if key.equals("name") { name = try s.readRawString() } else if key.equals("timeUnixNano") { time = try readTime(&s) } else if key.equals("attributes") {
                    count += try writeAttributes(&s, into: &out)
                } else if key.equals("droppedAttributesCount") { dropped = UInt32(clamping: try s.readInt()) } else { try s.skipValue() }
            } while try s.nextMember()
        }
        try strings.finishEvent(&out, slot: slot, attributes: count, name: name, time: time, dropped: dropped, offset: s.position)
    }

    private func writeLink(_ s: inout JSONScanner, into out: inout [UInt8]) throws(ScanError) {
        var traceID = TraceID.zero, spanID = SpanID.zero, traceState = ""
        var dropped: UInt32 = 0
        let slot = PackedBytes.countSlot(&out)
        var count = 0
        if try s.beginObject() {
            repeat {
                let key = try s.readKey()
                if key.equals("traceId") { traceID = try readTraceID(&s) } else if key.equals("spanId") { spanID = try readSpanID(&s) } else if key.equals("traceState") {
                    traceState = try string(&s)
                } else if key.equals("attributes") { count += try writeAttributes(&s, into: &out) } else if key.equals("droppedAttributesCount") {
                    dropped = UInt32(clamping: try s.readInt())
                } else { try s.skipValue() }
            } while try s.nextMember()
        }
        strings.finishLink(&out, slot: slot, attributes: count, traceID: traceID, spanID: spanID,
                           traceState: traceState, dropped: dropped)
    }

    // MARK: - Attributes: [{"key": …, "value": AnyValue}]

    func readAttributesObject(_ s: inout JSONScanner) throws(ScanError) -> [Attribute] {
        try s.enterNested()
        defer { s.leaveNested() }
        if try s.peek() == UInt8(ascii: "{") {
            // A Resource object: {"attributes": [...], "droppedAttributesCount": n}
            var list: [Attribute] = []
            guard try s.beginObject() else { return [] }
            repeat {
                let key = try s.readKey()
                if key.equals("attributes") { list = try readAttributesObject(&s) } else { try s.skipValue() }
            } while try s.nextMember()
            return list
        }
        var bytes: [UInt8] = []
        let n = try writeAttributes(&s, into: &bytes)
        return SpanDetails(attributes: bytes, attributeCount: n, events: [], eventCount: 0, links: [], linkCount: 0,
                           symbols: strings.symbols).attributes
    }

    func writeAttributes(_ s: inout JSONScanner, into out: inout [UInt8]) throws(ScanError) -> Int {
        try s.forEachElement { (s) throws(ScanError) in
            var key: (symbol: UInt32, raw: RawBytes)?
            var value: JSONScanner?   // a value before its key: come back to it
            var wrote = false
            guard try s.beginObject() else { throw s.fail("an attribute without key and value") }
            repeat {
                let k = try s.readKey()
                if k.equals("key"), key == nil {
                    let raw = try s.readRawString()
                    key = (try self.strings.symbol(raw, offset: s.position), raw)
                } else if k.equals("value"), !wrote, value == nil {
                    if let key {
                        // The usual order: the value goes straight in (marking and coming
                        // back would read nested values once per level).
                        try self.strings.writeKey(key.raw, symbol: key.symbol, into: &out, offset: s.position)
                        try self.writeAnyValue(&s, into: &out)
                        wrote = true
                    } else {
                        value = try s.markAndSkipValue()
                    }
                } else {
                    try s.skipValue()   // other keys, and a repeated key or value: the first wins
                }
            } while try s.nextMember()
            if wrote { return }
            guard let key else { throw s.fail("an attribute without a key") }
            try self.strings.writeKey(key.raw, symbol: key.symbol, into: &out, offset: s.position)
            if var v = value { try self.writeAnyValue(&v, into: &out) } else { PackedBytes.tag(&out, .empty) }
        }
    }

    /// `{"stringValue": …}`, `{"intValue": "42"}`, `{"arrayValue": {"values": [...]}}`, ….
    func writeAnyValue(_ s: inout JSONScanner, into out: inout [UInt8]) throws(ScanError) {
        try s.enterNested()
        defer { s.leaveNested() }
        if try s.consumeNull() { PackedBytes.tag(&out, .empty); return }
        guard try s.beginObject() else { PackedBytes.tag(&out, .empty); return }
        var wrote = false
        repeat {
            let key = try s.readKey()
            if wrote {
                // One value per AnyValue: the first value key wins, any other is skipped (two
                // written for one attribute would misalign every entry after it).
                try s.skipValue()
                continue
            }
            switch key.count {
            case 11 where key.equals("stringValue"):
                try strings.writeValue(try s.readRawString(), into: &out, offset: s.position)
                wrote = true
            case 8 where key.equals("intValue"):
                PackedBytes.tag(&out, .int)
                PackedBytes.int(&out, try s.readInt())
                wrote = true
            case 11 where key.equals("doubleValue"):
                PackedBytes.tag(&out, .double)
                PackedBytes.double(&out, try s.readDouble())
                wrote = true
            case 9 where key.equals("boolValue"):
                PackedBytes.tag(&out, try s.readBool() ? .boolTrue : .boolFalse)
                wrote = true
            case 10 where key.equals("bytesValue"):
                let raw = try s.readRawString()
                guard !raw.hasEscapes, let bytes = Base64.decode(raw.buffer) else { throw .malformed("bytesValue is not base64", offset: s.position) }
                PackedBytes.tag(&out, .bytes)
                PackedBytes.varint(&out, UInt64(bytes.count))
                out += bytes
                wrote = true
            case 10 where key.equals("arrayValue"):
                let slot = PackedBytes.beginList(&out, .array)
                var n = 0
                if try s.beginObject() {
                    repeat {
                        let k = try s.readKey()
                        if k.equals("values") {
                            n += try s.forEachElement { (s) throws(ScanError) in try self.writeAnyValue(&s, into: &out) }
                        } else { try s.skipValue() }
                    } while try s.nextMember()
                }
                PackedBytes.patchCount(&out, at: slot, n)
                wrote = true
            case 11 where key.equals("kvlistValue"):
                let slot = PackedBytes.beginList(&out, .map)
                var n = 0
                if try s.beginObject() {
                    repeat {
                        let k = try s.readKey()
                        if k.equals("values") { n += try writeAttributes(&s, into: &out) } else { try s.skipValue() }
                    } while try s.nextMember()
                }
                PackedBytes.patchCount(&out, at: slot, n)
                wrote = true
            default:
                try s.skipValue()
            }
        } while try s.nextMember()
        if !wrote { PackedBytes.tag(&out, .empty) }
    }
}
