#if canImport(Glibc)
import Glibc
#endif
import CZlib
import Foundation
import SpanFormats
import SpanModel
import Synchronization
import Testing
@testable import SpanIngest

/// Trace files made at test time.
enum Inputs {
    /// `count` Go stdouttrace spans, one per line, with a log line every 10 and a bad value at 25.
    static func goSpans(_ count: Int) -> String {
        (0..<count).map { i -> String in
            let span = #"{"Name":"op \#(i)","SpanContext":{"TraceID":"\#(String(format: "%032x", i / 10 + 1))","SpanID":"\#(String(format: "%016x", i + 1))","TraceFlags":"01"},"Parent":{"TraceID":"00000000000000000000000000000000","SpanID":"0000000000000000","TraceFlags":"00"},"StartTime":"2024-05-01T12:00:00Z","EndTime":"2024-05-01T12:00:01Z","Attributes":[{"Key":"i","Value":{"Type":"INT64","Value":\#(i)}}]}"#
            return (i % 10 == 0 ? "log line \(i)\n" : "") + (i == 25 ? #"{"Name": nope}"# + "\n" : "") + span
        }.joined(separator: "\n") + "\n"
    }

    static func file(_ bytes: [UInt8], suffix: String = ".jsonl") throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("ingest-\(UUID().uuidString)\(suffix)")
        try Data(bytes).write(to: url)
        return url.path
    }

    /// gzip by zlib itself (as `gzip` writes it).
    static func gzip(_ bytes: [UInt8]) -> [UInt8] {
        var stream = z_stream()
        deflateInit2_(&stream, 6, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, UInt(bytes.count))) + 64)
        var input = bytes
        let written = input.withUnsafeMutableBufferPointer { inp in
            output.withUnsafeMutableBufferPointer { out -> Int in
                stream.next_in = inp.baseAddress
                stream.avail_in = UInt32(inp.count)
                stream.next_out = out.baseAddress
                stream.avail_out = UInt32(out.count)
                deflate(&stream, Z_FINISH)
                return out.count - Int(stream.avail_out)
            }
        }
        deflateEnd(&stream)
        return Array(output[..<written])
    }

    /// Everything a source delivers, read on this thread.
    static func read(_ source: any SpanSource) -> (batches: [ReadBatch], all: ReadBatch) {
        var batches: [ReadBatch] = []
        var all = ReadBatch()
        source.read { batch in
            batches.append(batch)
            all.absorb(batch)
            return true
        }
        return (batches, all)
    }
}

@Suite("Sources")
struct InputSourceTests {
    @Test("a file, memory-mapped on one thread or read on two: progress in bytes up to its size, then its end", arguments: [1, 2])
    func file(threads: Int) throws {
        let bytes = Array(Inputs.goSpans(3_000).utf8)
        let path = try Inputs.file(bytes)
        defer { unlink(path) }
        let source = try InputSource(path: path, chunkSize: 1 << 16, threads: threads)
        #expect(!source.isLive && !source.isEphemeral && source.size == Int64(bytes.count))
        let (batches, all) = Inputs.read(source)
        #expect(batches.count > 10)
        let progress = batches.compactMap(\.progress)
        #expect(progress.map(\.done) == progress.map(\.done).sorted())
        #expect(progress.last == ByteProgress(done: Int64(bytes.count), total: Int64(bytes.count)))
        #expect(all.spans.count == 3_000)
        #expect(all.problems.map(\.line) == [29])
        #expect(all.logLines.count == 300)
        #expect(all.stats.bytes == Int64(bytes.count))
        #expect(all.formats == [.go])
        #expect(all.end == .complete)
        #expect(batches.dropLast().allSatisfy { $0.end == nil })
    }

    @Test("gzip, recognised by its bytes whatever its name: the same spans, problems and positions as the plain file, with progress in compressed bytes")
    func gzipFile() throws {
        let plain = Array(Inputs.goSpans(3_000).utf8)
        let packed = Inputs.gzip(plain)
        let plainPath = try Inputs.file(plain)
        let gzPath = try Inputs.file(packed, suffix: ".json")   // no .gz: the content says gzip
        defer { unlink(plainPath); unlink(gzPath) }
        let expected = Inputs.read(try InputSource(path: plainPath)).all
        let (batches, got) = Inputs.read(try InputSource(path: gzPath))
        #expect(got.spans.map(\.name) == expected.spans.map(\.name))
        #expect(got.problems == expected.problems.map { var p = $0; p.source = gzPath; return p })
        #expect(got.logLines.map(\.line) == expected.logLines.map(\.line))
        #expect(got.stats == expected.stats)
        #expect(got.end == .complete)
        #expect(batches.compactMap(\.progress).last == ByteProgress(done: Int64(packed.count), total: Int64(packed.count)))
    }

    @Test("damaged gzip keeps every span before the damage and says where it broke", arguments: [0.3, 0.7])
    func damagedGzip(at fraction: Double) throws {
        let plain = Array(Inputs.goSpans(3_000).utf8)
        let packed = Inputs.gzip(plain)
        let cut = Array(packed[..<Int(Double(packed.count) * fraction)])
        let path = try Inputs.file(cut)
        defer { unlink(path) }
        let got = Inputs.read(try InputSource(path: path)).all
        #expect(got.spans.count > Int(3_000 * fraction * 0.8))
        #expect(got.spans.count < 3_000)
        // Every span read is the plain file's span of that place.
        #expect(got.spans.map(\.name) == (0..<got.spans.count).map { "op \($0)" })
        let damage = try #require(got.problems.last)
        #expect(damage.reason.contains("gzip stream truncated"))
        #expect(damage.offset > 0 && damage.offset <= Int64(plain.count))
        #expect(got.end == .complete)
    }

