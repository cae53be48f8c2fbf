import ArgumentParser
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import SpanIngest
import SpanModel
import SpanviewApp
import SpanviewKit

/// `spanview-bench live-memory`: the viewer's live path in one process (a source, the inbox,
/// the real run loop on an in-memory terminal) fed through a pipe by
/// `EndlessTraces` at a steady rate, printing RSS and glibc's heap in use every few seconds:
/// whether what grows is held (heap) or only kept by the allocator (RSS alone); see
/// "Memory under endless live input" in docs/benchmarks.md.
struct LiveMemoryBench: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "live-memory", abstract: "RSS and heap in use under endless live input, in process.")
    @Option(help: "Spans per second.")
    var rate = 20_000
    @Option(help: "How long the writer writes.")
    var seconds = 300.0
    @Option(help: "As spanview's --max-spans.")
    var maxSpans = 100_000
    @Option(help: "Seconds between reports.")
    var every = 10.0
    @Flag(help: "No request IDs on two spans, no new keys, no IDs in names.")
    var noChurn = false

    func run() throws {
        var fds: [Int32] = [0, 0]
        _ = pipe(&fds)
        let (readEnd, writeEnd) = (fds[0], fds[1])
        let (rate, seconds, noChurn) = (self.rate, self.seconds, self.noChurn)
        let writer = Thread {
            var traces = EndlessTraces(seed: 7, uniqueKeyEvery: noChurn ? 0 : 400, idNameEvery: noChurn ? 0 : 8, requestIDs: !noChurn)
            let start = now()
            var emitted = 0
            var out: [UInt8] = []
            while now() - start < seconds {
                let due = min(Int(Double(rate) * (now() - start)) - emitted, max(1, rate / 10))
                if due <= 0 { usleep(2_000); continue }
                for _ in 0..<due { traces.appendSpan(to: &out) }
                emitted += due
                var off = 0
                while off < out.count {
                    let n = out.withUnsafeBytes { write(writeEnd, $0.baseAddress! + off, $0.count - off) }
                    if n <= 0 { break }
                    off += n
                }
                out.removeAll(keepingCapacity: true)
            }
            close(writeEnd)
        }
        writer.start()
        // The viewer's own path: a source for the pipe, the inbox, the real run loop on an
        // in-memory terminal.
        let inbox = Inbox()
        inbox.start(try InputSource(path: "/dev/fd/\(readEnd)"))
        var app = App(reading: [InputStatus(name: "-", isLive: true)], width: 160, height: 45)
        app.maxSpans = maxSpans
        let t0 = now()
        var nextReport = 0.0
        let every = self.every
        print("  time   RSS MB  heap MB  spans")
        var loop = ViewerLoop()
        loop.stopWhen = { app in
            let t = now() - t0
            if t >= nextReport {
                nextReport += every
                let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
                let rssKB = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") }.flatMap { Int($0.split(separator: " ").dropFirst().first ?? "") } ?? 0
                print(String(format: "%6.0f  %7.1f  %7.1f  %d", t, Double(rssKB) / 1024, Double(heapInUse()) / 1048576, app.store.spanCount))
                fflush(nil)
            }
            return app.live?.ended == true
        }
        loop.run(&app, terminal: TestTerminal(), inbox: inbox)
    }
}
