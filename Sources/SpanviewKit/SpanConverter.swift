import SpanFormats
import SpanIngest
import SpanModel
import SpanStore

/// `spanview convert`: spans read from sources, written in another format. OTLP, stdouttrace
/// and Zipkin are written a batch at a time as the input is read, in bounded memory (a 2 GB
/// file converts without being held; Zipkin's one list is opened before the first span and
/// closed after the last); Jaeger, whose document groups spans by trace, is written once
/// everything is read (duplicates dropped on the way, as the store drops them).
public struct SpanConverter {
    public let format: SpanWriterFormat
    /// Only traces whose ID starts with one of these (all when empty).
    public let traces: [TraceIDPrefix]

    public init(to format: SpanWriterFormat, traces: [TraceIDPrefix] = []) {
        self.format = format
        self.traces = traces
    }

    /// What a conversion did.
    public struct Report: Sendable {
        /// Each input's name, totals, problems, notices and end, as `summary` shows them.
        public var inputs: [InputStatus] = []
        public var spansWritten = 0
        public var tracesWritten = 0
        /// What the format could not hold of the spans written, in sentences.
        public var losses: [String] = []
    }

    /// Reads every source in turn and writes to `output` (not finished: the caller finishes
    /// it). Throws the output's failure; an input's failure is in its status.
    public func convert(_ sources: [any SpanSource], into output: OutputFile,
                        progress: ((Report) -> Void)? = nil) throws(InputError) -> Report {
        var report = Report()
        var seenTraces = Set<TraceID>()
        var store = TraceStore()
        var failure: InputError?
        // One buffer for every batch: a fresh one each time is megabytes allocated, faulted in
        // and given back per batch.
        var bytes: [UInt8] = []
        var losses = WriteLosses()
        var stream = format.streamWriter
        for (index, source) in sources.enumerated() {
            report.inputs.append(InputStatus(name: source.name, isLive: source.isLive, isEphemeral: source.isEphemeral))
            source.read { batch in
                report.inputs[index].take(batch)
                var spans = batch.spans
                if !traces.isEmpty { spans.removeAll { span in !traces.contains { $0.matches(span.traceID) } } }
                if stream != nil {
                    // An OTLP line at most `OutputFile.maxSpansPerWrite` spans, as the
                    // Collector's batches are, and a bounded buffer even when one value held a
                    // million spans (a Jaeger or Zipkin document is one batch).
                    do throws(InputError) {
                        try output.write(spans, to: &stream!, buffer: &bytes)
                    } catch {
                        failure = error
                        return false
                    }
                    losses.merge(format.losses(in: spans))
                    report.spansWritten += spans.count
                    for span in spans { seenTraces.insert(span.traceID) }
                } else {
                    store.insert(moving: &spans)
                }
                progress?(report)
                return true
            }
            if let failure { throw failure }
        }
        if let stream {
            try output.end(stream, buffer: &bytes)
            report.tracesWritten = seenTraces.count
            report.losses = losses.sentences
        } else {
            // Trace by trace, in the store's order (by start), written out 8 MiB at a time so
            // the document is never held whole.
            let spans = store.traces.flatMap(\.spans)
            try output.write(spans, as: format, buffer: &bytes)
            report.spansWritten = spans.count
            report.tracesWritten = store.traceCount
            report.losses = format.losses(in: spans).sentences
        }
        return report
    }
}
