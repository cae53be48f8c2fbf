import Foundation
import SpanFormats
import SpanModel
import Testing

/// Three spans: compact, pretty, compact; with log lines around and between them.
private func mixedStream() -> String {
    let a = GoSpanJSON(name: "a", spanID: "000000000000000a")
    let b = GoSpanJSON(name: "b", spanID: "000000000000000b", parentSpanID: "000000000000000a")
    let c = GoSpanJSON(name: "c", spanID: "000000000000000c", parentSpanID: "000000000000000a")
    return "2024/05/01 12:00:00 listening on :8080\n"
        + a.compact + "\n"
        + "[GIN-debug] GET /orders --> main.orders (3 handlers)\n"
        + "{not json at all}\n"
        + b.pretty + "\n"
        + "GET /orders 200 12ms\n\n"
        + c.compact + "\n"
}

@Suite("Streaming reader")
struct StreamReaderTests {
    @Test("log lines between spans are counted and skipped")
    func logLines() {
        let result = read(mixedStream())
        #expect(result.spans.map(\.name) == ["a", "b", "c"])
        #expect(result.problems.isEmpty)
        #expect(result.stats.nonJSONLines == 4)
    }

    @Test("the same spans come out whatever the chunk size, down to one byte", arguments: [1, 2, 3, 7, 64, 1000])
    func chunking(chunk: Int) {
        let whole = read(mixedStream())
        let pieces = read(mixedStream(), chunk: chunk)
        #expect(pieces.spans.map(\.name) == whole.spans.map(\.name))
        #expect(zip(pieces.spans, whole.spans).allSatisfy { $0.isCopy(of: $1) })
        #expect(pieces.stats == whole.stats)
        #expect(pieces.problems == whole.problems)
    }

    @Test("values back to back without newlines, and after a value on one line")
    func concatenated() {
        let a = GoSpanJSON(name: "a", spanID: "000000000000000a"), b = GoSpanJSON(name: "b", spanID: "000000000000000b")
        let result = read(a.compact + b.compact + " " + a.pretty + b.pretty)
        #expect(result.spans.map(\.name) == ["a", "b", "a", "b"])
        #expect(result.problems.isEmpty)
    }

    @Test("a value truncated in the middle of the stream is reported; the spans around it are kept")
    func truncatedInMiddle() throws {
        let good1 = GoSpanJSON(name: "first", spanID: "0000000000000001").compact
        let broken = String(GoSpanJSON(name: "broken", spanID: "0000000000000002").compact.prefix(90))
        let good2 = GoSpanJSON(name: "second", spanID: "0000000000000003").compact
        let text = good1 + "\n" + broken + "\n" + good2 + "\n"
        for chunk in [nil, 1, 5, 33] as [Int?] {
            let result = read(text, chunk: chunk)
            #expect(result.spans.map(\.name) == ["first", "second"], "chunk \(String(describing: chunk))")
            let problem = try #require(result.problems.first)
            #expect(result.problems.count == 1)
            #expect(problem.line == 2)
            #expect(problem.offset == Int64(good1.utf8.count + 1))
            #expect(problem.source == "test.json")
            #expect(problem.reason.contains("line break inside a string"))
        }
    }

    @Test("a pretty value truncated mid-stream resyncs at the next value's first line")
    func prettyTruncated() throws {
        let first = GoSpanJSON(name: "first", spanID: "0000000000000001").pretty
        let brokenFull = GoSpanJSON(name: "broken", spanID: "0000000000000002").pretty
        let broken = String(brokenFull.prefix(brokenFull.count / 2))
        let last = GoSpanJSON(name: "last", spanID: "0000000000000003").pretty
        let text = first + "\n" + broken + "\n" + last + "\n"
        for chunk in [nil, 3, 100] as [Int?] {
            let result = read(text, chunk: chunk)
            #expect(result.spans.map(\.name) == ["first", "last"])
            #expect(result.problems.count == 1)
            let firstLines = first.split(separator: "\n", omittingEmptySubsequences: false).count
            #expect(result.problems.first?.line == firstLines + 1)
        }
    }

