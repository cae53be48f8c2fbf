import SpanModel

/// Which decoder reads a top-level value, by its content (each value on its own, so formats
/// may share a stream): OTLP/JSON by its `resourceSpans` (or Jaeger api_v3's `result`, or
/// Tempo's `trace` object or `batches` list),
/// Zipkin v2 by `traceId` and `id`, Python's console exporter by `context`, Jaeger by `data`,
/// `traceID` or `processes`, and the Go
/// stdouttrace decoder for everything else (which also skips JSON that is not a span).
public final class SpanDecoder {
    public let strings: StringTable
    let go: GoStdouttraceDecoder
    let otlp: OTLPJSONDecoder
    let zipkin: ZipkinDecoder
    let python: PythonConsoleDecoder
    let jaeger: JaegerDecoder
    /// Formats that produced spans so far, in the order first met.
    @exclusivity(unchecked)
    public private(set) var formats: [SpanFormat] = []

    public typealias Format = SpanFormat

    /// With `only`, every value is read as that format (tests and fuzzers that aim at one
    /// decoder); otherwise each value's format is recognised from its content.
    public let only: Format?

    public init(strings: StringTable = StringTable(), only: Format? = nil) {
        self.strings = strings
        self.only = only
        go = GoStdouttraceDecoder(strings: strings)
        otlp = OTLPJSONDecoder(strings: strings)
        zipkin = ZipkinDecoder(strings: strings)
        python = PythonConsoleDecoder(strings: strings)
        jaeger = JaegerDecoder(strings: strings)
    }

    /// Decodes one top-level value with the decoder its content calls for.
    public func decodeTopLevel(_ s: inout JSONScanner, into spans: inout [Span]) throws(ScanError) -> Bool {
        strings.valueBoundary()
        let format: Format
        if let only { format = only } else { format = try classify(s) }
        let found: Bool
        switch format {
        case .go: found = try go.decodeTopLevel(&s, into: &spans)
        case .otlp: found = try otlp.decodeTopLevel(&s, into: &spans)
        case .zipkin: found = try zipkin.decodeTopLevel(&s, into: &spans)
        case .python: found = try python.decodeTopLevel(&s, into: &spans)
        case .jaeger: found = try jaeger.decodeTopLevel(&s, into: &spans)
        case .otlpProtobuf:
            // Not JSON: bodies in protobuf go to OTLPProtobufDecoder, not through this decoder.
            try s.skipValue()
            found = false
        }
        if found && !formats.contains(format) { formats.append(format) }
        return found
    }

    /// Looks at the first keys of the value (of its first element, for a list).
    func classify(_ start: JSONScanner) throws(ScanError) -> Format {
        var s = start
        if s.consume(#"{"Name":"#) { return .go }   // the Go exporter's compact layout, at once
        if try s.peek() == UInt8(ascii: "[") {
            guard try s.beginArray(), try s.peek() == UInt8(ascii: "{") else { return .go }
            try s.enterNested()
            let inner = try classify(s)
            return inner == .python || inner == .otlp ? .go : inner   // lists: Go batches or Zipkin
        }
        guard try s.peek() == UInt8(ascii: "{"), try s.beginObject() else { return .go }
        for _ in 0..<16 {
            let key = try s.readKey()
            switch key.count {
            case 4 where key.equals("Name"), 11 where key.equals("SpanContext"): return .go
            case 13 where key.equals("resourceSpans"), 6 where key.equals("result"),
                 12 where key.equals("resourceLogs"), 15 where key.equals("resourceMetrics"): return .otlp
            case 5 where key.equals("trace"), 7 where key.equals("batches"):
                // Tempo's answers. Only with the value they have there (an object, a list of
                // objects), so a JSON log line's `"trace":"…"` stays with the Go decoder,
                // which counts it as a value that is not a span.
                var value = s
                if key.count == 5 {
                    if try value.peek() == UInt8(ascii: "{") { return .otlp }
                } else if try value.peek() == UInt8(ascii: "[") {
                    guard try value.beginArray() else { return .otlp }
                    if try value.peek() == UInt8(ascii: "{") { return .otlp }
                }
            case 7 where key.equals("traceId"), 2 where key.equals("id"), 13 where key.equals("localEndpoint"): return .zipkin
            case 7 where key.equals("context"): return .python
            case 4 where key.equals("data"), 7 where key.equals("traceID"), 9 where key.equals("processes"): return .jaeger
            default: break   // e.g. "name", which Zipkin and Python both have: look further
            }
            try s.skipValue()
            guard try s.nextMember() else { break }
        }
        return .go
    }
}
