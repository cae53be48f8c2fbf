import SpanModel

/// Decodes Zipkin API v2 JSON: a list of span objects (or one object), times in microseconds,
/// IDs as 16 or 32 hex digits, `kind` as a name, the service from `localEndpoint`, `tags` as
/// string attributes (an `error` tag makes the span an error), `annotations` as events. The
/// Collector's OTLP→Zipkin tags are read as well (and kept as attributes): `otel.status_code`
/// (`ERROR` or `OK`; with it the description is `otel.status_description`, without it the
/// `error` tag's text), `otel.scope.name` and `otel.scope.version` (or the older
/// `otel.library.*`) as the scope, `w3c.tracestate` as the trace state; `"shared": true` (a
/// server span sharing its client's ID) as `isRemote`.
public final class ZipkinDecoder: SpanValueDecoder {
    public static let format = SpanFormat.zipkin
    let strings: StringTable
    @exclusivity(unchecked)
    private var resources: [String: Resource] = [:]
    @exclusivity(unchecked)
    private var scopes: [String: [String: InstrumentationScope]] = [:]

    public init(strings: StringTable = StringTable()) { self.strings = strings }

    public func decodeTopLevel(_ s: inout JSONScanner, into spans: inout [Span]) throws(ScanError) -> Bool {
        let before = spans.count
        if try s.peek() == UInt8(ascii: "[") {
            _ = try s.forEachElement { (s) throws(ScanError) in spans.append(try self.span(&s)) }
        } else {
            spans.append(try span(&s))
        }
        return spans.count > before
    }

    private func resource(_ service: String) -> Resource {
        if let r = resources[service] { return r }
        let r = Resource(attributes: service.isEmpty ? [] : [Attribute("service.name", .string(service))])
        resources[service] = r
        return r
    }

    private func scope(_ name: String, _ version: String) -> InstrumentationScope {
        if name.isEmpty && version.isEmpty { return .empty }
        if let scope = scopes[name]?[version] { return scope }
        let scope = InstrumentationScope(name: name, version: version)
        scopes[name, default: [:]][version] = scope
        return scope
    }

