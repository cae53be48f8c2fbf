import ArgumentParser
import Foundation
import SpanFormats
import SpanModel

/// `spanview-bench write --spans 100000`: how fast the byte-level writers turn model spans
/// into each format (Go stdouttrace compact and pretty, OTLP/JSON, OTLP protobuf, Jaeger JSON,
/// Zipkin v2), and how many bytes a span takes in each. The spans are the synthetic traffic of `parse`, read
/// once; each writer then writes them all, in batches of 512 (the batch processor's size),
/// several times; then the protobuf is decoded back (`OTLPProtobufDecoder`).
struct WriteBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "write",
        abstract: "Measure the span writers (MB/s, spans/s, bytes a span) on synthetic traffic."
    )

    @Option(help: "Spans to write.")
    var spans = 100_000

    @Option(help: "Rounds per writer (the best is reported).")
    var rounds = 5

    func run() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("spanview-write-bench-\(getpid()).jsonl").path
        let fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0o600)
        _ = SyntheticTraces(spanCount: spans).write(to: fd)
        close(fd)
        defer { unlink(path) }
        let reader = SpanStreamReader(source: "bench")
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        var model = reader.feed(bytes).spans
        model += reader.finish().spans
        let batches = stride(from: 0, to: model.count, by: 512).map { Array(model[$0..<min($0 + 512, model.count)]) }
        print("\(model.count) spans (\(bytes.count / max(1, model.count)) bytes a span as read), batches of 512, best of \(rounds):")

        let writers: [(String, ([Span], inout [UInt8]) -> Void)] = [
            ("Go stdouttrace, compact", { batch, out in for span in batch { StdouttraceWriter.write(span, pretty: false, into: &out) } }),
            ("Go stdouttrace, pretty", { batch, out in for span in batch { StdouttraceWriter.write(span, pretty: true, into: &out) } }),
            ("OTLP/JSON", { batch, out in OTLPJSONWriter.write(batch, into: &out) }),
            ("OTLP protobuf", { batch, out in OTLPProtobufWriter.write(batch, into: &out) }),
            ("Jaeger JSON", { batch, out in JaegerJSONWriter.write(batch, into: &out) }),
            ("Zipkin v2", { batch, out in ZipkinWriter.write(batch, into: &out) }),
        ]
        for (name, write) in writers {
            var best = Double.infinity
            var total = 0
            for _ in 0..<rounds {
                var out: [UInt8] = []
                out.reserveCapacity(4 << 20)
                total = 0
                let start = DispatchTime.now().uptimeNanoseconds
                for batch in batches {
                    out.removeAll(keepingCapacity: true)
                    write(batch, &out)
                    total += out.count
                }
                best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
            }
            let name = name.padding(toLength: 24, withPad: " ", startingAt: 0)
            print("  \(name) \(String(format: "%7.1f", Double(total) / best / 1e6)) MB/s  \(String(format: "%9.0f", Double(model.count) / best)) spans/s  \(total / max(1, model.count)) bytes a span")
        }

        // And back: the protobuf batches through OTLPProtobufDecoder (what the OTLP receiver does).
        let encoded = batches.map { batch -> [UInt8] in
            var out: [UInt8] = []
            OTLPProtobufWriter.write(batch, into: &out)
            return out
        }
        let size = encoded.reduce(0) { $0 + $1.count }
        var best = Double.infinity
        var decoded = 0
        for _ in 0..<rounds {
            decoded = 0
            let start = DispatchTime.now().uptimeNanoseconds
            for body in encoded { decoded += OTLPProtobufDecoder.decode(body, source: "bench").spans.count }
            best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        let name = "OTLP protobuf, decoding".padding(toLength: 24, withPad: " ", startingAt: 0)
        print("  \(name) \(String(format: "%7.1f", Double(size) / best / 1e6)) MB/s  \(String(format: "%9.0f", Double(decoded) / best)) spans/s")
    }
}
