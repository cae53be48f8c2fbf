import ArgumentParser
import Foundation
import SpanModel
import SpanviewTracing
import Tracing

/// `spanview-bench tracing --spans 1000000 --threads 2`: what starting and ending a span
/// costs with the batch processor (its exporter discards, so only the SDK is measured), as
/// the OpenTelemetry Go SDK's `BenchmarkStartEndSpan` measures it.
struct TracingBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tracing",
        abstract: "Measure starting and ending a span with the tracing SDK's batch processor (ns per span)."
    )

    @Option(help: "Spans per thread.")
    var spans = 1_000_000

    @Option(help: "Threads starting and ending spans at once.")
    var threads = 1

    @Flag(help: "Sample nothing (the cost of an unsampled span).")
    var sampledOut = false

    final class Discard: SpanExporter {
        func export(_ spans: [SpanModel.Span]) -> Bool { true }
    }

    func run() throws {
        let processor = BatchSpanProcessor(exporter: Discard(), configuration: .init(maxQueueSize: 2048, scheduledDelay: 0.05))
        let tracer = SpanviewTracer(serviceName: "bench", sampler: sampledOut ? AlwaysOffSampler() : AlwaysOnSampler(),
                                    processor: processor)
        let n = spans
        let group = DispatchGroup()
        let start = DispatchTime.now().uptimeNanoseconds
        for _ in 0..<threads {
            group.enter()
            Thread {
                for _ in 0..<n {
                    let span = tracer.startSpan("operation", context: .topLevel)
                    span.end()
                }
                group.leave()
            }.start()
        }
        group.wait()
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start)
        tracer.shutdown()
        let total = n * threads
        print("""
        \(threads) thread\(threads == 1 ? "" : "s"), \(total) spans\(sampledOut ? " (sampled out)" : ""): \
        \(String(format: "%.0f", elapsed / Double(n))) ns per span per thread, \(String(format: "%.0f", elapsed / Double(total))) ns per span overall; \
        exported \(processor.exportedSpans), dropped \(processor.droppedSpans) (queue full)
        """)
    }
}
