#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SpanModel

/// Decodes the span objects written by the Go SDK's `stdouttrace` exporter, every
/// version from v0.x (`MessageEvents`, flat `StatusCode`) through v1.45
/// (`InstrumentationScope`, `BYTESLICE`/`SLICE`/`MAP`/`EMPTY`), in any key order.
/// Attributes, events and links are packed straight from the JSON into `SpanDetails`.
/// See docs/formats.md.
public final class GoStdouttraceDecoder: SpanValueDecoder {
    public static let format = SpanFormat.go
    public let strings: StringTable
    private let resources = RepeatedValues<Resource>()
    private let scopes = RepeatedValues<InstrumentationScope>()
    let keys = KeyCache()
    @exclusivity(unchecked)
    private var times = TimeCache()
    // Reused section buffers (swapped out while a span is decoded).
    @exclusivity(unchecked)
    private var attributeScratch: [UInt8] = []
    @exclusivity(unchecked)
    private var eventScratch: [UInt8] = []
    @exclusivity(unchecked)
    private var linkScratch: [UInt8] = []

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
        var status = SpanStatus.unset
        var dropped: (attributes: UInt32, events: UInt32, links: UInt32) = (0, 0, 0)
        var childCount: UInt32 = 0
        var resource = Resource.empty
        var scope: InstrumentationScope?
        var library: InstrumentationScope?
        // The scratch buffers are taken out of the properties, not copied: a copy would share
        // the buffer, and emptying a shared buffer allocates a new one every span.
        var attributes: [UInt8] = [], events: [UInt8] = [], links: [UInt8] = []
        swap(&attributes, &attributeScratch)
        swap(&events, &eventScratch)
        swap(&links, &linkScratch)
        attributes.removeAll(keepingCapacity: true)
        events.removeAll(keepingCapacity: true)
        links.removeAll(keepingCapacity: true)
        var counts = (attributes: 0, events: 0, links: 0)
        defer {
            swap(&attributes, &attributeScratch)
            swap(&events, &eventScratch)
            swap(&links, &linkScratch)
        }