    @Test("a value cut off by the end of input is reported as truncated")
    func truncatedAtEnd() throws {
        let good = GoSpanJSON(name: "ok").compact
        let text = good + "\n" + String(GoSpanJSON(name: "cut", spanID: "0000000000000002").pretty.prefix(200))
        for chunk in [nil, 16] as [Int?] {
            let result = read(text, chunk: chunk)
            #expect(result.spans.map(\.name) == ["ok"])
            let problem = try #require(result.problems.first)
            #expect(problem.reason.contains("truncated"))
            #expect(problem.line == 2)
        }
    }

    @Test("garbage bytes inside a value make only that value bad")
    func garbage() {
        let good = GoSpanJSON(name: "ok", spanID: "0000000000000001").compact
        var bad = GoSpanJSON(name: "bad", spanID: "0000000000000002").compact
        bad = bad.replacingFirst(#""SpanKind":1"#, with: #""SpanKind":@#$"#)
        let result = read(good + "\n" + bad + "\n" + good.replacingFirst("0000000000000001", with: "0000000000000003") + "\n")
        #expect(result.spans.count == 2)
        #expect(result.problems.count == 1)
        #expect(result.problems.first?.reason.contains("expected a number") == true)
    }

    @Test("invalid UTF-8 inside a value makes that value bad, not the file")
    func invalidUTF8() throws {
        let good = GoSpanJSON(name: "ok", spanID: "0000000000000001").compact
        var bytes = Array(good.utf8) + [0x0A]
        var bad = Array(GoSpanJSON(name: "bXd", spanID: "0000000000000002").compact.utf8)
        let at = bad.firstIndex(of: UInt8(ascii: "X"))!
        bad[at] = 0xFF
        bytes += bad + [0x0A]
        var stray = Array(GoSpanJSON(name: "ok2", spanID: "0000000000000003").compact.utf8)
        // An overlong encoding and a lone continuation byte in an attribute key, skipped values too.
        stray = Array(String(decoding: stray, as: UTF8.self).replacingFirst(#""Attributes":null"#, with: #""Attributes":[{"Key":"k\#u{FFFD}","Value":{"Type":"STRING","Value":"v"}}]"#).utf8)
        bytes += stray + [0x0A]
        for chunk in [nil, 4] as [Int?] {
            let result = readBytes(bytes, chunk: chunk)
            #expect(result.spans.map(\.name) == ["ok", "ok2"])
            #expect(result.problems.count == 1)
            #expect(result.problems.first?.reason.contains("invalid UTF-8") == true)
            #expect(result.problems.first?.line == 2)
        }
        // Invalid bytes in a value that is only skipped (an unknown key) make the span bad too.
        var skipped = Array(GoSpanJSON(name: "s", spanID: "0000000000000004").compact.utf8)
        skipped.insert(contentsOf: Array(#""Unknown":"a?b","#.utf8), at: 1)
        skipped[skipped.firstIndex(of: UInt8(ascii: "?"))!] = 0xC0
        let skippedResult = readBytes(skipped + [0x0A] + Array(GoSpanJSON(name: "t").compact.utf8))
        #expect(skippedResult.spans.map(\.name) == ["t"])
        #expect(skippedResult.problems.first?.reason.contains("invalid UTF-8") == true)
    }

    @Test("empty input, whitespace only, and log lines only give no spans and no problems")
    func empties() {
        #expect(read("").spans.isEmpty)
        #expect(read("").stats.lines == 0)
        #expect(read("\n\n  \n").stats.nonJSONLines == 0)
        let logs = read("starting\nstill starting\nbye")
        #expect(logs.spans.isEmpty)
        #expect(logs.problems.isEmpty)
        #expect(logs.stats.nonJSONLines == 3)
        #expect(logs.stats.lines == 3)
    }

    @Test("a JSON array of spans (Go v1.0.0-RC2) yields each; one bad element keeps those before it")
    func arrays() {
        let a = GoSpanJSON(name: "a", spanID: "000000000000000a").compact
        let b = GoSpanJSON(name: "b", spanID: "000000000000000b").compact
        #expect(read("[" + a + "," + b + "]\n").spans.map(\.name) == ["a", "b"])
        let broken = read("[" + a + "," + b.replacingFirst("\"Name\"", with: "\"Name\" x") + "]\n" + a + "\n")
        #expect(broken.spans.map(\.name) == ["a", "a"])
        #expect(broken.problems.count == 1)
    }

    @Test("line numbers and byte offsets point at the bad value")
    func positions() throws {
        let good = GoSpanJSON(name: "ok").pretty
        let text = "log one\nlog two\n" + good + "\n{\"Name\": oops}\n"
        let result = read(text)
        let problem = try #require(result.problems.first)
        let goodLines = good.split(separator: "\n", omittingEmptySubsequences: false).count
        #expect(problem.line == 2 + goodLines + 1)
        #expect(problem.offset == Int64(("log one\nlog two\n" + good + "\n").utf8.count))
        #expect(problem.message.hasPrefix("test.json:\(problem.line): byte \(problem.offset): "))
    }

    @Test("strings with escapes, surrogate pairs and lone surrogates")
    func escapes() throws {
        var g = GoSpanJSON()
        g.name = #"a\"b\\c\/d\b\f\n\r\t\u0041\ud83d\ude00\ud800x"#
        let span = try #require(decodeOne(g.compact))
        #expect(span.name == "a\"b\\c/d\u{8}\u{C}\n\r\tA😀\u{FFFD}x")
    }
}

extension String {
    func replacingFirst(_ target: String, with replacement: String) -> String {
        guard let range = range(of: target) else { return self }
        return replacingCharacters(in: range, with: replacement)
    }
}

@Suite("Log lines between spans")
struct LogLineTests {
    func logs(_ text: String, chunk: Int? = nil) -> [LogLine] {
        let reader = SpanStreamReader(source: "app.log", chunkSize: 4096)
        var lines: [LogLine] = []
        let bytes = Array(text.utf8)
        let step = chunk ?? max(1, bytes.count)
        var i = 0
        while i < bytes.count {
            lines += reader.feed(Array(bytes[i..<min(bytes.count, i + step)])).logLines
            i += step
        }
        return lines + reader.finish().logLines
    }

    @Test("kept with their line numbers, the same whatever the chunk size", arguments: [nil, 1, 3, 17] as [Int?])
    func captured(chunk: Int?) {
        let span = GoSpanJSON(name: "a").compact
        let text = "listening on :8080\n" + span + "\n  GET /orders 200 trace_id=0af7651916cd43dd8448eb211c80319c\n\n"
            + #"{"level":"info","msg":"cache warmed"}"# + "\n" + GoSpanJSON(name: "b", spanID: "000000000000000b").pretty + "\nbye"
        let lines = logs(text, chunk: chunk)
        #expect(lines.map(\.text) == ["listening on :8080", "GET /orders 200 trace_id=0af7651916cd43dd8448eb211c80319c",
                                      #"{"level":"info","msg":"cache warmed"}"#, "bye"])
        #expect(lines.map(\.line) == [1, 3, 5, 6 + GoSpanJSON().pretty.split(separator: "\n").count])
        #expect(lines[1].traceID?.hex == "0af7651916cd43dd8448eb211c80319c")
        #expect(lines[0].traceID == nil)
    }

    @Test("a trace ID is exactly 32 hex digits, not part of a longer run")
    func traceIDs() {
        func id(_ text: String) -> String? { LogLine(source: "", line: 1, text: text).traceID?.hex }
        #expect(id("trace_id=0AF7651916CD43DD8448EB211C80319C span=1") == "0af7651916cd43dd8448eb211c80319c")
        #expect(id("0af7651916cd43dd8448eb211c80319c") == "0af7651916cd43dd8448eb211c80319c")
        #expect(id("sha=0af7651916cd43dd8448eb211c80319c00") == nil)
        #expect(id("short 0af7651916cd43dd") == nil)
    }

    @Test("a very long line is cut, and says so")
    func longLine() {
        let lines = logs(String(repeating: "x", count: 10_000) + "\n")
        #expect(lines.count == 1)
        #expect(lines[0].text.hasSuffix(" …"))
        #expect(lines[0].text.utf8.count <= SpanStreamReader.maxLogLineBytes + 4)
    }
}

@Suite("Log text")
struct LogTextTests {
    @Test("colour codes are removed, tabs expanded, other control characters kept for escaping")
    func plain() {
        let reader = SpanStreamReader(source: "x")
        let text = "\u{1B}[36mINFO\u{1B}[0m[0000] job\tdone \u{1B}]0;title\u{7}\n"
        let lines = reader.feed(Array(text.utf8)).logLines + reader.finish().logLines
        #expect(lines.map(\.text) == ["INFO[0000] job    done \u{1B}]0;title\u{7}"])
    }
}
