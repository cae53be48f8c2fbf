#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CellGrid
import Foundation
import SpanFormats
import SpanIngest
import SpanModel
import SpanStore
import SpanviewApp
import SpanviewKit
import SpanWidgets
import TerminalInput

/// One entry point per harness: each reads the input the way spanview would and checks the
/// invariants that must hold for any input. A broken invariant aborts, which libFuzzer
/// reports as a crash with the input that caused it.
public enum FuzzChecks {
    /// Fails the run with a message naming the broken invariant.
    static func require(_ condition: Bool, _ message: @autoclosure () -> String) {
        if !condition {
            let text = Array("spanview fuzz invariant broken: \(message())\n".utf8)
            _ = text.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
            abort()
        }
    }

    // MARK: - Reading

    /// Everything a reading produced, as comparable text (attribute values compare by their
    /// description, so a NaN equals itself).
    struct Outcome: Equatable {
        var spans: [String] = []
        var problems: [ReadProblem] = []
        var logs: [LogLine] = []
        var stats = ReadStats()
        var decoded: [Span] = []

        static func == (a: Outcome, b: Outcome) -> Bool {
            a.spans == b.spans && a.problems == b.problems && a.logs == b.logs && a.stats == b.stats
        }

        mutating func take(_ batch: ReadBatch) {
            for span in batch.spans { spans.append(FuzzChecks.check(span)) }
            decoded += batch.spans
            problems += batch.problems
            logs += batch.logLines
        }

        /// The first difference, for the report.
        func difference(from other: Outcome) -> String {
            if let i = zip(spans, other.spans).enumerated().first(where: { $0.element.0 != $0.element.1 })?.offset {
                return "span #\(i): \(spans[i]) vs \(other.spans[i])"
            }
            if spans.count != other.spans.count { return "spans: \(spans.count) vs \(other.spans.count)" }
            if problems != other.problems { return "problems: \(problems) vs \(other.problems)" }
            if logs != other.logs { return "log lines: \(logs.count) vs \(other.logs.count)" }
            return "stats: \(stats) vs \(other.stats)"
        }
    }

    /// Checks one decoded span and returns its fingerprint: its packed details read back
    /// whole, and every value in it readable.
    static func check(_ span: Span) -> String {
        require(span.details.isIntact, "span \(span.spanID.hex) has damaged packed details")
        let attributes = span.attributes, events = span.events, links = span.links
        require(attributes.count == span.details.attributeCount && events.count == span.details.eventCount
                    && links.count == span.details.linkCount, "span \(span.spanID.hex): counts and entries disagree")
        return "\(span.traceID.hex)/\(span.spanID.hex)/\(span.parentSpanID.hex)/\(span.name)/\(span.kind)/\(span.startTime)/\(span.endTime)"
            + "/\(span.status)/\(attributes)/\(events)/\(links)/\(span.resource.attributes)/\(span.scope.name)"
    }

    /// Piece sizes for feeding `data`, scattered from 1 byte up, chosen by the data itself so
    /// a crash reproduces from the input alone.
    static func pieces(for data: UnsafeBufferPointer<UInt8>, largest: Int) -> [Int] {
        var seed: UInt64 = 0xCBF2_9CE4_8422_2325
        for b in data.prefix(64) { seed = (seed ^ UInt64(b)) &* 0x100_0000_01B3 }
        var sizes: [Int] = []
        var left = data.count
        while left > 0 {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let n = min(left, Int(seed >> 33) % largest + 1)
            sizes.append(n)
            left -= n
        }
        return sizes
    }

