import SpanIngest
import Foundation
import SpanFormats
import SpanModel
import Synchronization
import Testing

/// `PipeDecoder` reads a real pipe on one thread and decodes on two; what it publishes, in
/// the order it publishes it, must be exactly what one reader makes of the same bytes,
/// however the writer cuts and paces them.
@Suite("Decoding a pipe on two threads")
struct PipeDecoderTests {
    typealias Outcome = TwoThreadReadingTests.Outcome

    /// Writes `bytes` into a pipe from another thread, in pieces of scattered sizes (by
    /// seed) with a short pause after some, while a `PipeDecoder` reads the other end.
    static func readThroughPipe(_ bytes: [UInt8], seed: UInt64, chunkSize: Int = 16 << 10,
                                pauses: Bool = true) -> (Outcome, PipeDecoder) {
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        let (readEnd, writeEnd) = (fds[0], fds[1])
        let writer = Thread {
            bytes.withUnsafeBytes { raw in
                var i = 0, piece = 0
                while i < raw.count {
                    piece += 1
                    let n = min(raw.count - i, Int((UInt64(piece) &* 2_654_435_761 &+ seed &* 40_503) % 40_000) + 1)
                    var sent = 0
                    while sent < n {
                        let w = write(writeEnd, raw.baseAddress! + i + sent, n - sent)
                        if w <= 0 { break }
                        sent += w
                    }
                    i += n
                    if pauses && piece % 7 == 0 { usleep(2_000) }   // the writer stops mid-anything
                }
            }
            close(writeEnd)
        }
        let collected = Mutex(Outcome())
        let decoder = PipeDecoder(source: "in.json", chunkSize: chunkSize) { batch in
            collected.withLock { outcome in
                outcome.spans += batch.spans.map { "\($0.traceID.hex)/\($0.spanID.hex)/\($0.name)" }
                outcome.problems += batch.problems
                outcome.logs += batch.logLines
            }
        }
        writer.start()
        let end = decoder.run(fd: readEnd)
        close(readEnd)
        var outcome = collected.withLock { $0 }
        outcome.spans += end.spans.map { "\($0.traceID.hex)/\($0.spanID.hex)/\($0.name)" }
        outcome.problems += end.problems
        outcome.logs += end.logLines
        outcome.stats = end.stats
        outcome.formats = end.formats
        #expect(end.end == .complete)
        return (outcome, decoder)
    }

    @Test("a clean stream: pieces are taken as decoded, and the result is one reader's", arguments: [1, 2, 3] as [UInt64])
    func clean(seed: UInt64) {
        let bytes = TwoThreadReadingTests.stream(entries: 1_500, bad: false, oddLayout: false)
        let (one, _) = TwoThreadReadingTests.read(bytes, threads: 1, seed: seed)
        let (piped, decoder) = Self.readThroughPipe(bytes, seed: seed)
        #expect(one.spans.count > 1_000)
        #expect(one.difference(from: piped) == nil)
        #expect(decoder.takenPieces > 10)
    }

    @Test("bad values, odd layouts and pauses anywhere: pieces that cannot be trusted are read again, same result",
          arguments: [1, 2, 3, 4] as [UInt64])
    func hostile(seed: UInt64) {
        let bytes = TwoThreadReadingTests.stream(entries: 1_500, bad: true, oddLayout: true)
        let (one, _) = TwoThreadReadingTests.read(bytes, threads: 1, seed: seed)
        let (piped, decoder) = Self.readThroughPipe(bytes, seed: seed)
        #expect(one.problems.count > 50)
        #expect(one.difference(from: piped) == nil)
        #expect(decoder.takenPieces > 10)
        #expect(decoder.redonePieces > 0)
    }

    @Test("a value cut off by the end of the input is reported as truncated, as one reader reports it")
    func truncatedEnd() {
        var bytes = TwoThreadReadingTests.stream(entries: 800, bad: false, oddLayout: false)
        bytes += Array(GoSpanJSON(name: "cut").compact.utf8.prefix(300))
        let (one, _) = TwoThreadReadingTests.read(bytes, threads: 1, seed: 9)
        let (piped, _) = Self.readThroughPipe(bytes, seed: 9)
        #expect(one.problems.last?.reason.hasPrefix("truncated") == true)
        #expect(one.difference(from: piped) == nil)
    }

    @Test("pretty-printed values only, in big chunks: the same as one reader")
    func prettyOnly() {
        var text = ""
        for i in 0..<600 {
            text += GoSpanJSON(name: "p\(i)", traceID: String(format: "%032x", 77 + i / 10), spanID: String(format: "%016x", i + 1)).pretty + "\n"
        }
        let bytes = Array(text.utf8)
        let (one, _) = TwoThreadReadingTests.read(bytes, threads: 1, seed: 4)
        let (piped, decoder) = Self.readThroughPipe(bytes, seed: 4, chunkSize: 64 << 10, pauses: false)
        #expect(one.spans.count == 600)
        #expect(one.difference(from: piped) == nil)
        #expect(decoder.takenPieces > 0)
    }

    @Test("one value far bigger than a chunk (a batch array on one line), between ordinary lines: the same as one reader")
    func hugeValue() {
        var text = ""
        for i in 0..<50 { text += GoSpanJSON(name: "before\(i)", spanID: String(format: "%016x", i + 1)).compact + "\n" }
        let batch = (0..<1_500).map { GoSpanJSON(name: "b\($0)", spanID: String(format: "%016x", 1_000 + $0)).compact }
        text += "[" + batch.joined(separator: ",") + "]\n"   // about 2 MB on one line
        for i in 0..<50 { text += GoSpanJSON(name: "after\(i)", spanID: String(format: "%016x", 9_000 + i)).compact + "\n" }
        let bytes = Array(text.utf8)
        let (one, _) = TwoThreadReadingTests.read(bytes, threads: 1, seed: 5)
        let (piped, _) = Self.readThroughPipe(bytes, seed: 5)
        #expect(one.spans.count == 1_600)
        #expect(one.problems.isEmpty)
        #expect(one.difference(from: piped) == nil)
    }

    @Test("a span written just before the writer pauses is published while the pipe is still open, even with part of a line after it")
    func noHoldingBack() throws {
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        let readEnd = fds[0]
        let names = Mutex<[String]>([])
        let decoder = PipeDecoder(source: "-", chunkSize: 16 << 10) { batch in
            names.withLock { $0 += batch.spans.map(\.name) }
        }
        let finished = DispatchSemaphore(value: 0)
        let reading = Thread {
            _ = decoder.run(fd: readEnd)
            finished.signal()
        }
        reading.start()
        // A span alone; then two spans and the start of a log line whose end is still to
        // come. Each write's spans arrive with the pipe open and nothing more written.
        let writes: [(text: String, last: String)] = [
            (GoSpanJSON(name: "first").compact + "\n", "first"),
            (GoSpanJSON(name: "second").compact + "\n" + GoSpanJSON(name: "third").compact + "\nprogress: 50%", "third"),
        ]
        for (text, last) in writes {
            let bytes = Array(text.utf8)
            #expect(write(fds[1], bytes, bytes.count) == bytes.count)
            var waited = 0
            while !names.withLock({ $0.contains(last) }) && waited < 5_000 {
                usleep(1_000)
                waited += 1
            }
            #expect(names.withLock { $0.last } == last)
        }
        close(fds[1])
        finished.wait()
        close(fds[0])
        #expect(names.withLock { $0 } == ["first", "second", "third"])
    }
}
