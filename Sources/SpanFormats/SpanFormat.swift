import SpanModel

/// The span formats spanview reads, named as reports and `summary --json` name them.
public enum SpanFormat: String, CaseIterable, Hashable, Sendable {
    /// The Go SDK's stdouttrace exporter: one span object per line, or pretty-printed.
    case go = "go-stdouttrace"
    /// OTLP/JSON as the Collector's file exporter writes it (and Jaeger api_v3's `result`).
    case otlp = "otlp-json"
    /// OTLP in protobuf, as an OTLP/HTTP export carries it (`OTLPProtobufDecoder`).
    case otlpProtobuf = "otlp-protobuf"
    case zipkin = "zipkin-v2"
    /// Python's `ConsoleSpanExporter`.
    case python = "python-console"
    /// Jaeger UI downloads and the query API's `data`.
    case jaeger = "jaeger-json"

    /// Formats as one label (`go-stdouttrace+otlp-json`), or `unknown` when none was seen.
    public static func label(_ formats: some Collection<SpanFormat>) -> String {
        formats.isEmpty ? "unknown" : formats.map(\.rawValue).joined(separator: "+")
    }
}

/// One format's decoder: reads one top-level JSON value (a span, a batch of spans, a
/// download) from a scanner, appending the spans it holds. `SpanDecoder` picks the decoder
/// for each value by its content.
public protocol SpanValueDecoder: AnyObject {
    /// The format this decoder reads.
    static var format: SpanFormat { get }
    /// Decodes the value at the scanner's position; false when it is well-formed JSON but
    /// not this format's spans (a log record, a metric). Throws for a bad value.
    func decodeTopLevel(_ s: inout JSONScanner, into spans: inout [Span]) throws(ScanError) -> Bool
}
