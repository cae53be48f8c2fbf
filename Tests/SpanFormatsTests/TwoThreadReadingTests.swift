import Foundation
import SpanFormats
import SpanModel
import Testing

/// Reading on two threads must give exactly what one thread gives: the same spans in the
/// same order, the same problems and log lines with the same line numbers and offsets,
/// and the same counts, whatever the input holds and wherever the chunks are cut.
@Suite("Reading on two threads")
struct TwoThreadReadingTests {
    /// Everything a reader produced.
    struct Outcome: Equatable {
        var spans: [String] = []
        var problems: [ReadProblem] = []
        var logs: [LogLine] = []
        var stats = ReadStats()
        var formats: [SpanFormat] = []

        /// The first thing `other` has differently, or nil (short, unlike a dump of both).
        func difference(from other: Outcome) -> String? {
            func first<T: Equatable>(_ what: String, _ a: [T], _ b: [T]) -> String? {
                if let i = Array(zip(a, b)).firstIndex(where: { $0.0 != $0.1 }) { return "\(what) #\(i): \(a[i]) vs \(b[i])" }
                return a.count == b.count ? nil : "\(what): \(a.count) vs \(b.count)"
            }
            return first("span", spans, other.spans) ?? first("problem", problems, other.problems) ?? first("log line", logs, other.logs)
                ?? (stats == other.stats ? nil : "stats: \(stats) vs \(other.stats)")
                ?? (formats == other.formats ? nil : "formats: \(formats) vs \(other.formats)")
        }
    }

    /// Reads `bytes` fed in pieces of scattered sizes (by seed), with 16 KiB chunks so that
    /// anything over 4 KiB buffered is split.
    static func read(_ bytes: [UInt8], threads: Int, seed: UInt64) -> (Outcome, SpanStreamReader) {
        let reader = SpanStreamReader(source: "in.json", chunkSize: 16 << 10, threads: threads)
        var outcome = Outcome()
        func take(_ batch: ReadBatch) {
            outcome.spans += batch.spans.map { "\($0.traceID.hex)/\($0.spanID.hex)/\($0.name)" }
            outcome.problems += batch.problems
            outcome.logs += batch.logLines
        }
        var i = 0, piece = 0
        while i < bytes.count {
            // Piece sizes from 1 to 40,000 bytes, a different sequence for each seed.
            piece += 1
            let n = Int((UInt64(piece) &* 2_654_435_761 &+ seed &* 40_503) % 40_000) + 1
            take(reader.feed(Array(bytes[i..<min(bytes.count, i + n)])))
            i += n
        }
        take(reader.finish())
        outcome.stats = reader.stats
        outcome.formats = reader.formats
        return (outcome, reader)
    }

    /// A stream as an application's stdout carries it: compact and pretty spans, log lines
    /// (some starting with `{`), JSON log values, Go batch arrays, CRLF lines, blank lines,
    /// OTLP lines, and, if asked, bad values and values with a `{` line at column 0 inside.
    static func stream(entries: Int, bad: Bool, oddLayout: Bool) -> [UInt8] {
        var text = ""
        for i in 0..<entries {
            let trace = String(format: "%032x", 0xabc0000 + i / 9)
            let span = GoSpanJSON(name: "op\(i)", traceID: trace, spanID: String(format: "%016x", i + 1),
                                  attributes: #"[{"Key":"i","Value":{"Type":"INT64","Value":\#(i)}}]"#)
            switch i % 23 {
            case 3: text += "2024/05/01 12:00:00 handled request \(i) trace_id=\(trace)\n"
            case 5: text += span.pretty + "\n"
            case 7: text += "{not json} line \(i)\n"
            case 9: text += #"{"level":"info","msg":"request \#(i)"}"# + "\n"
            case 11: text += "[" + span.compact + "," + GoSpanJSON(name: "batch\(i)", traceID: trace, spanID: String(format: "%016x", 100_000 + i)).compact + "]\n"
            case 13: text += span.compact + "\r\n"
            case 15: text += "\n\n"
            case 17 where bad: text += #"{"Name":"broken\#(i)","SpanContext":{"TraceID":"#  + "\n"
            case 19 where bad: text += #"{"Name":"garbage","SpanContext":@@@}"# + "\n"
            case 21 where oddLayout: text += span.compact.replacingOccurrences(of: #""Parent":{"#, with: "\"Parent\":\n{") + "\n"
            case 22: text += #"{"resourceSpans":[{"resource":{"attributes":[]},"scopeSpans":[{"spans":[{"traceId":"\#(trace)","spanId":"\#(String(format: "%016x", 200_000 + i))","name":"otlp\#(i)","startTimeUnixNano":"1","endTimeUnixNano":"2"}]}]}]}"# + "\n"
            default: text += span.compact + "\n"
            }
        }
        return Array(text.utf8)
    }

    @Test("a clean stream: every split is taken, and the result is one thread's", arguments: [1, 2, 3] as [UInt64])
    func clean(seed: UInt64) {
        let bytes = Self.stream(entries: 1_500, bad: false, oddLayout: false)
        let (one, _) = Self.read(bytes, threads: 1, seed: seed)
        let (two, reader) = Self.read(bytes, threads: 2, seed: seed)
        #expect(one.spans.count > 1_000)
        #expect(!one.logs.isEmpty)
        #expect(one.difference(from: two) == nil)
        #expect(reader.splitChunks > 10)
        #expect(reader.redoneSplits == 0)
    }

    @Test("bad values and odd layouts: splits that cannot be trusted are redone, with the same result", arguments: [1, 2, 3, 4] as [UInt64])
    func hostile(seed: UInt64) {
        let bytes = Self.stream(entries: 1_500, bad: true, oddLayout: true)
        let (one, _) = Self.read(bytes, threads: 1, seed: seed)
        let (two, reader) = Self.read(bytes, threads: 2, seed: seed)
        #expect(one.problems.count > 50)
        #expect(one.difference(from: two) == nil)
        #expect(reader.splitChunks > 10)
        #expect(reader.redoneSplits > 0)
    }

    @Test("a value cut by the end of the input is reported the same way")
    func truncatedEnd() {
        var bytes = Self.stream(entries: 800, bad: false, oddLayout: false)
        bytes += Array(GoSpanJSON(name: "cut").compact.utf8.prefix(300))
        let (one, _) = Self.read(bytes, threads: 1, seed: 9)
        let (two, _) = Self.read(bytes, threads: 2, seed: 9)
        #expect(one.problems.last?.reason.hasPrefix("truncated") == true)
        #expect(one.difference(from: two) == nil)
    }

    @Test("a small stream is read on one thread")
    func small() {
        let bytes = Array((GoSpanJSON().compact + "\n").utf8)
        let (_, reader) = Self.read(bytes, threads: 2, seed: 1)
        #expect(reader.splitChunks == 0)
    }
}