    static func read(_ data: UnsafeBufferPointer<UInt8>, format: SpanDecoder.Format?, pieces: [Int]?,
                     threads: Int = 1, chunkSize: Int = 4096) -> Outcome {
        // Symbols of their own: the shared table only grows, and would over millions of runs.
        let decoder = SpanDecoder(strings: StringTable(symbols: Symbols()), only: format)
        let reader = SpanStreamReader(source: "fuzz", decoder: decoder, chunkSize: chunkSize, threads: threads)
        var outcome = Outcome()
        var i = 0
        for n in pieces ?? [data.count] where n > 0 {
            outcome.take(reader.feed(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: data[i..<i + n]))))
            i += n
        }
        outcome.take(reader.finish())
        outcome.stats = reader.stats
        return outcome
    }

    /// One decoder through the stream reader: whole, and in scattered pieces, the same.
    public static func decode(_ data: UnsafeBufferPointer<UInt8>, format: SpanDecoder.Format) {
        let whole = read(data, format: format, pieces: nil)
        let pieces = read(data, format: format, pieces: pieces(for: data, largest: 97))
        require(whole == pieces, "whole and in pieces differ: \(whole.difference(from: pieces))")
    }

    /// The two-thread split (small chunks so that small inputs split) against one thread.
    public static func split(_ data: UnsafeBufferPointer<UInt8>) {
        let sizes = pieces(for: data, largest: 700)
        let one = read(data, format: nil, pieces: sizes, threads: 1, chunkSize: 256)
        let two = read(data, format: nil, pieces: sizes, threads: 2, chunkSize: 256)
        require(one == two, "one and two threads differ: \(one.difference(from: two))")
    }

    /// The pipe decoder, fed through a real pipe in scattered pieces, against one reader.
    public static func pipe(_ data: UnsafeBufferPointer<UInt8>) {
        let one = read(data, format: nil, pieces: nil)
        var fds: [Int32] = [0, 0]
        require(Glibc.pipe(&fds) == 0, "pipe() failed")
        let bytes = Array(data)
        let sizes = pieces(for: data, largest: 300)
        let writeEnd = fds[1]
        let writer = Thread {
            bytes.withUnsafeBytes { raw in
                var i = 0
                for n in sizes {
                    var sent = 0
                    while sent < n {
                        let w = write(writeEnd, raw.baseAddress! + i + sent, n - sent)
                        if w <= 0 { break }
                        sent += w
                    }
                    i += n
                }
            }
            close(writeEnd)
        }
        final class Box: @unchecked Sendable {
            var outcome = Outcome()
            let lock = NSLock()
        }
        let box = Box()
        let decoder = PipeDecoder(source: "fuzz", decoder: SpanDecoder(strings: StringTable(symbols: Symbols())), chunkSize: 512) { batch in
            box.lock.lock()
            box.outcome.take(batch)
            box.lock.unlock()
        }
        writer.start()
        let end = decoder.run(fd: fds[0])
        close(fds[0])
        var piped = box.outcome
        piped.take(end)
        piped.stats = end.stats
        require(one == piped, "one reader and the pipe decoder differ: \(one.difference(from: piped))")
    }

    // MARK: - Sources

    /// The input as a file through `InputSource`: memory-mapped on one thread, and read on
    /// two by the pipe decoder, each against one reader; the last batch says the input ended
    /// and the progress reached the file's size.
    public static func source(_ data: UnsafeBufferPointer<UInt8>) {
        let one = read(data, format: nil, pieces: nil)
        let path = "/tmp/spanview-fuzz-source-\(getpid()).json"
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        require(fd >= 0, "cannot write \(path)")
        var written = 0
        while written < data.count {
            let n = write(fd, data.baseAddress! + written, data.count - written)
            require(n > 0, "write failed")
            written += n
        }
        close(fd)
        defer { unlink(path) }
        for threads in [1, 2] {
            let source: InputSource
            do {
                source = try InputSource(path: path, chunkSize: 1 << 16, threads: threads)
            } catch {
                require(false, "the file could not be opened: \(error)")
                return
            }
            var outcome = Outcome()
            var last = ReadBatch()
            source.read { batch in
                outcome.take(batch)
                last = batch
                return true
            }
            outcome.problems = outcome.problems.map { var p = $0; p.source = "fuzz"; return p }
            outcome.logs = outcome.logs.map { var l = $0; l.source = "fuzz"; return l }
            outcome.stats = last.stats
            require(one == outcome, "one reader and the file source on \(threads) thread(s) differ: \(one.difference(from: outcome))")
            require(last.end == .complete, "the file source's last batch did not end the input")
            if data.count > 0 {
                require(last.progress == ByteProgress(done: Int64(data.count), total: Int64(data.count)),
                        "progress ended at \(String(describing: last.progress)) of \(data.count) bytes")
            }
        }
    }

    // MARK: - Packed details

    /// Model values built from the bytes round trip through the packed layout; the same
    /// bytes taken as a packed buffer decode without trapping.
    public static func packed(_ data: UnsafeBufferPointer<UInt8>) {
        let symbols = Symbols()
        let raw = SpanDetails(bytes: Array(data), symbols: symbols)
        _ = (raw.attributes, raw.events, raw.links, raw.isIntact)

        var source = ByteSource(data)
        let attributes = (0..<Int(source.byte() % 6)).map { _ in source.attribute(depth: 0) }
        let events = (0..<Int(source.byte() % 3)).map { _ in
            SpanEvent(name: source.text(), time: Int64(bitPattern: source.word()), attributes: (0..<Int(source.byte() % 3)).map { _ in source.attribute(depth: 0) },
                      droppedAttributeCount: UInt32(source.byte()))
        }
        let links = (0..<Int(source.byte() % 3)).map { _ in
            SpanLink(traceID: TraceID(high: source.word(), low: source.word()), spanID: SpanID(source.word()), traceState: source.text(),
                     attributes: (0..<Int(source.byte() % 3)).map { _ in source.attribute(depth: 0) }, droppedAttributeCount: UInt32(source.byte()))
        }
        let details = SpanDetails(attributes: attributes, events: events, links: links, symbols: symbols)
        require(details.isIntact, "packed details of model values are not intact")
        require("\(details.attributes)" == "\(attributes)", "attributes changed in the round trip")
        require("\(details.events)" == "\(events)", "events changed in the round trip")
        require("\(details.links)" == "\(links)", "links changed in the round trip")
    }

    /// Model values drawn from fuzz bytes.
    struct ByteSource {
        let data: UnsafeBufferPointer<UInt8>
        var i = 0
        init(_ data: UnsafeBufferPointer<UInt8>) { self.data = data }

        mutating func byte() -> UInt8 {
            defer { i += 1 }
            return i < data.count ? data[i] : 0
        }

        mutating func word() -> UInt64 { (0..<8).reduce(0) { v, _ in v << 8 | UInt64(byte()) } }

        mutating func text() -> String {
            let n = Int(byte() % 24)
            return String(decoding: (0..<n).map { _ in byte() }, as: UTF8.self)
        }

        mutating func attribute(depth: Int) -> Attribute { Attribute(text(), value(depth: depth)) }

        mutating func value(depth: Int) -> AttributeValue {
            let kind = byte() % (depth < 12 ? 14 : 12)
            let n = Int(byte() % 5)
            switch kind {
            case 0: return .empty
            case 1: return .bool(byte() & 1 == 1)
            case 2: return .int(Int64(bitPattern: word()))
            case 3: return .double(Double(bitPattern: word()))
            case 4, 5: return .string(text())
            case 6: return .stringArray((0..<n).map { _ in text() })
            case 7: return .boolArray((0..<n).map { _ in byte() & 1 == 1 })
            case 8: return .intArray((0..<n).map { _ in Int64(bitPattern: word()) })
            case 9: return .doubleArray((0..<n).map { _ in Double(bitPattern: word()) })
            case 10: return .bytes((0..<n * 3).map { _ in byte() })
            case 11: return .unknown(type: text(), json: text())
            case 12: return .array((0..<n).map { _ in value(depth: depth + 1) })
            default: return .map((0..<n).map { _ in attribute(depth: depth + 1) })
            }
        }
    }

    // MARK: - Screens

    /// Loads the input as the viewer does and draws every screen: the trace list, each
    /// trace's waterfall with every span selected in turn and every detail tab, the
    /// problem list, then `print` and `summary`. No cell may hold a control character.
    public static func render(_ data: UnsafeBufferPointer<UInt8>) {
        let outcome = read(data, format: nil, pieces: nil)
        guard !outcome.decoded.isEmpty else { return }
        var inputs = LoadedInputs()
        inputs.store.insert(contentsOf: outcome.decoded)
        inputs.inputs = [InputStatus(name: "fuzz", stats: outcome.stats, problems: outcome.problems)]
        var app = App(inputs: inputs, width: 100, height: 30, glyphs: .unicode, useColor: true)
        checkGrid(app.render())
        for trace in 0..<min(inputs.store.traces.count, 6) {
            app.handle(.home)
            for _ in 0..<trace { app.handle(.down) }
            app.handle(.enter)
            checkGrid(app.render())
            for _ in 0..<min(outcome.decoded.count, 24) {
                for tab in ["1", "2", "3", "4"] {
                    app.handle(.character(Character(tab)))
                    checkGrid(app.render())
                }
                app.handle(.down)
            }
            app.handle(.escape)
        }
        app.handle(.character("p"))
        checkGrid(app.render())
        app.resize(width: 41, height: 12)
        checkGrid(app.render())
        app.handle(.escape)

        let printer = WaterfallPrinter(width: 90, color: false)
        printer.print(inputs.store, traces: Array(inputs.store.traces.indices.prefix(6))) { text in checkText(text, "print") }
        let summary = SummaryReport(inputs)
        checkText(summary.text(), "summary")
        checkText(summary.json, "summary --json")
    }

    /// What must never reach a terminal raw: controls, bidi and other invisible format
    /// characters (the one list `TerminalText` escapes by).
    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        TerminalText.needsEscaping(scalar)
    }

    static func checkGrid(_ grid: Grid) {
        for y in 0..<grid.height {
            for x in 0..<grid.width {
                for scalar in grid[x, y].text.unicodeScalars {
                    require(!isControl(scalar), "a control character U+\(String(scalar.value, radix: 16)) in cell (\(x), \(y))")
                }
            }
        }
    }

    static func checkText(_ text: String, _ what: String) {
        for scalar in text.unicodeScalars where scalar != "\n" {
            require(!isControl(scalar), "\(what) wrote control character U+\(String(scalar.value, radix: 16))")
        }
    }

    // MARK: - Times and IDs

    /// RFC 3339 times parse to what they print back as; IDs round trip through hex.
    public static func timeAndIDs(_ data: UnsafeBufferPointer<UInt8>) {
        if let base = data.baseAddress, let ns = RFC3339.parse(base, count: data.count), ns != Timestamp.unknown {
            let again = Array(Timestamp.iso8601(ns).utf8)
            let reparsed = again.withUnsafeBufferPointer { RFC3339.parse($0.baseAddress!, count: $0.count) }
            require(reparsed == ns, "RFC 3339 round trip: \(ns) printed as \(Timestamp.iso8601(ns)) reads back as \(String(describing: reparsed))")
        }
        if let id = TraceID(hexBytes: data) {
            require(TraceID(hex: id.hex) == id, "trace ID round trip")
            if let prefix = TraceIDPrefix(id.hex) { require(prefix.matches(id), "a trace ID's own hex does not match it") }
        }
        if let id = SpanID(hexBytes: data) { require(SpanID(hex: id.hex) == id, "span ID round trip") }
        let text = String(decoding: data, as: UTF8.self)
        if let prefix = TraceIDPrefix(text) {
            require(prefix.digits <= 32, "a prefix of more than 32 digits")
            require(prefix.matches(prefix.bits), "a prefix does not match its own bits")
        }
    }
}
