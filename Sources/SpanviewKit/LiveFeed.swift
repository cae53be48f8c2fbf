#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import SpanFormats
import SpanModel
import Synchronization

/// Reads an input that is still being written (a pipe from `go run . | spanview`) on a
/// thread of its own, and hands what it decodes to the UI thread in batches. The UI never
/// waits for it: it polls `wakeFileDescriptor` beside the terminal and calls `drain()` when
/// that is readable.
public final class LiveFeed: Sendable {
    /// What arrived since the last `drain()`.
    public struct Update: Sendable {
        public var spans: [Span] = []
        public var problems: [ReadProblem] = []
        public var logLines: [LogLine] = []
        public var stats = ReadStats()
        /// The writer closed its end; `error` says why if reading failed.
        public var ended = false
        public var error: String?
        /// Things to tell the user (a followed file was truncated or replaced).
        public var notices: [String] = []
        /// Formats that produced spans so far (`go-stdouttrace`, `otlp-json`).
        public var formats: [String] = []

        public init(spans: [Span] = [], problems: [ReadProblem] = [], stats: ReadStats = ReadStats(), ended: Bool = false, error: String? = nil) {
            self.spans = spans
            self.problems = problems
            self.stats = stats
            self.ended = ended
            self.error = error
        }
    }

    private struct State {
        var pending = Update()
    }
    private let state = Mutex(State())
    private let wakeRead: Int32
    private let wakeWrite: Int32
    public let source: String

    /// The descriptor to poll: readable when an update is waiting.
    public var wakeFileDescriptor: Int32 { wakeRead }

    /// Starts reading `fd` (named `source` in problems) on a new thread. Where there are two
    /// cores, reading and decoding overlap (`PipeDecoder`); `pipelined: false` keeps the
    /// earlier design, where each chunk is split between two threads and both are waited
    /// for (kept to compare the two in `spanview-bench live --split-chunks`). Chunks of
    /// 512 KiB measured a little faster than 1 MiB in the live benchmark (they stay in a
    /// core's 1 MiB L2 cache).
    public init(fd: Int32, source: String, chunkSize: Int = 1 << 19, pipelined: Bool = true) {
        #if os(Linux)
        // A bigger pipe buffer means fewer, larger reads when the writer is fast (Linux only;
        // harmless if refused).
        _ = fcntl(fd, 1031 /* F_SETPIPE_SZ */, Int32(1 << 20))
        #endif
        (wakeRead, wakeWrite) = Self.wakePipe()
        self.source = source
        let thread = Thread { [self] in self.run(fd: fd, chunkSize: chunkSize, pipelined: pipelined) }
        thread.name = "spanview-input"
        thread.start()
    }

    /// A non-blocking pipe: the reader thread writes a byte, the UI thread polls the other end.
    private static func wakePipe() -> (Int32, Int32) {
        var fds: [Int32] = [0, 0]
        _ = pipe(&fds)
        for fd in fds { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }
        return (fds[0], fds[1])
    }

    private func run(fd: Int32, chunkSize: Int, pipelined: Bool) {
        if pipelined && InputLoader.decodingThreads > 1 {
            // Reading and decoding overlap on two threads; batches come in input order.
            let decoder = PipeDecoder(source: source, chunkSize: chunkSize) { [self] batch, stats, formats in
                publish(batch, stats, ended: false, formats: formats)
            }
            let end = decoder.run(fd: fd)
            publish(end.batch, end.stats, ended: true, error: end.error.map { "\($0)" }, formats: end.formats)
            return
        }
        let reader = SpanStreamReader(source: source, chunkSize: chunkSize, threads: InputLoader.decodingThreads)
        while true {
            do {
                guard let batch = try reader.read(from: fd) else { break }
                publish(batch, reader.stats, ended: false, formats: reader.formats)
            } catch {
                publish(reader.finish(), reader.stats, ended: true, error: "\(error)", formats: reader.formats)
                return
            }
        }
        publish(reader.finish(), reader.stats, ended: true, formats: reader.formats)
    }

