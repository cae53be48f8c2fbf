import SpanModel

/// Which decoder reads a top-level value, by its content: an object whose first key is
/// `resourceSpans` (or `result`, Jaeger's api_v3 wrapper) is OTLP/JSON; anything else goes
/// to the Go stdouttrace decoder (which also skips JSON that is not a span).
public final class SpanDecoder {
    public let strings: StringTable
    let go: GoStdouttraceDecoder
    let otlp: OTLPJSONDecoder
    /// Formats that produced spans so far.
    public private(set) var formats: [String] = []

    public init(strings: StringTable = StringTable()) {
        self.strings = strings
        go = GoStdouttraceDecoder(strings: strings)
        otlp = OTLPJSONDecoder(strings: strings)
    }

    public func decodeTopLevel(_ s: inout JSONScanner, into spans: inout [Span]) throws(ScanError) -> Bool {
        var probe = s
        var isOTLP = false
        if try probe.peek() == UInt8(ascii: "{"), try probe.beginObject() {
            let key = try probe.readKey()
            isOTLP = key.equals("resourceSpans") || key.equals("result") || key.equals("resourceLogs") || key.equals("resourceMetrics")
        }
        let found = isOTLP ? try otlp.decodeTopLevel(&s, into: &spans) : try go.decodeTopLevel(&s, into: &spans)
        if found {
            let name = isOTLP ? "otlp-json" : "go-stdouttrace"
            if !formats.contains(name) { formats.append(name) }
        }
        return found
    }
}
