#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SpanModel

/// Turns a byte stream (a file or a pipe, in chunks of any size) into spans.
///
/// - Values may be concatenated, one per line or pretty-printed, split across chunks at any byte.
/// - Text between values (an application's log lines on the same stdout) is counted and skipped.
///   A value starts where a line's first non-blank byte is `{` followed by `"` or `}`, or `[`
///   followed by `{`, `[` or `]`, or right after another value.
/// - A bad value (truncated, garbage, invalid UTF-8) is reported with its line and byte offset,
///   and reading resumes at the next line that starts a value at the same indentation or less.
///   Spans around it are kept.
/// - Values are parsed straight from the buffer. One that is cut by the end of the buffered
///   bytes is finished by a cheap bracket scan as more bytes come, then parsed once.
/// - With `threads: 2`, a big chunk is decoded on two threads: a second reader takes its
///   middle, from one line that starts a value to another, while this one decodes the rest.
///   The result is the same as one thread's, checked at both ends (see `+Split`).
public final class SpanStreamReader {
    public let source: String
    public let decoder: SpanDecoder
    @exclusivity(unchecked)
    public internal(set) var stats = ReadStats()
    public let chunkSize: Int
    /// A second thread's reader for the middle of big chunks (nil: one thread).
    let helper: SegmentHelper?
    /// Chunks decoded on two threads, and those whose split had to be redone on one (the
    /// middle did not start or end between values, or it held a bad value).
    @exclusivity(unchecked)
    public internal(set) var splitChunks = 0
    @exclusivity(unchecked)
    public internal(set) var redoneSplits = 0
    @exclusivity(unchecked)
    private var formatsSeen: [SpanFormat] = []

    @exclusivity(unchecked)
    var buffer: UnsafeMutablePointer<UInt8>
    @exclusivity(unchecked)
    var capacity: Int
    /// Unconsumed bytes are `buffer[start..<count]`.
    @exclusivity(unchecked)
    var start = 0
    @exclusivity(unchecked)
    var count = 0
    /// Absolute input offset of `buffer[0]`.
    @exclusivity(unchecked)
    var baseOffset: Int64 = 0
    /// 1-based line number at `start`.
    @exclusivity(unchecked)
    var line = 1
    /// Absolute offset where the current line began.
    @exclusivity(unchecked)
    var lineStartOffset: Int64 = 0
    @exclusivity(unchecked)
    var lineHasText = false
    /// A value may begin here: at a line's first non-blank byte, or right after a value.
    @exclusivity(unchecked)
    var valueMayStart = true
    @exclusivity(unchecked)
    var finished = false
    @exclusivity(unchecked)
    var state = State.between
    /// The log line being read (text between values), and the line it started on.
    @exclusivity(unchecked)
    var pendingLog: [UInt8] = []
    @exclusivity(unchecked)
    var logLine = 0
    /// Log lines finished since the last batch.
    @exclusivity(unchecked)
    var logs: [LogLine] = []
    /// Longest log line kept, in bytes; longer ones are cut (and say so).
    public static let maxLogLineBytes = 4_096
    /// Most bad values listed with their reasons; more are only counted (`stats.skipped`).
    public static let maxListedProblems = 10_000
    @exclusivity(unchecked)
    var listedProblems = 0
    /// Longest value held in memory while its end has not come (a pipe, a followed file):
    /// a longer one is reported and skipped, so one value that never ends cannot take all
    /// memory. A memory-mapped file is not copied, so its values have no such bound.
    @exclusivity(unchecked)
    public var maxValueBytes = 128 << 20

    enum State {
        case between
        case inTextLine
        /// Skipping the rest of a bad value, up to a line that starts a value at `indent` or less.
        case resyncing(indent: Int)
        /// A value starting at `start` is incomplete; `scan` looks for its end.
        case awaitingEnd(BracketScan)
    }

    public init(source: String, decoder: SpanDecoder = SpanDecoder(), chunkSize: Int = 1 << 20, threads: Int = 1) {
        self.source = source
        self.decoder = decoder
        self.chunkSize = chunkSize
        helper = threads > 1 ? SegmentHelper(source: source) : nil
        capacity = chunkSize * 2
        buffer = .allocate(capacity: capacity)
    }

    deinit { buffer.deallocate() }

    /// Formats that produced spans so far, on this thread or in segments decoded elsewhere.
    public var formats: [SpanFormat] {
        noteFormats(decoder.formats)
        return formatsSeen
    }

    /// Adds formats not seen before, keeping the order they were first met in.
    func noteFormats(_ more: [SpanFormat]) {
        for format in more where !formatsSeen.contains(format) { formatsSeen.append(format) }
    }

    // MARK: - Input

