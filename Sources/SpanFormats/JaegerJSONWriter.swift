import SpanModel

/// Writes spans as the JSON document the Jaeger UI uploads and its query API
/// (`/api/traces/{id}`) answers: `{"data":[trace…],"total":0,"limit":0,"offset":0,"errors":null}`,
/// one trace per trace ID in order of first appearance, each `{"traceID", "spans", "processes",
/// "warnings":null}` with its spans in their order. Read back by `JaegerDecoder`.
///
/// A span: `traceID` (16 hex digits when its high half is zero, else 32), `spanID`, `flags`
/// (the trace flags, left out when 0), `operationName`, `references` (the parent first, as
/// `CHILD_OF`, or `FOLLOWS_FROM` for `parentIsFollowsFrom`; then each link as `FOLLOWS_FROM`),
/// `startTime` and `duration` in microseconds (each end rounded down; both left out without a
/// start, the duration without an end), `tags`, `logs` (events: `timestamp` in microseconds,
/// `fields` with the name as `event` first, then the attributes), `processID`, `"warnings":null`.
///
/// Tags are typed `string`, `bool`, `int64`, `float64` (NaN and infinities as the strings
/// `"NaN"`, `"Infinity"`, `"-Infinity"`) or `binary` (base64). Jaeger has no arrays, maps or
/// empty values: an array or map is a `string` tag holding its JSON, as the Collector writes
/// it (the text `ZipkinWriter.tagText` gives), no value the empty
/// string, an unknown type its JSON text. After the attributes come the Collector's
/// OTLP→Jaeger tags for what Jaeger has no field for: `span.kind` (`client`, `server`,
/// `producer`, `consumer`, `internal`; none when unspecified), `otel.status_code` (`OK` or
/// `ERROR`), `otel.status_description`, `error` = true for an error, `otel.scope.name`,
/// `otel.scope.version`, `w3c.tracestate`. Attributes under those keys (and logs' attributes
/// named `event`) are left out: the span's own fields say it. A resource is a process, `pN` in
/// order of first appearance in the trace, identical resources sharing one: its first
/// `service.name` is `serviceName`, its other attributes the process's tags.
///
/// What Jaeger cannot hold (docs/formats.md, "Writing Jaeger JSON", and `losses(in:)`):
/// nanoseconds, scope attributes and schema URL, links' attributes and trace state, remote
/// flags, dropped counts, child span counts (not in `losses(in:)`: the tree gives them again), a
/// status description without a status.
public enum JaegerJSONWriter {
    /// Appends one Jaeger JSON document (one line) holding `spans` (nothing for no spans).
    /// Whenever `out` holds `flushingOver` bytes or more after a whole trace, it is handed to
    /// `flush`, which takes the bytes (writes them and empties it), so that a big document is
    /// never held whole.
    public static func write(_ spans: some Collection<Span>, into out: inout [UInt8],
                             flushingOver limit: Int = .max, flush: (inout [UInt8]) -> Void = { _ in }) {
        guard !spans.isEmpty else { return }
        var traceIndex: [TraceID: Int] = [:]
        var traces: [[Span]] = []
        for span in spans {
            if let i = traceIndex[span.traceID] {
                traces[i].append(span)
            } else {
                traceIndex[span.traceID] = traces.count
                traces.append([span])
            }
        }

        var w = JSONOutput(pretty: false)
        swap(&w.bytes, &out)
        defer { swap(&w.bytes, &out) }
        w.beginObject()
        w.key("\"data\":")
        w.beginArray()
        for trace in traces {
            // Processes: identical resources share one (identity tried before value).
            var byIdentity: [ObjectIdentifier: Int] = [:]
            var byValue: [Resource: Int] = [:]
            var processes: [Resource] = []
            var processOf: [Int] = []
            processOf.reserveCapacity(trace.count)
            for span in trace {
                let id = ObjectIdentifier(span.resource)
                if let p = byIdentity[id] {
                    processOf.append(p)
                } else if let p = byValue[span.resource] {
                    byIdentity[id] = p
                    processOf.append(p)
                } else {
                    byIdentity[id] = processes.count
                    byValue[span.resource] = processes.count
                    processOf.append(processes.count)
                    processes.append(span.resource)
                }
            }
            w.element()
            w.beginObject()
            w.key("\"traceID\":")
            ForeignWriting.traceID(&w, trace[0].traceID)
            w.key("\"spans\":")
            w.beginArray()
            for (span, p) in zip(trace, processOf) {
                w.element()
                write(span, process: p, into: &w)
            }
            w.endArray()
            w.key("\"processes\":")
            w.beginObject()
            for (i, resource) in processes.enumerated() {
                w.dynamicKey(processID(i))
                w.beginObject()
                w.key("\"serviceName\":")
                let service = resource.attributes.first { $0.key == "service.name" }
                w.string(service.map { ForeignWriting.text($0.value) } ?? "")
                w.key("\"tags\":")
                w.beginArray()
                for a in resource.attributes where a.key != "service.name" { tag(&w, a.key, a.value) }
                w.endArray()
                w.endObject()
            }
            w.endObject()
            w.key("\"warnings\":")
            w.raw("null")
            w.endObject()
            if w.bytes.count >= limit { flush(&w.bytes) }
        }
        w.endArray()
        w.key("\"total\":")
        w.raw("0")
        w.key("\"limit\":")
        w.raw("0")
        w.key("\"offset\":")
        w.raw("0")
        w.key("\"errors\":")
        w.raw("null")
        w.endObject()
        w.byte(UInt8(ascii: "\n"))
    }

