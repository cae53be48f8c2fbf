import SpanFormats
import Tracing

/// spanview's own spans for reading one input (`--self-trace`): one for the input, and one
/// per batch it delivered, from the previous batch to this one, with the bytes, spans and
/// problems it brought. Through `InstrumentationSystem.tracer`, so when nothing was
/// bootstrapped they cost a check of `isRecording`. Never one per span.
struct SourceSpans {
    private let input: any Tracing.Span
    private var batchStart = DefaultTracerClock.now
    private var bytes: Int64 = 0
    private var batches = 0

    init(_ source: any SpanSource, parent: InstrumentationContext) {
        input = InstrumentationSystem.tracer.startSpan("read input", context: parent, ofKind: .internal)
        if input.isRecording {
            input.attributes["input.name"] = source.name
            input.attributes["input.live"] = source.isLive
        }
    }

    mutating func took(_ batch: ReadBatch) {
        guard input.isRecording, !(batch.isEmpty && batch.end == nil && batch.progress == nil) else { return }
        let chunk = InstrumentationSystem.tracer.startSpan("decode chunk", context: input.context, ofKind: .internal, at: batchStart)
        chunk.attributes["bytes"] = Int(batch.stats.bytes - bytes)
        chunk.attributes["spans"] = batch.spans.count
        chunk.attributes["problems"] = batch.problems.count
        chunk.attributes["log_lines"] = batch.logLines.count
        chunk.end()
        bytes = batch.stats.bytes
        batches += 1
        batchStart = DefaultTracerClock.now
        if let end = batch.end {
            input.attributes["bytes"] = Int(batch.stats.bytes)
            input.attributes["spans"] = batch.stats.spans
            input.attributes["problems"] = batch.stats.skipped
            input.attributes["batches"] = batches
            if let failure = end.failure { input.setStatus(SpanStatus(code: .error, message: failure)) }
        }
    }

    func end() { input.end() }
}
