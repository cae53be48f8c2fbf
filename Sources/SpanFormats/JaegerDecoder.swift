import SpanModel

/// Decodes Jaeger's query JSON (the UI's "download" and `/api/traces`): `{"data": [trace…]}`
/// or a bare trace `{"traceID", "spans", "processes"}`. Times are microseconds; the parent is
/// the first CHILD_OF (else FOLLOWS_FROM, then `parentIsFollowsFrom` is set) reference in the
/// same trace, other references are links; the service comes from the span's process; an `error=true` or
/// `otel.status_code=ERROR` tag makes the span an error, `otel.status_code=OK` an OK span (with
/// `otel.status_description` as the description); `span.kind`, `otel.scope.name` and
/// `otel.scope.version` (or the older `otel.library.*`) and `w3c.tracestate` give the kind, scope
/// and trace state (the Collector's OTLP→Jaeger tags; the tags are kept as attributes too); a
/// `float64` tag is a float even when whole; logs become events.
public final class JaegerDecoder: SpanValueDecoder {
    public static let format = SpanFormat.jaeger
    let strings: StringTable
    @exclusivity(unchecked)
    private var scopes: [ScopeKey: InstrumentationScope] = [:]

    private struct ScopeKey: Hashable {
        var name: String
        var version: String
    }

    public init(strings: StringTable = StringTable()) { self.strings = strings }

    private func scope(_ name: String, _ version: String) -> InstrumentationScope {
        if name.isEmpty && version.isEmpty { return .empty }
        let key = ScopeKey(name: name, version: version)
        if let scope = scopes[key] { return scope }
        let scope = InstrumentationScope(name: name, version: version)
        scopes[key] = scope
        return scope
    }

    public func decodeTopLevel(_ s: inout JSONScanner, into spans: inout [Span]) throws(ScanError) -> Bool {
        let before = spans.count
        var probe = s
        var isEnvelope = false
        if try probe.beginObject() { isEnvelope = try probe.readKey().equals("data") }
        if isEnvelope {
            guard try s.beginObject() else { return false }
            repeat {
                let key = try s.readKey()
                if key.equals("data") {
                    _ = try s.forEachElement { (s) throws(ScanError) in try self.trace(&s, into: &spans) }
                } else {
                    try s.skipValue()
                }
            } while try s.nextMember()
        } else {
            try trace(&s, into: &spans)
        }
        return spans.count > before
    }

    private func trace(_ s: inout JSONScanner, into spans: inout [Span]) throws(ScanError) {
        var processes: [String: Resource] = [:]
        var pendingSpans: JSONScanner?
        guard try s.beginObject() else { return }
        repeat {
            let key = try s.readKey()
            if key.equals("processes") {
                if try !s.consumeNull(), try s.beginObject() {
                    repeat {
                        let id = try strings.string(try s.readKey(), offset: s.position)
                        processes[id] = try process(&s)
                    } while try s.nextMember()
                }
            } else if key.equals("spans") {
                pendingSpans = try s.markAndSkipValue()
            } else {
                try s.skipValue()
            }
        } while try s.nextMember()
        if var list = pendingSpans {
            _ = try list.forEachElement { (s) throws(ScanError) in spans.append(try self.span(&s, processes: processes)) }
        }
    }

    private func process(_ s: inout JSONScanner) throws(ScanError) -> Resource {
        var service = ""
        var tags: [Attribute] = []
        guard try s.beginObject() else { return .empty }
        repeat {
            let key = try s.readKey()
            if key.equals("serviceName") {
                service = try strings.string(try s.readRawString(), offset: s.position)
            } else if key.equals("tags") {
                var bytes: [UInt8] = []
                let n = try writeTags(&s, into: &bytes).count
                tags = SpanDetails(attributes: bytes, attributeCount: n, events: [], eventCount: 0, links: [], linkCount: 0,
                                   symbols: strings.symbols).attributes
            } else {
                try s.skipValue()
            }
        } while try s.nextMember()
        return Resource(attributes: [Attribute("service.name", .string(service))] + tags)
    }

