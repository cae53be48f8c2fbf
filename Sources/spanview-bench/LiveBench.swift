import ArgumentParser
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import SpanFormats
import SpanIngest
import SpanviewApp
import SpanviewKit
import Synchronization

/// `spanview-bench live --spans 300000`: spans written into a pipe while the viewer's loop
/// reads it, as `go run . | spanview` does. The loop is the real one (a reader thread, a wake
/// pipe, `App.ingest`, a full frame drawn into a grid after every wake-up); only the
/// terminal write is left out. Reports the rate kept up and how long a span took from its
/// last byte written to the first frame that includes it.
struct LiveBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "live",
        abstract: "Measure live input through a pipe: spans per second kept up, and latency to the screen."
    )

    @Option(help: "Spans to write.")
    var spans = 300_000

    @Option(help: "Write at this many spans per second (0: as fast as the pipe takes them).")
    var rate = 0

    @Option(help: "Terminal size, WxH.")
    var size = "200x60"

    @Option(help: "Bytes per write call, rounded up to whole lines (1: one write per span, as Go's stdouttrace writes).")
    var writeBytes = 64 << 10

    @Option(help: "Write this file (whole lines of span JSON) instead of generated spans.")
    var input: String?

    func run() throws {
        let data: Data
        if let input {
            data = try Data(contentsOf: URL(fileURLWithPath: input))
        } else {
            let path = "/tmp/spanview-live-\(getpid()).jsonl"
            let out = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            _ = SyntheticTraces(spanCount: spans).write(to: out)
            close(out)
            defer { unlink(path) }
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        }
        let dims = size.split(separator: "x").compactMap { Int($0) }

        var fds: [Int32] = [0, 0]
        _ = pipe(&fds)
        let (readEnd, writeEnd) = (fds[0], fds[1])
        // Chunks of whole lines and their span counts, worked out before the clock starts,
        // so the writer costs only its write calls (an application pays for its own output).
        var chunks: [(start: Int, end: Int, lines: Int)] = []
        data.withUnsafeBytes { bytes in
            let base = bytes.bindMemory(to: UInt8.self)
            var offset = 0
            while offset < base.count {
                var end = min(base.count, offset + max(1, writeBytes))
                while end < base.count && base[end - 1] != 0x0A { end += 1 }
                var lines = 0
                for i in offset..<end where base[i] == 0x0A { lines += 1 }
                chunks.append((offset, end, lines))
                offset = end
            }
        }
        let plan = chunks
        let marks = Mutex<[(spans: Int, time: Double)]>([])   // cumulative spans written, when
        let writerStart = Mutex(0.0)
        let writer = Thread { [rate] in
            data.withUnsafeBytes { bytes in
                let base = bytes.baseAddress!
                var written = 0
                let start = now()
                writerStart.withLock { $0 = start }
                for chunk in plan {
                    if rate > 0 {
                        let wait = start + Double(written + chunk.lines) / Double(rate) - now()
                        if wait > 0 { usleep(UInt32(wait * 1e6)) }
                    }
                    var sent = chunk.start
                    while sent < chunk.end {
                        let n = write(writeEnd, base + sent, chunk.end - sent)
                        if n <= 0 { break }
                        sent += n
                    }
                    written += chunk.lines
                    marks.withLock { $0.append((written, now())) }
                }
                close(writeEnd)
            }
        }
        let cpu0 = cpuSeconds()
        let t0 = now()
        writer.start()
        // The viewer's source for a pipe, publishing into an inbox, as `go run . | spanview` is read.
        let inbox = Inbox()
        inbox.start(try InputSource(path: "/dev/fd/\(readEnd)"))
        var app = App(reading: [InputStatus(name: "-", isLive: true)], width: dims.first ?? 200, height: dims.last ?? 60)
        var poller = [pollfd(fd: inbox.wakeFileDescriptor, events: Int16(POLLIN), revents: 0)]
        var latencies: [Double] = []
        var accounted = 0
        var frames = 0
        var frameTime = 0.0
        var lastFrame = 0.0
        var lastIngest = 0.0
        let ingestEvery = 0.004   // as the viewer takes input: at most every 4 ms
        while app.live?.ended != true {
            // As the viewer does: wait for input, take it at most every 4 ms, draw at most
            // every 16 ms.
            _ = poll(&poller, 1, 1000)
            let due = lastIngest + ingestEvery - now()
            if due > 0 { usleep(UInt32(due * 1e6)) }
            let f0 = now()
            app.ingest(inbox.drain(), now: f0)
            lastIngest = f0
            if f0 - lastFrame < 0.016 && app.live?.ended != true { continue }
            withExtendedLifetime(app.render()) {}
            let shown = now()
            lastFrame = shown
            frames += 1
            frameTime += shown - f0
            let total = app.store.spanCount
            let done = marks.withLock { marks in marks.filter { $0.spans <= total } }
            for mark in done.dropFirst(accounted) { latencies.append(shown - mark.time) }
            accounted = done.count
        }
        let elapsed = now() - t0
        let cpu = cpuSeconds() - cpu0
        latencies.sort()
        // A writer at a fixed rate is held back only by a full pipe, that is, by a reader
        // that does not keep up: how late it finished against its own schedule says so.
        let lag = rate > 0
            ? (marks.withLock { $0.last?.time ?? 0 } - writerStart.withLock { $0 }) - Double(app.store.spanCount) / Double(rate)
            : 0
        func pct(_ p: Double) -> Double { latencies.isEmpty ? 0 : latencies[min(latencies.count - 1, Int(Double(latencies.count) * p))] }
        print("""
        written        \(input == nil ? "\(spans) spans" : input!), \(mb(data.count)) MB, \(rate > 0 ? "at \(rate) spans/s" : "as fast as the pipe takes them"), \(writeBytes <= 1 ? "a write per span" : "writes of \(writeBytes >> 10) KiB")
        kept up        \(Int(Double(app.store.spanCount) / elapsed)) spans/s over \(seconds(elapsed)) s (\(app.store.spanCount) spans in \(app.store.traceCount) traces)
        cores used     \(String(format: "%.2f", cpu / elapsed)) of \(ProcessInfo.processInfo.activeProcessorCount) (\(seconds(cpu)) s of CPU, writer included: \(String(format: "%.2f", cpu / Double(max(1, app.store.spanCount)) * 1e6)) µs per span)
        \(rate > 0 ? "writer         finished \(ms(max(0, lag))) ms behind its schedule of \(seconds(Double(app.store.spanCount) / Double(rate))) s (held back by a full pipe)\n" : "")frames         \(frames) (ingest + draw: mean \(ms(frameTime / Double(max(1, frames)))) ms)
        latency        last byte written to first frame showing it: median \(ms(pct(0.5))) ms, p99 \(ms(pct(0.99))) ms, max \(ms(latencies.last ?? 0)) ms
        """)
    }
}

/// User and system CPU time of the whole process so far.
func cpuSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    func s(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
    return s(usage.ru_utime) + s(usage.ru_stime)
}
