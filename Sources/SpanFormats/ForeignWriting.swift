import SpanModel

/// What the Jaeger and Zipkin writers share: the OpenTelemetry Collector's tag names for what
/// those formats have no field for, attribute values as text, and times in microseconds.
enum ForeignWriting {
    static let spanKind = "span.kind"
    static let statusCode = "otel.status_code"
    static let statusDescription = "otel.status_description"
    static let error = "error"
    static let scopeName = "otel.scope.name"
    static let scopeVersion = "otel.scope.version"
    static let traceState = "w3c.tracestate"
    /// The scope's older names, which the readers take as well.
    static let libraryName = "otel.library.name"
    static let libraryVersion = "otel.library.version"

    /// Microseconds, rounded down (toward the past, also before 1970), as both writers write
    /// every time, so a span's ends keep their order.
    @inline(__always)
    static func micros(_ ns: Int64) -> Int64 {
        let q = ns / 1_000
        return ns % 1_000 < 0 ? q - 1 : q
    }

    /// A span's start and duration in microseconds: nil start when unknown, nil duration when
    /// the end is unknown. The duration is the difference of the rounded ends, so the end read
    /// back is the end rounded down like the start.
    static func microTimes(_ span: Span) -> (start: Int64?, duration: Int64?) {
        guard span.startTime != Timestamp.unknown else { return (nil, nil) }
        let start = micros(span.startTime)
        guard span.endTime != Timestamp.unknown else { return (start, nil) }
        return (start, micros(span.endTime) - start)
    }

    /// A value as the text of a string tag: strings as they are, integers in decimal, `true`
    /// or `false`, floats as JSON writes them (`NaN`, `Infinity`, `-Infinity` bare), bytes as
    /// standard base64, arrays and maps as their JSON (`["a",1]`, `{"k":"v"}`, bytes inside as
    /// base64 strings, no value inside as `null`), no value as the empty string, a value of an
    /// unknown type as its JSON text.
    static func text(_ value: AttributeValue) -> String {
        switch value {
        case .string(let s): return s
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .double(let d):
            if d.isNaN { return "NaN" }
            if d.isInfinite { return d < 0 ? "-Infinity" : "Infinity" }
            var bytes: [UInt8] = []
            GoFloatText.append(d, into: &bytes)
            return String(decoding: bytes, as: UTF8.self)
        case .bytes(let b):
            var bytes: [UInt8] = []
            Base64.encode(b, into: &bytes)
            return String(decoding: bytes, as: UTF8.self)
        case .empty: return ""
        case .unknown(_, let json):
            var w = JSONOutput(pretty: false)
            w.rawJSON(json)
            return String(decoding: w.bytes, as: UTF8.self)
        case .stringArray, .boolArray, .intArray, .doubleArray, .array, .map:
            var w = JSONOutput(pretty: false)
            json(&w, value)
            return String(decoding: w.bytes, as: UTF8.self)
        }
    }

    /// Whether `text(value)` is the value itself (a string) or a stand-in.
    static func isString(_ value: AttributeValue) -> Bool {
        if case .string = value { return true }
        return false
    }

    static func json(_ w: inout JSONOutput, _ value: AttributeValue) {
        switch value {
        case .string(let s): w.string(s)
        case .bool(let b): w.bool(b)
        case .int(let i): w.int(i)
        case .double(let d): w.double(d)
        case .bytes(let b): w.base64(b)
        case .empty: w.raw("null")
        case .unknown(_, let json): w.rawJSON(json)
        case .stringArray(let l): list(&w, l.count) { json(&$0, .string(l[$1])) }
        case .boolArray(let l): list(&w, l.count) { json(&$0, .bool(l[$1])) }
        case .intArray(let l): list(&w, l.count) { json(&$0, .int(l[$1])) }
        case .doubleArray(let l): list(&w, l.count) { json(&$0, .double(l[$1])) }
        case .array(let l): list(&w, l.count) { json(&$0, l[$1]) }
        case .map(let l):
            w.beginObject()
            for a in l {
                w.dynamicKey(a.key)
                json(&w, a.value)
            }
            w.endObject()
        }
    }

    private static func list(_ w: inout JSONOutput, _ count: Int, _ element: (inout JSONOutput, Int) -> Void) {
        w.beginArray()
        for i in 0..<count {
            w.element()
            element(&w, i)
        }
        w.endArray()
    }

    /// A trace ID as Jaeger and Zipkin write it: 16 hex digits when its high half is zero,
    /// else 32.
    static func traceID(_ w: inout JSONOutput, _ id: TraceID) {
        w.byte(UInt8(ascii: "\""))
        if id.high != 0 { w.hex(id.high, digits: 16) }
        w.hex(id.low, digits: 16)
        w.byte(UInt8(ascii: "\""))
    }
}

