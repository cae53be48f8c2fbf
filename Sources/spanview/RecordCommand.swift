import ArgumentParser
import Dispatch
import SpanFormats
import SpanNetwork
import SpanviewKit
#if canImport(Glibc)
import Glibc
#endif

/// `spanview record --listen ADDR -o FILE`: receives OTLP/HTTP headlessly, appending each
/// request's spans to FILE as one OTLP/JSON line, until SIGINT or SIGTERM; then prints the counts.
struct RecordCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "record",
        abstract: "Receive spans over OTLP/HTTP without the viewer, appending them to a file as OTLP JSON lines.",
        discussion: "Runs until interrupted (SIGINT or SIGTERM), then prints what it received. Read the file back with any command: spanview record --listen 4318 -o spans.jsonl; spanview spans.jsonl"
    )

    @OptionGroup var listen: ListenOptions

    @Option(name: [.customShort("o"), .long], help: ArgumentHelp("The file to append to (created if missing).", valueName: "file"))
    var output: String

    func validate() throws {
        if listen.listen == nil { throw ValidationError("record needs --listen [HOST:]PORT") }
    }

    func run() throws {
        guard let file = fopen(output, "a") else {
            CommandSupport.fail("cannot write '\(output)': \(String(cString: strerror(errno)))")
        }
        // Signals are taken on a queue of their own: the receiver stops, the reader below
        // writes what was accepted and returns.
        signal(SIGINT, SIG_IGN)
        signal(SIGTERM, SIG_IGN)
        guard let receiver = listen.startReceiver() else { return }
        let signals = [SIGINT, SIGTERM].map { number in
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { receiver.stop() }
            source.resume()
            return source
        }
        StandardError().write("spanview: listening on http://\(receiver.name.dropFirst("OTLP/HTTP ".count))/v1/traces, writing to \(output)\n")

        var spans = 0
        var lines = 0
        var writeFailed: Int32?
        var bytes: [UInt8] = []
        receiver.read { batch in
            guard !batch.spans.isEmpty else { return true }
            bytes.removeAll(keepingCapacity: true)
            OTLPJSONWriter.write(batch.spans, into: &bytes)
            if bytes.last != UInt8(ascii: "\n") { bytes.append(UInt8(ascii: "\n")) }
            if fwrite(bytes, 1, bytes.count, file) != bytes.count || fflush(file) != 0 {
                writeFailed = errno
                receiver.stop()
                return false
            }
            spans += batch.spans.count
            lines += 1
            return true
        }
        receiver.stop()
        fclose(file)
        _ = signals
        let counts = receiver.currentCounts
        if let writeFailed {
            CommandSupport.fail("writing '\(output)': \(String(cString: strerror(writeFailed)))")
        }
        print("received \(spans) spans in \(lines) requests into \(output); \(counts.rejectedSpans) spans rejected, \(counts.failedRequests) requests refused, \(counts.throttledRequests) throttled"
              + (counts.rateLimitedRequests > 0 ? ", \(counts.rateLimitedRequests) over the rate limit" : "")
              + (counts.refusedConnections + counts.timedOutConnections > 0
                 ? "; \(counts.refusedConnections) connections over the limit, \(counts.timedOutConnections) timed out" : ""))
    }
}