    private func span(_ s: inout JSONScanner, processes: [String: Resource]) throws(ScanError) -> Span {
        var traceID = TraceID.zero, spanID = SpanID.zero
        var name = "", start = Timestamp.unknown, duration: Int64?
        var references: [(type: String, trace: TraceID, span: SpanID)] = []
        var attributes: [UInt8] = [], events: [UInt8] = []
        var tagFacts = TagFacts()
        var eventCount = 0
        var resource = Resource.empty
        var flags: UInt8 = 0
        guard try s.beginObject() else { throw s.fail("an empty Jaeger span") }
        repeat {
            let key = try s.readKey()
            if key.equals("traceID") {
                guard let id = s.parseTraceID(try s.readRawString()) else { throw .malformed("traceID is not hex", offset: s.position) }
                traceID = id
            } else if key.equals("spanID") {
                guard let id = s.parseSpanID(try s.readRawString()) else { throw .malformed("spanID is not hex", offset: s.position) }
                spanID = id
            } else if key.equals("operationName") {
                name = try strings.string(try s.readRawString(), offset: s.position)
            } else if key.equals("references") {
                _ = try s.forEachElement { (s) throws(ScanError) in
                    var ref = (type: "", trace: TraceID.zero, span: SpanID.zero)
                    if try s.beginObject() {
                        repeat {
                            let k = try s.readKey()
                            if k.equals("refType") { ref.type = try self.strings.string(try s.readRawString(), offset: s.position) } else if k.equals("traceID") {
                                ref.trace = s.parseTraceID(try s.readRawString()) ?? .zero
                            } else if k.equals("spanID") { ref.span = s.parseSpanID(try s.readRawString()) ?? .zero } else { try s.skipValue() }
                        } while try s.nextMember()
                    }
                    references.append(ref)
                }
            } else if key.equals("startTime") {
                start = try s.readInt() &* 1_000
            } else if key.equals("duration") {
                duration = try s.readInt() &* 1_000
            } else if key.equals("flags") {
                flags = UInt8(truncatingIfNeeded: try s.readInt())
            } else if key.equals("tags") {
                tagFacts.merge(try writeTags(&s, into: &attributes))
            } else if key.equals("logs") {
                eventCount += try s.forEachElement { (s) throws(ScanError) in try self.writeLog(&s, into: &events) }
            } else if key.equals("processID") {
                resource = processes[try strings.string(try s.readRawString(), offset: s.position)] ?? .empty
            } else if key.equals("process") {
                resource = try process(&s)
            } else {
                try s.skipValue()
            }
        } while try s.nextMember()

        // The parent: a CHILD_OF reference in the same trace, else FOLLOWS_FROM; the rest are links.
        let sameTrace = references.filter { $0.trace == traceID || $0.trace.isZero }
        let parentRef = sameTrace.first { $0.type == "CHILD_OF" } ?? sameTrace.first
        var links: [UInt8] = []
        var linkCount = 0
        for ref in references where !(parentRef.map { $0.span == ref.span && $0.trace == ref.trace } ?? false) {
            let slot = PackedBytes.countSlot(&links)
            PackedBytes.attribute(&links, Attribute("jaeger.ref_type", .string(ref.type)), symbols: strings.symbols)
            strings.finishLink(&links, slot: slot, attributes: 1, traceID: ref.trace.isZero ? traceID : ref.trace,
                               spanID: ref.span, traceState: "", dropped: 0)
            linkCount += 1
        }
        return Span(traceID: traceID, spanID: spanID, parentSpanID: parentRef?.span ?? .zero, name: name, kind: tagFacts.kind,
                    startTime: start, endTime: duration.map { start == Timestamp.unknown ? Timestamp.unknown : start &+ $0 } ?? start,
                    details: SpanDetails(attributes: attributes, attributeCount: tagFacts.count, events: events, eventCount: eventCount,
                                         links: links, linkCount: linkCount, symbols: strings.symbols),
                    status: tagFacts.isError ? SpanStatus(code: .error, description: tagFacts.statusMessage)
                        : tagFacts.isOK ? SpanStatus(code: .ok, description: tagFacts.statusMessage) : .unset,
                    traceState: tagFacts.traceState, traceFlags: flags, parentIsFollowsFrom: parentRef?.type == "FOLLOWS_FROM",
                    resource: resource, scope: scope(tagFacts.scopeName, tagFacts.scopeVersion))
    }

    struct TagFacts {
        var count = 0
        var isError = false
        var statusMessage = ""
        var kind = SpanKind.unspecified
        /// `otel.status_code=OK` (an error tag wins).
        var isOK = false
        var scopeName = ""
        var scopeVersion = ""
        var traceState = ""