    private static func processID(_ i: Int) -> String { "p\(i + 1)" }

    /// The tag keys the writer fills from the span's own fields; attributes under them are left out.
    static func isReserved(_ key: String) -> Bool {
        switch key {
        case ForeignWriting.spanKind, ForeignWriting.statusCode, ForeignWriting.statusDescription, ForeignWriting.error,
             ForeignWriting.scopeName, ForeignWriting.scopeVersion, ForeignWriting.traceState,
             ForeignWriting.libraryName, ForeignWriting.libraryVersion:
            true
        default:
            false
        }
    }

    private static func write(_ span: Span, process: Int, into w: inout JSONOutput) {
        w.beginObject()
        w.key("\"traceID\":")
        ForeignWriting.traceID(&w, span.traceID)
        w.key("\"spanID\":")
        w.spanID(span.spanID)
        if span.traceFlags != 0 {
            w.key("\"flags\":")
            w.unsigned(UInt64(span.traceFlags))
        }
        w.key("\"operationName\":")
        w.string(span.name)
        w.key("\"references\":")
        w.beginArray()
        if !span.parentSpanID.isZero {
            reference(&w, followsFrom: span.parentIsFollowsFrom, trace: span.traceID, span: span.parentSpanID)
        }
        for link in span.links {
            reference(&w, followsFrom: true, trace: link.traceID, span: link.spanID)
        }
        w.endArray()
        let (start, duration) = ForeignWriting.microTimes(span)
        if let start {
            w.key("\"startTime\":")
            w.int(start)
            w.key("\"duration\":")
            w.int(duration ?? 0)
        }
        w.key("\"tags\":")
        w.beginArray()
        for a in span.attributes where !isReserved(a.key) { tag(&w, a.key, a.value) }
        if span.kind != .unspecified { tag(&w, ForeignWriting.spanKind, .string(span.kind.name)) }
        switch span.status.code {
        case .unset: break
        case .ok: tag(&w, ForeignWriting.statusCode, .string("OK"))
        case .error: tag(&w, ForeignWriting.statusCode, .string("ERROR"))
        }
        if span.status.code != .unset && !span.status.description.isEmpty {
            tag(&w, ForeignWriting.statusDescription, .string(span.status.description))
        }
        if span.status.code == .error { tag(&w, ForeignWriting.error, .bool(true)) }
        if !span.scope.name.isEmpty { tag(&w, ForeignWriting.scopeName, .string(span.scope.name)) }
        if !span.scope.version.isEmpty { tag(&w, ForeignWriting.scopeVersion, .string(span.scope.version)) }
        if !span.traceState.isEmpty { tag(&w, ForeignWriting.traceState, .string(span.traceState)) }
        w.endArray()
        w.key("\"logs\":")
        w.beginArray()
        for event in span.events {
            w.element()
            w.beginObject()
            if event.time != Timestamp.unknown {
                w.key("\"timestamp\":")
                w.int(ForeignWriting.micros(event.time))
            }
            w.key("\"fields\":")
            w.beginArray()
            tag(&w, "event", .string(event.name))
            for a in event.attributes where a.key != "event" { tag(&w, a.key, a.value) }
            w.endArray()
            w.endObject()
        }
        w.endArray()
        w.key("\"processID\":")
        w.string(processID(process))
        w.key("\"warnings\":")
        w.raw("null")
        w.endObject()
    }

    private static func reference(_ w: inout JSONOutput, followsFrom: Bool, trace: TraceID, span: SpanID) {
        w.element()
        w.beginObject()
        w.key("\"refType\":")
        if followsFrom { w.raw("\"FOLLOWS_FROM\"") } else { w.raw("\"CHILD_OF\"") }
        w.key("\"traceID\":")
        ForeignWriting.traceID(&w, trace)
        w.key("\"spanID\":")
        w.spanID(span)
        w.endObject()
    }