        if let span = try decodeCompactSpan(&s, attributes: &attributes, events: &events, links: &links) {
            return span
        }
        attributes.removeAll(keepingCapacity: true)
        events.removeAll(keepingCapacity: true)
        links.removeAll(keepingCapacity: true)

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
                links.removeAll(keepingCapacity: true)
                counts.links = try s.forEachElement { (s) throws(ScanError) in try self.writeLink(&s, into: &links) }
            case 6 where key.equals("Events"), 13 where key.equals("MessageEvents"):
                events.removeAll(keepingCapacity: true)
                counts.events = try s.forEachElement { (s) throws(ScanError) in try self.writeEvent(&s, into: &events) }
            case 7 where key.equals("EndTime"):
                end = try readTime(&s)
            case 8 where key.equals("SpanKind"):
                kind = SpanKind(rawValue: UInt8(clamping: try s.readInt())) ?? .unspecified
            case 8 where key.equals("Resource"):
                resource = try readResource(&s)
            case 9 where key.equals("StartTime"):
                start = try readTime(&s)
            case 10 where key.equals("Attributes"):
                attributes.removeAll(keepingCapacity: true)
                counts.attributes = try writeAttributes(&s, into: &attributes)
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
        let details = SpanDetails(attributes: attributes, attributeCount: counts.attributes,
                                  events: events, eventCount: counts.events,
                                  links: links, linkCount: counts.links, symbols: strings.symbols)
        return Span(
            traceID: context.traceID, spanID: context.spanID,
            parentSpanID: parent.traceID.isZero && parent.spanID.isZero ? .zero : parent.spanID,
            name: name, kind: kind, startTime: start, endTime: end, details: details, status: status,
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

    func readContext(_ s: inout JSONScanner) throws(ScanError) -> Context {
        var c = Context()
        if try s.consumeNull() { return c }
        guard try s.beginObject() else { return c }
        repeat {
            let key = try s.readKey()
            if key.equals("TraceID") {
                let raw = try s.readRawString()
                guard let id = s.parseTraceID(raw) else {
                    throw .malformed("TraceID is not up to 32 hex digits", offset: s.position)
                }
                c.traceID = id
            } else if key.equals("SpanID") {
                let raw = try s.readRawString()
                guard let id = s.parseSpanID(raw) else {
                    throw .malformed("SpanID is not up to 16 hex digits", offset: s.position)
                }
                c.spanID = id
            } else if key.equals("TraceFlags") {
                if try s.peek() == UInt8(ascii: "\"") {
                    let raw = try s.readRawString()
                    c.flags = raw.count <= 2 ? UInt8(truncatingIfNeeded: s.parseSpanID(raw)?.value ?? 0) : 0
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
    func readTraceState(_ s: inout JSONScanner) throws(ScanError) -> String {
        switch try s.peek() {
        case UInt8(ascii: "\""): return try readString(&s)
        case UInt8(ascii: "["):
            let entries = try readAttributeList(&s)
            return entries.map { entry in
                if case .string(let v) = entry.value { return "\(entry.key)=\(v)" }
                return entry.key
            }.joined(separator: ",")
        default:
            try s.skipValue()
            return ""
        }
    }

    func readStatus(_ s: inout JSONScanner) throws(ScanError) -> SpanStatus {
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
    func readStatusCode(_ s: inout JSONScanner) throws(ScanError) -> SpanStatus.Code {
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

    func readCount(_ s: inout JSONScanner) throws(ScanError) -> UInt32 {
        UInt32(clamping: try s.readInt())
    }

    func readString(_ s: inout JSONScanner) throws(ScanError) -> String {
        if try s.consumeNull() { return "" }
        let raw = try s.readRawString()
        return try strings.string(raw, offset: s.position)
    }

    func readTime(_ s: inout JSONScanner) throws(ScanError) -> Int64 {
        let raw = try s.readRawString()
        guard !raw.hasEscapes, let t = times.parse(raw.start, count: raw.count) else {
            throw .malformed("time is not RFC 3339: \"\(String(decoding: raw.buffer.prefix(40), as: UTF8.self))\"", offset: s.position)
        }
        return t
    }

    /// `{"Name", "Attributes", "DroppedAttributeCount", "Time"}` packed as an event entry:
    /// attributes first (written in place as they come), then name, time and dropped count.
    func writeEvent(_ s: inout JSONScanner, into out: inout [UInt8]) throws(ScanError) {
        var name: RawBytes?
        var time = Timestamp.unknown
        var dropped: UInt32 = 0
        let slot = PackedBytes.countSlot(&out)
        var count = 0
        if try s.beginObject() {
            repeat {
                let key = try s.readKey()
                if key.equals("Name") {
                    name = try s.readRawString()
                } else if key.equals("Time") {
                    time = try readTime(&s)
                } else if key.equals("Attributes") {
                    count += try writeAttributes(&s, into: &out)
                } else if key.equals("DroppedAttributeCount") {
                    dropped = try readCount(&s)
                } else {
                    try s.skipValue()
                }
            } while try s.nextMember()
        }
        try strings.finishEvent(&out, slot: slot, attributes: count, name: name, time: time, dropped: dropped, offset: s.position)
    }

    /// `{"SpanContext", "Attributes", "DroppedAttributeCount"}` packed as a link entry:
    /// attributes first, then trace ID, span ID, trace state and dropped count.
    func writeLink(_ s: inout JSONScanner, into out: inout [UInt8]) throws(ScanError) {
        var context = Context()
        var dropped: UInt32 = 0
        let slot = PackedBytes.countSlot(&out)
        var count = 0
        if try s.beginObject() {
            repeat {
                let key = try s.readKey()
                if key.equals("SpanContext") {
                    context = try readContext(&s)
                } else if key.equals("Attributes") {
                    count += try writeAttributes(&s, into: &out)
                } else if key.equals("DroppedAttributeCount") {
                    dropped = try readCount(&s)
                } else {
                    try s.skipValue()
                }
            } while try s.nextMember()
        }
        strings.finishLink(&out, slot: slot, attributes: count, traceID: context.traceID, spanID: context.spanID,
                           traceState: context.traceState, dropped: dropped)
    }

    // MARK: - Resource and scope (decoded once per distinct JSON text)

    func readResource(_ s: inout JSONScanner) throws(ScanError) -> Resource {
        try resources.read(&s) { (s) throws(ScanError) in
            Resource(attributes: try self.readAttributeList(&s))
        }
    }

    func readScope(_ s: inout JSONScanner) throws(ScanError) -> InstrumentationScope {
        try scopes.read(&s) { (s) throws(ScanError) in
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
                        attributes = try self.readAttributeList(&s)
                    } else {
                        try s.skipValue()
                    }
                } while try s.nextMember()
            }
            return InstrumentationScope(name: name, version: version, schemaURL: schemaURL, attributes: attributes)
        }
    }
}

extension RawBytes {
    /// Equality with a run-time string (rare paths only; literals use `equals`).
    func hasText(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { $0.count == count && (count == 0 || memcmp($0.baseAddress!, start, count) == 0) }
    }
}
