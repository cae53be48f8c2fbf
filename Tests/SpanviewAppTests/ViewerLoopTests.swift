#if canImport(Glibc)
import Glibc
#endif
import Foundation
import SpanFormats
import SpanIngest
import SpanModel
import SpanviewApp
import Synchronization
import TerminalInput
import Testing

/// A source that hands over the spans of a sample file a few at a time, pausing between.
final class TricklingSource: SpanSource, @unchecked Sendable {
    let name: String
    let isLive: Bool
    let spans: [Span]
    let perBatch: Int
    let pause: UInt32
    /// Ends only when told (live input still arriving).
    let holdEnd: Bool
    let release = Atomic(false)

    init(name: String, isLive: Bool, spans: [Span], perBatch: Int, pauseMicroseconds: UInt32, holdEnd: Bool = false) {
        self.name = name
        self.isLive = isLive
        self.spans = spans
        self.perBatch = perBatch
        pause = pauseMicroseconds
        self.holdEnd = holdEnd
    }

    func read(deliver: (ReadBatch) -> Bool) {
        var sent = 0
        while sent < spans.count {
            usleep(pause)
            var batch = ReadBatch()
            batch.spans = Array(spans[sent..<min(spans.count, sent + perBatch)])
            sent += batch.spans.count
            batch.stats.spans = sent
            batch.stats.bytes = Int64(sent * 1000)
            batch.formats = [.go]
            if !isLive { batch.progress = ByteProgress(done: Int64(sent * 1000), total: Int64(spans.count * 1000)) }
            guard deliver(batch) else { return }
        }
        while holdEnd && !release.load(ordering: .relaxed) {
            usleep(5_000)
            guard deliver(ReadBatch()) else { return }
        }
        var last = ReadBatch()
        last.stats.spans = sent
        last.stats.bytes = Int64(sent * 1000)
        last.formats = [.go]
        last.end = .complete
        _ = deliver(last)
    }
}

/// The real run loop on an in-memory terminal, fed by sources through the inbox.
@Suite("The run loop", .serialized)
struct ViewerLoopTests {
    static func sampleSpans(_ file: String) throws -> [Span] {
        try InputLoader.load([AppSession.samples.appendingPathComponent(file).path]).store.traces.flatMap(\.spans)
    }

    /// Runs the loop on its own thread until `stop` says so (or 10 s pass); returns the app.
    static func run(_ app: App, sources: [any SpanSource], terminal: TestTerminal, until stop: @escaping @Sendable (App) -> Bool) -> App {
        let inbox = Inbox()
        for s in sources { inbox.start(s) }
        let result = Mutex<App?>(nil)
        let started = monotonicSeconds()
        let thread = Thread {
            var app = app
            var loop = ViewerLoop()
            loop.stopWhen = { stop($0) || monotonicSeconds() - started > 10 }
            loop.run(&app, terminal: terminal, inbox: inbox)
            result.withLock { $0 = app }
        }
        thread.start()
        while result.withLock({ $0 == nil }) { usleep(2_000) }
        return result.withLock { $0! }
    }

    @Test("a file being read: the first frame comes at once with a progress bar, keys work meanwhile, and the bar goes when it is read")
    func progressive() throws {
        let spans = try Self.sampleSpans("interleaved.jsonl")
        let source = TricklingSource(name: "big.jsonl", isLive: false, spans: spans, perBatch: 50, pauseMicroseconds: 20_000)
        let terminal = TestTerminal(keptFrames: 1_000)
        let startedAt = monotonicSeconds()
        let app = App(reading: [InputStatus(name: source.name, isLive: false)], width: 120, height: 30, glyphs: .unicode, useColor: false)
        let typed = Atomic(false)
        terminal.onDraw = { grid in
            // Once some traces are listed, move the cursor down twice, mid-load.
            if !typed.load(ordering: .relaxed) && grid.text.contains(" traces ·") && grid.text.contains("Reading big.jsonl") {
                typed.store(true, ordering: .relaxed)
                terminal.type([.character("j"), .character("j")])
            }
        }
        let final = Self.run(app, sources: [source], terminal: terminal) { $0.loading == nil }
        let frames = terminal.frames
        let first = try #require(frames.first)
        #expect(first.time - startedAt < 0.1, "first frame after \(first.time - startedAt) s")
        #expect(first.grid.text.contains("Reading 'big.jsonl'…") || first.grid.text.contains("Reading big.jsonl"))
        let during = frames.filter { $0.grid.text.contains("Reading big.jsonl") }
        #expect(during.count >= 3)
        #expect(during.contains { $0.grid.text.contains("%") && $0.grid.text.contains("spans") })
        #expect(final.loading == nil)
        #expect(final.store.spanCount == spans.count)
        let didType = typed.load(ordering: .relaxed)
        #expect(didType)
        #expect(final.list.selected == 2)   // the keys typed during the load moved the cursor
        let screen = final.render().text
        #expect(!screen.contains("Reading"))
        #expect(screen.contains("\(final.store.traceCount) traces · \(spans.count) spans"))
    }

    @Test("several inputs at once: each named, the totals over all of them")
    func severalInputs() throws {
        let a = try Self.sampleSpans("interleaved.jsonl")
        let b = try Self.sampleSpans("order-inventory.jsonl")
        let sources: [any SpanSource] = [
            TricklingSource(name: "/tmp/a.jsonl", isLive: false, spans: a, perBatch: 400, pauseMicroseconds: 1_000),
            TricklingSource(name: "/tmp/b.jsonl", isLive: false, spans: b, perBatch: 5, pauseMicroseconds: 1_000),
        ]
        let terminal = TestTerminal()
        let app = App(reading: sources.map { InputStatus(name: $0.name, isLive: $0.isLive) }, width: 140, height: 30,
                      glyphs: .unicode, useColor: false)
        let final = Self.run(app, sources: sources, terminal: terminal) { $0.loading == nil }
        #expect(final.store.spanCount == a.count + b.count)
        let status = final.render().text.components(separatedBy: "\n").last ?? ""
        #expect(status.contains("a.jsonl, b.jsonl"), "\(status)")
        #expect(status.contains("\(a.count + b.count) spans"))
        #expect(final.inputs.map(\.stats.spans) == [a.count, b.count])
    }