        /// Another `tags` list of the same span (the input repeats the key): both are kept.
        mutating func merge(_ other: TagFacts) {
            count += other.count
            isError = isError || other.isError
            isOK = isOK || other.isOK
            if !other.statusMessage.isEmpty { statusMessage = other.statusMessage }
            if other.kind != .unspecified { kind = other.kind }
            if !other.scopeName.isEmpty { scopeName = other.scopeName }
            if !other.scopeVersion.isEmpty { scopeVersion = other.scopeVersion }
            if !other.traceState.isEmpty { traceState = other.traceState }
        }
    }

    /// `[{"key", "type", "value"}]` packed; notes the tags that mean error, status and kind.
    private func writeTags(_ s: inout JSONScanner, into out: inout [UInt8]) throws(ScanError) -> TagFacts {
        var facts = TagFacts()
        facts.count = try s.forEachElement { (s) throws(ScanError) in
            var key: RawBytes?
            var type: RawBytes?
            var value: JSONScanner?
            if try s.beginObject() {
                repeat {
                    let k = try s.readKey()
                    if k.equals("key") { key = try s.readRawString() } else if k.equals("type") { type = try s.readRawString() } else if k.equals("value") {
                        value = try s.markAndSkipValue()
                    } else { try s.skipValue() }
                } while try s.nextMember()
            }
            guard let key else { throw s.fail("a tag without a key") }
            try self.strings.writeKey(key, into: &out, offset: s.position)
            guard var v = value else { PackedBytes.tag(&out, .empty); return }
            let isString = try v.peek() == UInt8(ascii: "\"")
            if type?.equals("binary") == true, isString {
                let raw = try v.readRawString()
                PackedBytes.tag(&out, .bytes)
                let bytes = Base64.decode(raw.buffer) ?? []
                PackedBytes.varint(&out, UInt64(bytes.count))
                out += bytes
            } else if type?.equals("int64") == true, isString {
                PackedBytes.tag(&out, .int)
                PackedBytes.int(&out, try v.readInt())
            } else if type?.equals("float64") == true, case var probe = v, let d = try? probe.readDouble() {
                // Whole floats too (`1`), and the strings "NaN", "Infinity", "-Infinity".
                PackedBytes.tag(&out, .double)
                PackedBytes.double(&out, d)
            } else if isString {
                let raw = try v.readRawString()
                let text = try self.strings.string(raw, offset: v.position)
                if key.equals("otel.status_code") && text == "ERROR" { facts.isError = true }
                if key.equals("otel.status_code") && text == "OK" { facts.isOK = true }
                if key.equals("otel.scope.name") || key.equals("otel.library.name") { facts.scopeName = text }
                if key.equals("otel.scope.version") || key.equals("otel.library.version") { facts.scopeVersion = text }
                if key.equals("w3c.tracestate") { facts.traceState = text }
                if key.equals("error") && text == "true" { facts.isError = true }
                if key.equals("otel.status_description") { facts.statusMessage = text }
                if key.equals("span.kind") { facts.kind = SpanKind.allCases.first { $0.name == text } ?? .unspecified }
                try self.strings.writeValue(raw, into: &out, offset: v.position)
            } else {
                var probe = v
                if key.equals("error"), (try? probe.readBool()) == true { facts.isError = true }
                try v.writeGenericValue(self.strings, into: &out)
            }
        }
        return facts
    }

    private func writeLog(_ s: inout JSONScanner, into out: inout [UInt8]) throws(ScanError) {
        var time = Timestamp.unknown
        var name = "log"
        let slot = PackedBytes.countSlot(&out)
        var count = 0
        if try s.beginObject() {
            repeat {
                let k = try s.readKey()
                if k.equals("timestamp") { time = try s.readInt() &* 1_000 } else if k.equals("fields") {
                    var probe = s
                    count += try writeTags(&s, into: &out).count
                    // The event's name: its "event" field, as OpenTracing logs have it.
                    _ = try? probe.forEachElement { (p) throws(ScanError) in
                        var isEvent = false
                        var text: String?
                        if try p.beginObject() {
                            repeat {
                                let kk = try p.readKey()
                                if kk.equals("key") { isEvent = try p.readRawString().equals("event") } else if kk.equals("value"), try p.peek() == UInt8(ascii: "\"") {
                                    text = try self.strings.string(try p.readRawString(), offset: p.position)
                                } else { try p.skipValue() }
                            } while try p.nextMember()
                        }
                        if isEvent, let text { name = text }
                    }
                } else { try s.skipValue() }
            } while try s.nextMember()
        }
        PackedBytes.finishEvent(&out, slot: slot, attributeCount: count, time: time, dropped: 0) { PackedBytes.string(&$0, name) }
    }
}