    @Test("a pipe: live and ephemeral, plain or gzip, read as the file is (through /dev/fd)", arguments: [false, true])
    func pipe(gzip: Bool) throws {
        let plain = Array(Inputs.goSpans(3_000).utf8)
        let bytes = gzip ? Inputs.gzip(plain) : plain
        var fds: [Int32] = [0, 0]
        #expect(Glibc.pipe(&fds) == 0)
        let writeEnd = fds[1]
        let writer = Thread {
            var sent = 0
            while sent < bytes.count {
                let n = bytes.withUnsafeBytes { write(writeEnd, $0.baseAddress! + sent, min(7_000, bytes.count - sent)) }
                if n <= 0 { break }
                sent += n
            }
            close(writeEnd)
        }
        writer.start()
        let source = try InputSource(path: "/dev/fd/\(fds[0])", chunkSize: 1 << 16)
        #expect(source.isLive && source.isEphemeral && source.size == nil)
        let spool = try #require(Spool())
        source.spool = spool
        let got = Inputs.read(source).all
        close(fds[0])
        #expect(got.spans.count == 3_000)
        #expect(got.problems.count == 1)
        #expect(got.stats.bytes == Int64(plain.count))
        #expect(got.end == .complete)
        // The spool kept the bytes as they arrived (compressed, if they came compressed).
        #expect(spool.keptBytes == Int64(bytes.count))
        let saved = FileManager.default.temporaryDirectory.appendingPathComponent("saved-\(UUID().uuidString)").path
        defer { unlink(saved) }
        #expect(try spool.save(to: saved) == Int64(bytes.count))
        #expect(try Array(Data(contentsOf: URL(fileURLWithPath: saved))) == bytes)
    }

    @Test("back-pressure: while the inbox is full the pipe is not read, so the writer waits; nothing is dropped")
    func writerWaits() throws {
        let bytes = Array(Inputs.goSpans(6_000).utf8)   // 5 MB: more than the pipe and every buffer hold
        var fds: [Int32] = [0, 0]
        #expect(Glibc.pipe(&fds) == 0)
        let writeEnd = fds[1]
        let written = Atomic(0)
        let writer = Thread {
            var sent = 0
            while sent < bytes.count {
                let n = bytes.withUnsafeBytes { write(writeEnd, $0.baseAddress! + sent, min(4_096, bytes.count - sent)) }
                if n <= 0 { break }
                sent += n
                written.store(sent, ordering: .relaxed)
            }
            close(writeEnd)
        }
        writer.start()
        let inbox = Inbox(capacity: 200)
        inbox.start(try InputSource(path: "/dev/fd/\(fds[0])", chunkSize: 1 << 16))
        // Nobody drains: the source fills the inbox and stops reading; the writer stops.
        var before = -1, after = 0
        let deadline = Date().addingTimeInterval(10)
        while before != after && Date() < deadline {
            before = written.load(ordering: .relaxed)
            usleep(300_000)
            after = written.load(ordering: .relaxed)
        }
        #expect(after == before)
        #expect(after < bytes.count, "the writer finished: nothing held it back")
        // The viewer takes what waits: the writer goes on, and every span arrives once.
        var names = Set<String>(), count = 0
        var ended = false
        while !ended && Date() < deadline.addingTimeInterval(20) {
            _ = inbox.waitForPending(seconds: 0.1)
            for d in inbox.drain() {
                for b in d.batches {
                    count += b.spans.count
                    for span in b.spans { names.insert(span.name) }
                    if b.end != nil { ended = true }
                }
            }
        }
        close(fds[0])
        #expect(ended)
        #expect(written.load(ordering: .relaxed) == bytes.count)
        #expect(count == 6_000 && names.count == 6_000)
    }

    @Test("paths that cannot be read fail before anything starts, saying why")
    func unusable() throws {
        #expect(throws: InputError.self) { try InputSource(path: "/nonexistent/spans.json") }
        do {
            _ = try InputSource(path: "/tmp")
            Issue.record("a directory was accepted")
        } catch {
            #expect(error.description == "'/tmp': is a directory")
        }
    }

    @Test("the loader reads several inputs into one store and reports progress after each batch")
    func loader() throws {
        let a = try Inputs.file(Array(Inputs.goSpans(100).utf8))
        let b = try Inputs.file(Inputs.gzip(Array(Inputs.goSpans(50).utf8)))
        defer { unlink(a); unlink(b) }
        var calls = 0
        let loaded = try InputLoader.load([a, b], progress: { _ in calls += 1 })
        #expect(loaded.inputs.map(\.name) == [a, b])
        #expect(loaded.inputs.map(\.stats.spans) == [100, 50])
        #expect(loaded.inputs.map(\.formatLabel) == ["go-stdouttrace", "go-stdouttrace"])
        #expect(loaded.store.spanCount == 100)   // b's spans are a's first 50 again: duplicates
        #expect(loaded.store.duplicateCount == 50)
        #expect(calls >= 2)
    }
}