    /// Starts following a file that grows (`tail -f`): reads what is there, then waits for
    /// more; a file truncated or replaced (log rotation) is read again from its start.
    public init(following path: String, chunkSize: Int = 1 << 20) {
        (wakeRead, wakeWrite) = Self.wakePipe()
        self.source = path
        let thread = Thread { [self] in self.follow(path: path, chunkSize: chunkSize) }
        thread.name = "spanview-follow"
        thread.start()
    }

    private func follow(path: String, chunkSize: Int) {
        var fd: Int32 = -1
        var inode: UInt64 = 0
        var reader = SpanStreamReader(source: path, chunkSize: chunkSize, threads: InputLoader.decodingThreads)
        var consumed: Int64 = 0
        func reopen() -> Bool {
            if fd >= 0 { close(fd) }
            fd = open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { return false }
            var info = stat()
            fstat(fd, &info)
            inode = UInt64(info.st_ino)
            reader = SpanStreamReader(source: path, chunkSize: chunkSize, threads: InputLoader.decodingThreads)
            consumed = 0
            return true
        }
        guard reopen() else {
            publish(ReadBatch(), ReadStats(), ended: true, error: "cannot open '\(path)': \(String(cString: strerror(errno)))")
            return
        }
        while true {
            do {
                if let batch = try reader.read(from: fd) {
                    consumed = reader.stats.bytes
                    publish(batch, reader.stats, ended: false, formats: reader.formats)
                    continue
                }
            } catch {
                publish(ReadBatch(), reader.stats, ended: false, notice: "reading '\(path)' failed (\(error)); trying again")
            }
            // At the end for now: wait, then look for growth, truncation or replacement.
            usleep(100_000)
            var info = stat()
            guard stat(path, &info) == 0 else { continue }   // being replaced: try again soon
            if UInt64(info.st_ino) != inode {
                publish(reader.finish(), reader.stats, ended: false, notice: "'\(path)' was replaced; reading the new file")
                _ = reopen()
            } else if Int64(info.st_size) < consumed {
                _ = lseek(fd, 0, SEEK_SET)
                reader = SpanStreamReader(source: path, chunkSize: chunkSize, threads: InputLoader.decodingThreads)
                consumed = 0
                publish(ReadBatch(), reader.stats, ended: false, notice: "'\(path)' was truncated; reading it again from the start")
            }
        }
    }

    private func publish(_ batch: ReadBatch, _ stats: ReadStats, ended: Bool, error: String? = nil, notice: String? = nil,
                         formats: [String] = []) {
        state.withLock { state in
            for f in formats where !state.pending.formats.contains(f) { state.pending.formats.append(f) }
            if let notice { state.pending.notices.append(notice) }
            if state.pending.spans.isEmpty {
                state.pending.spans = batch.spans   // shared, not copied; the batch goes away
            } else {
                state.pending.spans += batch.spans
            }
            state.pending.problems += batch.problems
            state.pending.logLines += batch.logLines
            if state.pending.logLines.count > LoadedInputs.maxLogLines {
                state.pending.logLines.removeFirst(state.pending.logLines.count - LoadedInputs.maxLogLines)
            }
            state.pending.stats = stats
            state.pending.ended = state.pending.ended || ended
            if let error { state.pending.error = error }
        }
        var byte: UInt8 = 1
        _ = write(wakeWrite, &byte, 1)   // a full pipe already means "wake up"
    }

    /// Takes everything that arrived since the last call.
    public func drain() -> Update {
        var sink = [UInt8](repeating: 0, count: 256)
        while read(wakeRead, &sink, sink.count) > 0 {}
        return state.withLock { state in
            let update = state.pending
            state.pending.spans = []
            state.pending.problems = []
            state.pending.logLines = []
            state.pending.notices = []
            return update
        }
    }
}
