import SpanModel

/// The formats spanview writes (`convert --to`, the viewer's `w`), each by its byte-level writer.
public enum SpanWriterFormat: String, CaseIterable, Sendable {
    /// OTLP/JSON lines, as the Collector's file exporter writes them (`OTLPJSONWriter`).
    case otlp
    /// The Go SDK's stdouttrace layout, one span a line (`StdouttraceWriter`).
    case stdouttrace
    /// The same, tab-indented as `WithPrettyPrint()` writes it.
    case stdouttracePretty = "stdouttrace-pretty"
    /// Jaeger's `{"data": [...]}` document, as its UI uploads it (`JaegerJSONWriter`).
    case jaeger
    /// Zipkin v2: one JSON array of spans (`ZipkinWriter`).
    case zipkin

    /// The format a file name asks for by its ending (`.gz` aside): `x.otlp.jsonl`,
    /// `x.stdouttrace.jsonl`, `x.jaeger.json`, `x.zipkin.json`; nil when it names none.
    public static func named(byFile name: String) -> SpanWriterFormat? {
        var lower = name.lowercased()
        if lower.hasSuffix(".gz") { lower.removeLast(3) }
        for ending in [".json", ".jsonl", ".ndjson", ".txt"] where lower.hasSuffix(ending) {
            lower.removeLast(ending.count)
            break
        }
        if lower.hasSuffix(".otlp") { return .otlp }
        if lower.hasSuffix(".stdouttrace") || lower.hasSuffix(".go") { return .stdouttrace }
        if lower.hasSuffix(".jaeger") { return .jaeger }
        if lower.hasSuffix(".zipkin") { return .zipkin }
        return nil
    }

    /// Appends `spans` in this format: OTLP one line, stdouttrace a line a span, Jaeger and
    /// Zipkin one whole document, handed to `flush` piece by piece whenever `out` holds
    /// `flushingOver` bytes after a whole trace or span (`flush` takes the bytes and empties
    /// `out`), so it is never held whole. OTLP and stdouttrace write all of `spans` into `out`
    /// (a caller bounds them by giving fewer spans; `streamWriter` writes batch after batch).
    public func write(_ spans: some Collection<Span>, into out: inout [UInt8],
                      flushingOver limit: Int = .max, flush: (inout [UInt8]) -> Void = { _ in }) {
        switch self {
        case .otlp: OTLPJSONWriter.write(spans, into: &out)
        case .stdouttrace: StdouttraceWriter.write(spans, into: &out)
        case .stdouttracePretty: StdouttraceWriter.write(spans, pretty: true, into: &out)
        case .jaeger: JaegerJSONWriter.write(spans, into: &out, flushingOver: limit, flush: flush)
        case .zipkin: ZipkinWriter.write(spans, into: &out, flushingOver: limit, flush: flush)
        }
    }

    /// What this format could not hold of `spans`, counted (docs/formats.md, "Writing").
    public func losses(in spans: some Collection<Span>) -> WriteLosses {
        switch self {
        case .otlp: OTLPLosses.count(in: spans)
        case .stdouttrace, .stdouttracePretty: StdouttraceWriter.losses(in: spans)
        case .jaeger: JaegerJSONWriter.losses(in: spans)
        case .zipkin: ZipkinWriter.losses(in: spans)
        }
    }
}

/// Writes one format batch after batch as spans are read, so that what is written never waits
/// for the end of the input: OTLP a line a batch, stdouttrace a line a span, Zipkin's one list
/// opened before the first span and closed by `end` (`SpanWriterFormat.streamWriter`).
public struct SpanStreamWriter: Sendable {
    private let format: SpanWriterFormat
    private var zipkin: ZipkinWriter.ListWriter?

    fileprivate init(_ format: SpanWriterFormat) {
        self.format = format
        zipkin = format == .zipkin ? ZipkinWriter.ListWriter() : nil
    }

    /// Appends the next spans.
    public mutating func append(_ spans: some Collection<Span>, into out: inout [UInt8]) {
        if zipkin != nil { zipkin!.append(spans, into: &out) } else { format.write(spans, into: &out) }
    }

    /// Closes what needs closing once the last span is written (Zipkin's list).
    public func end(into out: inout [UInt8]) {
        zipkin?.end(into: &out)
    }
}

extension SpanWriterFormat {
    /// A writer for this format batch after batch as spans are read; nil for Jaeger, whose
    /// document groups the spans by trace and so is written once they are all read.
    public var streamWriter: SpanStreamWriter? {
        self == .jaeger ? nil : SpanStreamWriter(self)
    }
}
