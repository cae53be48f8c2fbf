import ArgumentParser
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import SpanIngest
import SpanviewApp
import Synchronization
import TerminalInput

/// `spanview-bench open --spans 1000000`: opening a big file in the viewer, as `spanview FILE`
/// does (a source, the inbox, the real run loop on an in-memory terminal): the time to the
/// first frame, to the whole file read and indexed, how long keys typed during the load
/// waited for their frame; then, in the same run, the same file read before the viewer
/// opens (as spanview did before sources), for comparison.
struct OpenBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "open",
        abstract: "Measure opening a big file: first frame, full read, key latency during the load."
    )

    @Option(help: "Spans to generate.")
    var spans = 1_000_000

    @Option(help: "Read this file instead of generating one.")
    var input: String?

    @Option(help: "Where to write the generated input (default: a temporary file, removed afterwards).")
    var keep: String?

    @Option(help: "Terminal size, WxH.")
    var size = "200x60"

    @Option(help: "Runs of each (progressive and read-first), interleaved.")
    var runs = 1

    @Option(help: "Threads that decode the file in the viewer (default: as spanview).")
    var threads: Int?

    @Flag(help: "Only the progressive way (to profile it alone).")
    var progressiveOnly = false

    @Flag(help: "Type no keys during the load.")
    var noKeys = false

    @Option(help: "The loop's least time between frames after input, in ms (spanview: 16).")
    var frameMs = 16.0

    @Option(help: "The loop's least time between takes of input, in ms (spanview: 4).")
    var ingestMs = 4.0

    func run() throws {
        var path = input ?? keep ?? "/tmp/spanview-open-\(getpid()).jsonl"
        if input == nil {
            let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            guard fd >= 0 else { throw ValidationError("cannot write \(path)") }
            let bytes = SyntheticTraces(spanCount: spans).write(to: fd)
            close(fd)
            print("generated \(spans) spans, \(mb(bytes)) MB -> \(path)")
        } else {
            path = input!
        }
        defer { if input == nil && keep == nil { unlink(path) } }
        let dims = size.split(separator: "x").compactMap { Int($0) }
        let (width, height) = dims.count == 2 ? (dims[0], dims[1]) : (200, 60)
        // The file in the page cache first, so both ways read it from memory.
        let warm = open(path, O_RDONLY)
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while chunk.withUnsafeMutableBytes({ read(warm, $0.baseAddress, $0.count) }) > 0 {}
        close(warm)
        for run in 1...max(1, runs) {
            if runs > 1 { print("run \(run)") }
            try progressive(path, width: width, height: height)
            if !progressiveOnly { try readFirst(path, width: width, height: height) }
        }
    }

    /// As `spanview FILE` opens it now.
    func progressive(_ path: String, width: Int, height: Int) throws {
        let cpu0 = cpuSeconds()
        let t0 = now()
        let inbox = Inbox()
        let source = try InputSource(path: path, threads: threads ?? InputSource.decodingThreads)
        inbox.start(source)
        var app = App(reading: [InputStatus(name: source.name, isLive: source.isLive)], width: width, height: height)
        let terminal = TestTerminal()
        var loop = ViewerLoop()
        loop.frameInterval = frameMs / 1000
        loop.ingestInterval = ingestMs / 1000
        let timing = ViewerLoop.Timing()
        loop.timing = timing
        var firstFrame = 0.0
        loop.afterFirstFrame = { firstFrame = now() - t0 }
        var loaded = 0.0
        // A key every 50 ms while the file loads: how long until a frame shows it.
        let typed = Mutex<[Double]>([])
        let typing = Atomic(!noKeys)
        let typist = Thread {
            usleep(20_000)
            while typing.load(ordering: .relaxed) {
                typed.withLock { $0.append(now()) }
                terminal.type([.character("j")])
                usleep(50_000)
            }
        }
        var frameTimes: [Double] = []
        terminal.onDraw = { _ in frameTimes.append(now()) }
        typist.start()
        loop.stopWhen = { app in
            if app.loading == nil && loaded == 0 { loaded = now() - t0 }
            return loaded > 0
        }
        loop.run(&app, terminal: terminal, inbox: inbox)
        typing.store(false, ordering: .relaxed)
        usleep(60_000)
        // Each key's wait: from typing it to the first frame drawn after.
        let keys = typed.withLock { $0 }.filter { $0 - t0 < loaded }
        var waits: [Double] = []
        for k in keys { if let f = frameTimes.first(where: { $0 >= k }) { waits.append(f - k) } }
        waits.sort()
        let gaps = zip(frameTimes.dropFirst(), frameTimes).map { $0 - $1 }.max() ?? 0
        print("""
        progressive    first frame \(ms(firstFrame)) ms; read and indexed in \(seconds(loaded)) s, \(seconds(cpuSeconds() - cpu0)) s of CPU (\(app.store.spanCount) spans, \(app.store.traceCount) traces); \(terminal.frameCount) frames, longest gap \(ms(gaps)) ms
                       the loop's thread: \(timing.ingests) takes of input, \(ms(timing.ingest)) ms; \(timing.frames) frames drawn, \(ms(timing.render)) ms
                       keys typed during the load: \(waits.count), waited for their frame: median \(ms(waits.isEmpty ? 0 : waits[waits.count / 2])) ms, max \(ms(waits.last ?? 0)) ms
        """)
    }

    /// As spanview opened files before sources: read everything, then the first frame.
    func readFirst(_ path: String, width: Int, height: Int) throws {
        let cpu0 = cpuSeconds()
        let t0 = now()
        let inputs = try InputLoader.load([path])
        let read = now() - t0
        let app = App(inputs: inputs, width: width, height: height)
        withExtendedLifetime(app.render()) {}
        let first = now() - t0
        print("read first     first frame \(ms(first)) ms (read \(seconds(read)) s, then the app and a frame), \(seconds(cpuSeconds() - cpu0)) s of CPU")
    }
}