    private func span(_ s: inout JSONScanner) throws(ScanError) -> Span {
        var traceID = TraceID.zero, spanID = SpanID.zero, parent = SpanID.zero
        var name = "", kind = SpanKind.unspecified, service = ""
        var start = Timestamp.unknown, duration: Int64?
        var isError = false, errorText = ""
        var attributes: [UInt8] = [], events: [UInt8] = []
        var counts = (0, 0)
        var remoteService: String?
        var statusCode: SpanStatus.Code?, statusDescription = ""
        var scopeName = "", scopeVersion = "", traceState = ""
        var shared = false
        guard try s.beginObject() else { throw s.fail("an empty Zipkin span") }
        repeat {
            let key = try s.readKey()
            if key.equals("traceId") {
                guard let id = s.parseTraceID(try s.readRawString()) else { throw .malformed("traceId is not hex", offset: s.position) }
                traceID = id
            } else if key.equals("id") {
                guard let id = s.parseSpanID(try s.readRawString()) else { throw .malformed("id is not hex", offset: s.position) }
                spanID = id
            } else if key.equals("parentId") {
                if try !s.consumeNull() {
                    guard let id = s.parseSpanID(try s.readRawString()) else { throw .malformed("parentId is not hex", offset: s.position) }
                    parent = id
                }
            } else if key.equals("name") {
                name = try string(&s)
            } else if key.equals("kind") {
                switch try string(&s) {
                case "SERVER": kind = .server
                case "CLIENT": kind = .client
                case "PRODUCER": kind = .producer
                case "CONSUMER": kind = .consumer
                default: kind = .unspecified
                }
            } else if key.equals("timestamp") {
                start = try s.readInt() &* 1_000
            } else if key.equals("duration") {
                duration = try s.readInt() &* 1_000
            } else if key.equals("localEndpoint") {
                service = try endpointService(&s) ?? ""
            } else if key.equals("remoteEndpoint") {
                remoteService = try endpointService(&s)
            } else if key.equals("tags") {
                if try !s.consumeNull(), try s.beginObject() {
                    repeat {
                        let k = try s.readKey()
                        if k.equals("error") { isError = true }
                        try strings.writeKey(k, into: &attributes, offset: s.position)
                        if try s.peek() == UInt8(ascii: "\"") {
                            let raw = try s.readRawString()
                            if k.equals("error") {
                                errorText = try strings.string(raw, offset: s.position)
                            } else if k.equals("otel.status_code") {
                                switch try strings.string(raw, offset: s.position) {
                                case "ERROR": statusCode = .error
                                case "OK": statusCode = .ok
                                default: statusCode = statusCode ?? .unset
                                }
                            } else if k.equals("otel.status_description") {
                                statusDescription = try strings.string(raw, offset: s.position)
                            } else if k.equals("otel.scope.name") || k.equals("otel.library.name") {
                                scopeName = try strings.string(raw, offset: s.position)
                            } else if k.equals("otel.scope.version") || k.equals("otel.library.version") {
                                scopeVersion = try strings.string(raw, offset: s.position)
                            } else if k.equals("w3c.tracestate") {
                                traceState = try strings.string(raw, offset: s.position)
                            }
                            try strings.writeValue(raw, into: &attributes, offset: s.position)
                        } else {
                            try s.writeGenericValue(strings, into: &attributes)
                        }
                        counts.0 += 1
                    } while try s.nextMember()
                }
            } else if key.equals("annotations") {
                counts.1 += try s.forEachElement { (s) throws(ScanError) in
                    var time = Timestamp.unknown
                    var value: RawBytes?
                    if try s.beginObject() {
                        repeat {
                            let k = try s.readKey()
                            if k.equals("timestamp") { time = try s.readInt() &* 1_000 } else if k.equals("value") { value = try s.readRawString() } else { try s.skipValue() }
                        } while try s.nextMember()
                    }
                    try self.strings.finishEvent(&events, slot: PackedBytes.countSlot(&events), attributes: 0, name: value,
                                                 time: time, dropped: 0, offset: s.position)
                }
            } else if key.equals("shared") {
                var probe = s
                shared = (try? probe.readBool()) == true
                try s.skipValue()
            } else {
                try s.skipValue()
            }
        } while try s.nextMember()
        if let remoteService {
            PackedBytes.attribute(&attributes, Attribute("peer.service", .string(remoteService)), symbols: strings.symbols)
            counts.0 += 1
        }
        return Span(traceID: traceID, spanID: spanID, parentSpanID: parent, name: name, kind: kind,
                    startTime: start, endTime: duration.map { start == Timestamp.unknown ? Timestamp.unknown : start &+ $0 } ?? start,
                    details: SpanDetails(attributes: attributes, attributeCount: counts.0, events: events, eventCount: counts.1,
                                         links: [], linkCount: 0, symbols: strings.symbols),
                    status: status(isError: isError, errorText: errorText, code: statusCode, description: statusDescription),
                    traceState: traceState, isRemote: shared, resource: resource(service), scope: scope(scopeName, scopeVersion))
    }

    /// With `otel.status_code` (the Collector's), the code it names (an `error` tag still makes
    /// an error) and `otel.status_description`; without, the `error` tag and its text.
    private func status(isError: Bool, errorText: String, code: SpanStatus.Code?, description: String) -> SpanStatus {
        guard let code else { return isError ? SpanStatus(code: .error, description: errorText) : .unset }
        if isError || code == .error { return SpanStatus(code: .error, description: description) }
        return code == .ok ? SpanStatus(code: .ok, description: description) : .unset
    }

    private func endpointService(_ s: inout JSONScanner) throws(ScanError) -> String? {
        var service: String?
        if try s.consumeNull() { return nil }
        guard try s.beginObject() else { return nil }
        repeat {
            let k = try s.readKey()
            if k.equals("serviceName") { service = try string(&s) } else { try s.skipValue() }
        } while try s.nextMember()
        return service
    }

    private func string(_ s: inout JSONScanner) throws(ScanError) -> String {
        if try s.consumeNull() { return "" }
        return try strings.string(try s.readRawString(), offset: s.position)
    }
}