    /// Appends bytes and decodes what they complete.
    public func feed(_ bytes: UnsafeRawBufferPointer) -> ReadBatch {
        guard bytes.count > 0 else { return stamped(ReadBatch()) }
        reserve(bytes.count)
        memcpy(buffer + count, bytes.baseAddress!, bytes.count)
        count += bytes.count
        return stamped(process())
    }

    public func feed(_ bytes: [UInt8]) -> ReadBatch {
        bytes.withUnsafeBytes { feed($0) }
    }

    /// Lets `fill` write up to `limit` bytes (a chunk by default) straight into the buffer,
    /// then decodes what it wrote. `fill` returns how many bytes it wrote: 0 for the end of
    /// the input (this then returns nil and decodes nothing), or a negative number for an
    /// error (passed back unchanged in `.failed`). No copy: a `read(2)` can be the `fill`.
    public func append(upTo limit: Int? = nil, _ fill: (UnsafeMutableRawBufferPointer) -> Int) -> AppendResult {
        let wanted = max(1, limit ?? chunkSize)
        reserve(wanted)
        let n = fill(UnsafeMutableRawBufferPointer(start: buffer + count, count: min(wanted, capacity - count)))
        if n < 0 { return .failed(n) }
        if n == 0 { return .end }
        count += n
        return .decoded(stamped(process()))
    }

    /// What `append(upTo:_:)` did.
    public enum AppendResult {
        case decoded(ReadBatch)
        /// `fill` wrote nothing: the input has ended (call `finish()`).
        case end
        /// `fill` returned this negative number.
        case failed(Int)
    }

    /// Decodes a whole input that is already in memory (a memory-mapped file) where it lies,
    /// a chunk at a time, then finishes. `body` gets each chunk's batch and how many bytes
    /// of `bytes` are done with (the caller may let those pages go). The bytes must stay
    /// readable until this returns; nothing is copied, so values here have no length bound.
    public func decodeInPlace(_ bytes: UnsafeRawBufferPointer, body: (inout ReadBatch, _ doneBytes: Int) -> Void) {
        guard let base = bytes.baseAddress, bytes.count > 0, start == count else {
            // Bytes still held from earlier input: copied in behind them instead.
            var batch = feed(bytes)
            batch.absorb(finish())
            body(&batch, bytes.count)
            return
        }
        let owned = buffer, ownedCapacity = capacity, ownedLimit = maxValueBytes
        baseOffset += Int64(start)
        buffer = UnsafeMutablePointer(mutating: base.assumingMemoryBound(to: UInt8.self))
        capacity = bytes.count
        count = 0
        start = 0
        maxValueBytes = .max
        defer {
            buffer = owned
            capacity = ownedCapacity
            maxValueBytes = ownedLimit
            baseOffset += Int64(start)
            count = 0
            start = 0
        }
        while count < bytes.count {
            count = min(bytes.count, count + chunkSize)
            var batch = stamped(process())
            body(&batch, start)
        }
        var last = finish()
        body(&last, bytes.count)
    }

    /// An empty batch with the totals and formats so far.
    public func snapshot() -> ReadBatch { stamped(ReadBatch()) }

    /// The batch with this reader's totals and formats.
    func stamped(_ batch: consuming ReadBatch) -> ReadBatch {
        batch.stats = stats
        batch.formats = formats
        return batch
    }

    /// The input has ended: a value still open is reported as truncated.
    public func finish() -> ReadBatch {
        finished = true
        let batch = process()
        if lineHasText {
            stats.nonJSONLines += 1
            lineHasText = false
        }
        // `line` is one more than the newlines passed; a last line without one counts too.
        stats.lines = line - 1 + (atLineStart ? 0 : 1)
        stats.bytes = baseOffset + Int64(count)
        var last = stamped(batch)
        last.end = .complete
        return last
    }

    /// Input bytes held, not yet consumed (a value or line whose end has not come).
    public var heldBytes: Int { count - start }

    var atLineStart: Bool { baseOffset + Int64(start) == lineStartOffset }

    /// Makes room for `extra` more bytes after `count`.
    private func reserve(_ extra: Int) {
        if count + extra <= capacity { return }
        if start > 0 {
            let live = count - start
            memmove(buffer, buffer + start, live)
            if case .awaitingEnd(var scan) = state {
                scan.shift(by: start)
                state = .awaitingEnd(scan)
            }
            baseOffset += Int64(start)
            count = live
            start = 0
        }
        if count + extra > capacity {
            var newCapacity = capacity
            while count + extra > newCapacity { newCapacity *= 2 }
            let newBuffer = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
            newBuffer.update(from: buffer, count: count)
            buffer.deallocate()
            buffer = newBuffer
            capacity = newCapacity
        }
    }
}