    @Test("q while piped input still arrives asks first; w saves it; q again quits")
    func quitConfirmation() throws {
        let spans = try Self.sampleSpans("order-inventory.jsonl")
        let source = TricklingSource(name: "-", isLive: true, spans: spans, perBatch: 5, pauseMicroseconds: 2_000, holdEnd: true)
        let terminal = TestTerminal(keptFrames: 50)
        var app = App(reading: [InputStatus(name: "-", isLive: true)], width: 120, height: 30, glyphs: .unicode, useColor: false)
        let saved = Mutex<[String]>([])
        app.saveInput = { path in
            saved.withLock { $0.append(path) }
            return .success(1234)
        }
        let step = Atomic(0)
        terminal.onDraw = { grid in
            let text = grid.text
            switch step.load(ordering: .relaxed) {
            case 0 where text.contains("3 traces · 15 spans"):
                step.store(1, ordering: .relaxed)
                terminal.type([.character("q")])
            case 1 where text.contains("input is still arriving on stdin: w saves it to a file · q again quits"):
                step.store(2, ordering: .relaxed)
                terminal.type([.character("w")])
            case 2 where text.contains("save to: spanview-live-"):
                step.store(3, ordering: .relaxed)
                terminal.type([.control("u")] + "kept.jsonl".map { .character($0) } + [.enter])
            case 3 where text.contains("saved 1234 bytes of input to kept.jsonl · more is arriving"):
                step.store(4, ordering: .relaxed)
                terminal.type([.character("q"), .character("q")])
            default: break
            }
        }
        let final = Self.run(app, sources: [source], terminal: terminal) { $0.wantsQuit }
        let reached = step.load(ordering: .relaxed)
        #expect(reached == 4, "\(terminal.screen)")
        #expect(final.wantsQuit)
        #expect(saved.withLock { $0 } == ["kept.jsonl"])
    }

    @Test("live input that pauses: the rate falls to 0; when it ends, the totals stay without a key")
    func rateAndEnd() throws {
        let spans = try Self.sampleSpans("interleaved.jsonl")
        let source = TricklingSource(name: "-", isLive: true, spans: Array(spans.prefix(600)), perBatch: 100, pauseMicroseconds: 10_000, holdEnd: true)
        let terminal = TestTerminal(keptFrames: 5)
        let app = App(reading: [InputStatus(name: "-", isLive: true)], width: 140, height: 30, glyphs: .unicode, useColor: false)
        let sawRate = Atomic(false), sawZero = Atomic(false), sawEnd = Atomic(false)
        terminal.onDraw = { grid in
            let status = grid.text.components(separatedBy: "\n").last ?? ""
            if status.contains("input ended") { sawEnd.store(true, ordering: .relaxed) }
            if status.contains("600 spans") {
                if !status.contains("● live 0 spans/s") && status.contains("● live") { sawRate.store(true, ordering: .relaxed) }
                if status.contains("● live 0 spans/s") {
                    sawZero.store(true, ordering: .relaxed)
                    source.release.store(true, ordering: .relaxed)
                }
            }
        }
        // Stops once a frame showed the end: no key is ever typed.
        let final = Self.run(app, sources: [source], terminal: terminal) { _ in sawEnd.load(ordering: .relaxed) }
        let zero = sawZero.load(ordering: .relaxed)
        #expect(zero)
        #expect(final.live?.ended == true)
        // The last frame drawn (no key pressed) shows the totals and the end.
        let status = terminal.screen.components(separatedBy: "\n").last ?? ""
        #expect(status.contains("input ended"), "\(status)")
        #expect(status.contains("600 spans"))
    }
}

@Suite("The progress bar")
struct ProgressBarTests {
    func loading(width: Int) throws -> String {
        let spans = try ViewerLoopTests.sampleSpans("order-inventory.jsonl")
        var app = App(reading: [InputStatus(name: "/data/a-rather-long-file-name-from-production.jsonl", isLive: false)],
                      width: width, height: 12, glyphs: .unicode, useColor: false)
        var batch = ReadBatch()
        batch.spans = spans
        batch.stats.spans = spans.count
        batch.progress = ByteProgress(done: 500_000_000, total: 2_000_000_000)
        app.ingest([Inbox.Delivery(source: 0, batches: [batch])], now: 10)
        app.tick(now: 12)   // 500 MB in 2 s: 250 MB/s, 6 s left
        return app.render().text.components(separatedBy: "\n").last ?? ""
    }

    @Test("bytes and percent, spans and traces, time left and rate; a long name is shortened")
    func wide() throws {
        let status = try loading(width: 200)
        #expect(status.contains("Reading a-rather-long-file-name-fro… "), "\(status)")
        #expect(status.contains(" 25% · 500 MB of 2.00 GB · 15 spans · 3 traces · 6 s left · 250 MB/s"), "\(status)")
        #expect(status.contains("██████░░░░"))
    }

    @Test("on a narrow terminal the parts that do not fit are left out whole, least wanted first")
    func narrow() throws {
        let status = try loading(width: 100)
        #expect(status.contains("25% · 500 MB of 2.00 GB"), "\(status)")
        #expect(!status.contains("MB/s"))
        #expect(!status.contains(" tra ") && !status.hasSuffix("tra"))
    }
}
