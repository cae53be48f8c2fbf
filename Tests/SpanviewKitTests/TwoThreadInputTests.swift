#if canImport(Glibc)
import SpanIngest
import Glibc
#endif
import Foundation
import SpanFormats
import SpanviewKit
import Testing

/// Files and pipes big enough to be decoded on two threads read exactly as on one.
@Suite("Big inputs on two threads")
struct TwoThreadInputTests {
    /// About 3 MB: compact spans of many traces, log lines, a bad value now and then.
    static func bigInput() -> String {
        var lines: [String] = []
        for i in 0..<6_000 {
            let id = String(format: "%016x", i + 1)
            let start = String(format: "2024-05-01T12:%02d:%02d.%03dZ", (i / 1000) % 60, (i / 17) % 60, i % 1000)
            var span = SummaryReportTests.span("op\(i)", id: id, start: start, end: "2024-05-01T13:00:00Z", error: i % 31 == 0, service: "svc\(i % 5)")
            span = span.replacingOccurrences(of: "4bf92f3577b34da6a3ce929d0e0e4736", with: String(format: "%032x", 0x5000 + i / 40))
            lines.append(span)
            if i % 97 == 0 { lines.append("2024/05/01 12:00:00 request \(i) done") }
            if i % 1_001 == 0 { lines.append(#"{"Name":"bad","SpanContext":{"TraceID":"#) }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Writes all of `bytes` to `fd` in uneven pieces, cut anywhere (`pieceSize` of the bytes
    /// sent so far).
    static func write(_ bytes: [UInt8], to fd: Int32, pieceSize: (Int) -> Int) {
        bytes.withUnsafeBytes { raw in
            var sent = 0
            while sent < raw.count {
                let n = Glibc.write(fd, raw.baseAddress! + sent, min(raw.count - sent, pieceSize(sent)))
                if n <= 0 { break }
                sent += n
            }
        }
    }

    @Test("a file: the same summary, problems and log lines on one thread and on two")
    func file() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("big-\(UUID().uuidString).json")
        try Data(Self.bigInput().utf8).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        // 64 KiB chunks: anything over 16 KiB buffered is split.
        let one = try InputLoader.load([url.path], chunkSize: 1 << 16, threads: 1)
        let two = try InputLoader.load([url.path], chunkSize: 1 << 16, threads: 2)
        #expect(one.store.spanCount == 6_000)
        #expect(one.problems.count == 6)
        #expect(SummaryReport(two).json == SummaryReport(one).json)
        #expect(two.problems == one.problems)
        #expect(two.logs.lines == one.logs.lines)
    }

    @Test("a pipe: every span written arrives once, with the same counts as from the file")
    func pipe() throws {
        let bytes = Array(Self.bigInput().utf8)
        var fds: [Int32] = [0, 0]
        #expect(Glibc.pipe(&fds) == 0)
        let writeEnd = fds[1]
        let writer = Thread {
            Self.write(bytes, to: writeEnd) { sent in 50_000 + sent % 77_777 }
            close(writeEnd)
        }
        writer.start()
        let inbox = Inbox(capacity: 500)   // small: the source waits for the drains
        inbox.start(try InputSource(path: "/dev/fd/\(fds[0])", chunkSize: 1 << 16))
        var spans = 0, problems = 0
        var last = ReadBatch()
        let deadline = Date().addingTimeInterval(30)
        while last.end == nil && Date() < deadline {
            _ = inbox.waitForPending(seconds: 0.1)
            for delivery in inbox.drain() {
                spans += delivery.batch.spans.count
                problems += delivery.batch.problems.count
                last = delivery.batch
            }
        }
        #expect(last.end == .complete)
        #expect(spans == 6_000)
        #expect(problems == 6)
        #expect(last.stats.spans == 6_000)
        #expect(last.stats.bytes == Int64(bytes.count))
        close(fds[0])
    }

    @Test("a named pipe given as the input: read as it is written, the same summary, problems and log lines as the file")
    func namedPipe() throws {
        let bytes = Array(Self.bigInput().utf8)
        let dir = FileManager.default.temporaryDirectory
        let file = dir.appendingPathComponent("big-\(UUID().uuidString).json")
        let fifo = dir.appendingPathComponent("fifo-\(UUID().uuidString)")
        try Data(bytes).write(to: file)
        #expect(mkfifo(fifo.path, 0o600) == 0)
        defer {
            try? FileManager.default.removeItem(at: file)
            unlink(fifo.path)
        }
        let path = fifo.path
        let writer = Thread {
            let fd = open(path, O_WRONLY)
            Self.write(bytes, to: fd) { sent in 30_000 + sent % 65_537 }
            close(fd)
        }
        writer.start()
        let piped = try InputLoader.load([fifo.path], chunkSize: 1 << 16, threads: 2)
        let mapped = try InputLoader.load([file.path], chunkSize: 1 << 16, threads: 1)
        #expect(piped.store.spanCount == 6_000)
        #expect(piped.problems.count == 6)
        #expect(piped.problems.map(\.line) == mapped.problems.map(\.line))
        #expect(piped.problems.map(\.offset) == mapped.problems.map(\.offset))
        #expect(piped.logs.lines.map(\.text) == mapped.logs.lines.map(\.text))
        #expect(piped.inputs.first?.stats == mapped.inputs.first?.stats)
    }
}