    /// `{"key", "type", "value"}` as an element of a tag list.
    private static func tag(_ w: inout JSONOutput, _ key: String, _ value: AttributeValue) {
        w.element()
        w.beginObject()
        w.key("\"key\":")
        w.string(key)
        w.key("\"type\":")
        switch value {
        case .string(let s):
            w.raw("\"string\"")
            w.key("\"value\":")
            w.string(s)
        case .bool(let b):
            w.raw("\"bool\"")
            w.key("\"value\":")
            w.bool(b)
        case .int(let i):
            w.raw("\"int64\"")
            w.key("\"value\":")
            w.int(i)
        case .double(let d):
            w.raw("\"float64\"")
            w.key("\"value\":")
            w.double(d)
        case .bytes(let b):
            w.raw("\"binary\"")
            w.key("\"value\":")
            w.base64(b)
        default:
            w.raw("\"string\"")
            w.key("\"value\":")
            w.string(ForeignWriting.text(value))
        }
        w.endObject()
    }

    /// What writing `spans` as Jaeger JSON loses or changes, one sentence each with its
    /// count, only for what occurs (e.g. "3 links' attributes or trace state left out (Jaeger
    /// references hold only IDs)"); empty when Jaeger holds all of it. One pass.
    public static func losses(in spans: some Collection<Span>) -> WriteLosses {
        var nanos = 0, noEnd = 0, noStart = 0, reserved = 0, eventNamed = 0, asText = 0, linkDetails = 0, rootLinked = 0
        var zeroTraceLinks = 0, scopeExtras = 0, unsetDescription = 0, remote = 0, dropped = 0, noService = 0
        func ns(_ t: Int64) { if t != Timestamp.unknown && t % 1_000 != 0 { nanos += 1 } }
        /// Counts the values written as string tags, of the attributes not left out.
        func text(_ list: [Attribute], leavingOut: (String) -> Bool) {
            for a in list where !leavingOut(a.key) {
                switch a.value {
                case .string, .bool, .int, .double, .bytes: break
                default: asText += 1
                }
            }
        }
        var seenResources = Set<ObjectIdentifier>()
        for span in spans {
            ns(span.startTime)
            ns(span.endTime)
            if span.startTime != Timestamp.unknown && span.endTime == Timestamp.unknown { noEnd += 1 }
            if span.startTime == Timestamp.unknown && span.endTime != Timestamp.unknown { noStart += 1 }
            let attributes = span.attributes
            for a in attributes where isReserved(a.key) { reserved += 1 }
            text(attributes, leavingOut: isReserved)
            for event in span.events {
                ns(event.time)
                for a in event.attributes where a.key == "event" { eventNamed += 1 }
                text(event.attributes) { $0 == "event" }
                if event.droppedAttributeCount != 0 { dropped += 1 }
            }
            var linkedWithin = false
            for link in span.links {
                if !link.attributes.isEmpty || !link.traceState.isEmpty || link.droppedAttributeCount != 0 { linkDetails += 1 }
                if link.traceID.isZero { zeroTraceLinks += 1 }
                if link.traceID == span.traceID || link.traceID.isZero { linkedWithin = true }
            }
            if span.parentSpanID.isZero && linkedWithin { rootLinked += 1 }
            if !span.scope.attributes.isEmpty || !span.scope.schemaURL.isEmpty { scopeExtras += 1 }
            if span.status.code == .unset && !span.status.description.isEmpty { unsetDescription += 1 }
            if span.isRemote || span.parentIsRemote { remote += 1 }
            if span.droppedAttributeCount != 0 || span.droppedEventCount != 0 || span.droppedLinkCount != 0 { dropped += 1 }
            if seenResources.insert(ObjectIdentifier(span.resource)).inserted {
                let service = span.resource.attributes.first { $0.key == "service.name" }
                if service == nil || !ForeignWriting.isString(service!.value) { noService += 1 }
                text(span.resource.attributes) { $0 == "service.name" }
            }
        }
        var l = WriteLosses()
        l.add(nanos, "times with nanoseconds, rounded down to microseconds")
        l.add(noEnd, "spans without an end time read back ending at their start")
        l.add(noStart, "spans without a start time read back without an end time")
        l.add(asText, "arrays, maps, empty or unknown-type values written as string tags (their JSON text)")
        l.add(reserved, "attributes under span.kind, error, otel.status_code, otel.status_description, otel.scope.name, otel.scope.version, otel.library.name, otel.library.version or w3c.tracestate left out (the span's own fields are written there)")
        l.add(eventNamed, "event attributes named \"event\" left out (the log's name field)")
        l.add(linkDetails, "links' attributes or trace state left out (Jaeger references hold only IDs)")
        l.add(rootLinked, "root spans linked within their own trace read back as a FOLLOWS_FROM child of the linked span")
        l.add(zeroTraceLinks, "links without a trace ID read back in the span's own trace")
        l.add(scopeExtras, "spans' scope attributes or schema URL left out (only otel.scope.name and otel.scope.version are written)")
        l.add(unsetDescription, "status descriptions without a status code left out")
        l.add(remote, "spans' remote-context flags left out")
        l.add(dropped, "dropped-item counts left out")
        l.add(noService, "resources without a string service.name (serviceName written as its text, or empty)")
        return l
    }
}
