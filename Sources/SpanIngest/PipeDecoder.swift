#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Dispatch
import SpanFormats
import Synchronization

/// Reads a pipe that is still being written (`go run . | spanview`) and decodes it on two
/// threads with no waiting between them.
///
/// The calling thread reads. What it reads is cut into segments: runs of whole lines that
/// end where a line starts with `{` or `[` (most likely the start of a value), or, when the
/// writer pauses, at the last line end, so a span written just before a pause is not held
/// back. Each segment is queued; a helper thread and the reading thread (whenever the pipe
/// has nothing for it) take segments from the queue and decode them with readers of their
/// own, from a fresh state. Finished segments are merged in input order into one main
/// reader, which takes a segment's result only where it is itself between values at a line
/// start, the state the segment was decoded from; anywhere else (a segment that cut a value,
/// or held a bad one) it reads the segment's bytes itself. So what comes out is exactly what
/// one reader would have read, in order, while the reading and decoding overlap: nothing
/// waits for the slower half of a chunk, and the pipe is drained while segments decode.
public final class PipeDecoder: @unchecked Sendable {
    /// What arrived in one merge: spans, problems and log lines in input order, with the
    /// main reader's totals and the formats seen so far.
    public typealias Publish = (_ batch: ReadBatch) -> Void

    /// A run of whole lines of one chunk buffer.
    private final class Piece: @unchecked Sendable {
        let base: UnsafeMutablePointer<UInt8>
        let count: Int
        /// The chunk buffer to hand back once this piece, its last, is merged.
        let releases: UnsafeMutablePointer<UInt8>?
        // Set under `queue`'s lock.
        var decoded = false
        var result: Segment?

        init(base: UnsafeMutablePointer<UInt8>, count: Int, releases: UnsafeMutablePointer<UInt8>?, decoded: Bool) {
            self.base = base
            self.count = count
            self.releases = releases
            self.decoded = decoded
        }
    }

    private struct Queue {
        /// Pushed and not yet merged, in input order.
        var inFlight: [Piece] = []
        /// Not yet taken by a decoding thread, in input order.
        var waiting: [Piece] = []
        var freeBuffers: [ChunkBuffer] = []
    }

    /// A chunk buffer's address, passed between threads under the queue's lock.
    private struct ChunkBuffer: @unchecked Sendable {
        let base: UnsafeMutablePointer<UInt8>
    }

    public let source: String
    public let chunkSize: Int
    /// Most pieces pushed and not yet merged: bounds memory (8 pieces, halves of 512 KiB chunks:
    /// about 2 MiB of input in at most 9 chunk buffers) and how far reading runs ahead. The
    /// merge waits for the oldest piece, so when the helper is descheduled while holding it,
    /// reading and decoding on this thread go on only as far as this allows; 3, 4, 6, 8 and
    /// 16 measured alike in the live benchmark.
    public let maxInFlight: Int
    /// A piece is at least this long where a chunk is cut in two.
    private var minimumPiece: Int { chunkSize / 16 }
    private var bufferCapacity: Int { chunkSize * 2 }

    private let queue = Mutex(Queue())
    private let progress = DispatchSemaphore(value: 0)
    /// Signalled once per piece queued, and once more to stop the helper.
    private let work = DispatchSemaphore(value: 0)
    private let stopping = Atomic(false)
    private let cancelled = Atomic(false)
    // Each used only on its own thread: the caller's, the helper queue's, and (under
    // `mergeLock`) whichever thread merges.
    private let ownReader: SpanStreamReader
    private let helperReader: SpanStreamReader
    private let main: SpanStreamReader
    private let mergeLock = Mutex(())
    private let publish: Publish
    private var allBuffers: [UnsafeMutablePointer<UInt8>] = []

    /// Merge counts (for tests and benchmarks): pieces taken as decoded, and pieces read
    /// again on one thread.
    public var takenPieces: Int { mergeLock.withLock { _ in main.splitChunks } }
    public var redonePieces: Int { mergeLock.withLock { _ in main.redoneSplits } }

    /// `publish` is called for every merge, in input order, from whichever thread merged.
    public init(source: String, decoder: SpanDecoder = SpanDecoder(), chunkSize: Int = 1 << 19, maxInFlight: Int = 8,
                publish: @escaping Publish) {
        self.source = source
        self.chunkSize = chunkSize
        self.maxInFlight = max(2, maxInFlight)
        self.publish = publish
        main = SpanStreamReader(source: source, decoder: decoder, chunkSize: chunkSize)
        ownReader = SpanStreamReader(source: source, chunkSize: 1 << 12)
        helperReader = SpanStreamReader(source: source, chunkSize: 1 << 12)
    }

    deinit {
        for buffer in allBuffers { buffer.deallocate() }
    }

    /// Longest value held while its end has not come (`SpanStreamReader.maxValueBytes`):
    /// 128 MiB for a pipe; a file, which ends, needs no bound. Set before `run`.
    public var maxValueBytes: Int {
        get { main.maxValueBytes }
        set { main.maxValueBytes = newValue }
    }

    /// Called on the reading thread with the bytes of every read, as they arrived (to keep
    /// a copy of live input).
    public var onRead: ((UnsafeRawBufferPointer) -> Void)?

    /// Reads `fd` to its end on the calling thread, publishing as it goes. Returns the last
    /// batch (a value still open is reported as truncated), its `end` saying why reading stopped.
    ///
    /// `prefix`: bytes already read from `fd` (to recognise its format), decoded first.
    public func run(fd: Int32, prefix: UnsafeRawBufferPointer = UnsafeRawBufferPointer(start: nil, count: 0)) -> ReadBatch {
        #if os(Linux)
        let niceness = getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0)
        #endif
        // The helper: one long-lived thread (its caches stay warm), woken per queued piece.
        let helperDone = DispatchSemaphore(value: 0)
        DispatchQueue(label: "spanview.pipe-decoder").async { [self] in
            #if os(Linux)
            // As low a priority as the thread that runs the decoder (a source's: see
            // `Inbox.yieldToTheViewer`), given back when the decoder is done with this thread.
            let tid: id_t = 0   // on Linux, 0 is the calling thread (nice is per thread)
            let own = getpriority(__priority_which_t(PRIO_PROCESS.rawValue), tid)
            _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), tid, niceness)
            defer { _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), tid, own) }
            #endif
            while true {
                work.wait()
                if stopping.load(ordering: .acquiring) { break }
                if let piece = takeWaiting() { decode(piece, with: helperReader) }
            }
            helperDone.signal()
        }
        defer {
            stopping.store(true, ordering: .releasing)
            work.signal()
            helperDone.wait()
        }
        var buffer = takeBuffer()
        var filled = 0      // bytes in `buffer`, from its start
        var failure: ReadError?
        if let base = prefix.baseAddress, prefix.count > 0 {
            // More than a buffer holds goes through a buffer of its own.
            var rest = prefix.count
            while rest > bufferCapacity {
                let piece = takeBuffer()
                memcpy(piece, base + (prefix.count - rest), bufferCapacity)
                push(Piece(base: piece, count: bufferCapacity, releases: piece, decoded: true))
                rest -= bufferCapacity
            }
            filled = rest
            memcpy(buffer, base + (prefix.count - rest), rest)
        }
        reading: while !cancelled.load(ordering: .relaxed) {
            // Read up to a chunk, topping up while the pipe has more right now.
            var fresh = 0
            var waits = 0
            while fresh < chunkSize && filled < bufferCapacity {
                let n = read(fd, buffer + filled, min(chunkSize - fresh, bufferCapacity - filled))
                if n > 0 {
                    onRead?(UnsafeRawBufferPointer(start: buffer + filled, count: n))
                    filled += n
                    fresh += n
                    // Less than half a chunk: unless the pipe holds a backlog, let the writer
                    // write more before reading again or cutting: decode a waiting piece
                    // meanwhile, or else sleep half a millisecond, four times at most. A fast
                    // writer's output then goes in big pieces (each piece costs hand-offs
                    // between threads), an application that writes span by span is read in a
                    // few big reads instead of one per span, and a span waits at most about
                    // 2 ms here however slowly and steadily the writer writes (without the
                    // bound, one span every half millisecond waited for half a chunk: 64 ms).
                    if fresh >= chunkSize / 2 { break }
                    if n >= 64 << 10 && Self.readable(fd) { continue }
                    if waits == 4 { break }
                    waits += 1
                    if let piece = takeWaiting() {
                        decode(piece, with: ownReader)
                    } else {
                        usleep(500)
                    }
                    if !Self.readable(fd) { break }
                    continue
                }
                if n < 0 && errno == EINTR { continue }
                if n < 0 { failure = ReadError(errno: errno) }
                break reading
            }
            let paused = !Self.readable(fd)
            let (cut, middle) = cutPoints(buffer, filled, paused: paused)
            guard cut > 0 else {
                if filled < bufferCapacity - chunkSize { continue }   // one long value or line: read on
                // No place to cut in two chunks: the main reader reads it all itself.
                push(Piece(base: buffer, count: filled, releases: buffer, decoded: true))
                buffer = takeBuffer()
                filled = 0
                decodeWhileWaiting(fd)
                continue
            }
            let next = takeBuffer()
            memcpy(next, buffer + cut, filled - cut)
            if let middle {
                push(Piece(base: buffer, count: middle, releases: nil, decoded: false))
                push(Piece(base: buffer + middle, count: cut - middle, releases: buffer, decoded: false))
            } else {
                push(Piece(base: buffer, count: cut, releases: buffer, decoded: false))
            }
            buffer = next
            filled -= cut
            decodeWhileWaiting(fd)
        }
        // The rest (an unfinished last line or value) goes to the main reader, in order.
        if filled > 0 {
            push(Piece(base: buffer, count: filled, releases: buffer, decoded: true))
        } else {
            queue.withLock { $0.freeBuffers.append(ChunkBuffer(base: buffer)) }
        }
        while !queue.withLock({ $0.inFlight.isEmpty }) {
            if let piece = takeWaiting() { decode(piece, with: ownReader) } else { progress.wait() }
        }
        return mergeLock.withLock { _ in
            var last = main.finish()
            if let failure { last.end = .failed("read failed: \(failure)") }
            return last
        }
    }

    /// Makes `run` stop reading at its next read (what was read is still decoded).
    public func cancel() {
        cancelled.store(true, ordering: .relaxed)
    }

    // MARK: - Cutting

    /// Where the decodable part of `buffer[0..<filled]` ends, and where to cut it in two
    /// (nil: one piece). 0: nowhere yet.
    private func cutPoints(_ buffer: UnsafeMutablePointer<UInt8>, _ filled: Int, paused: Bool) -> (Int, Int?) {
        var cut = 0
        if paused, let end = lastLineEnd(buffer, filled) {
            cut = end   // the writer stopped: take every whole line now
        } else if let t = ValueLineStarts.last(in: buffer, before: filled, after: max(1, filled - minimumPiece) - 1) {
            cut = t
        }
        guard cut >= 2 * minimumPiece,
              let middle = ValueLineStarts.first(in: buffer, from: cut / 2, below: cut - minimumPiece / 2)
        else { return (cut, nil) }
        return (cut, middle)
    }

    /// Just after the last newline in `buffer[0..<filled]`.
    private func lastLineEnd(_ buffer: UnsafeMutablePointer<UInt8>, _ filled: Int) -> Int? {
        var i = filled - 1
        while i >= 0 {
            if buffer[i] == 0x0A { return i + 1 }
            i -= 1
        }
        return nil
    }

    // MARK: - The queue

    private func takeBuffer() -> UnsafeMutablePointer<UInt8> {
        if let free = queue.withLock({ $0.freeBuffers.popLast() }) { return free.base }
        let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: bufferCapacity)
        allBuffers.append(buffer)   // only the reading thread allocates
        return buffer
    }

    private func push(_ piece: Piece) {
        queue.withLock { queue in
            queue.inFlight.append(piece)
            if !piece.decoded { queue.waiting.append(piece) }
        }
        if piece.decoded {
            mergeReady()
        } else {
            work.signal()
        }
    }

    private func takeWaiting() -> Piece? {
        queue.withLock { queue in queue.waiting.isEmpty ? nil : queue.waiting.removeFirst() }
    }

    /// Decodes waiting pieces on the reading thread until the pipe has bytes and there is
    /// room to read them.
    private func decodeWhileWaiting(_ fd: Int32) {
        while true {
            let room = queue.withLock { $0.inFlight.count < maxInFlight }
            if room && Self.readable(fd) { return }
            if let piece = takeWaiting() {
                decode(piece, with: ownReader)
                continue
            }
            if room { return }   // nothing to decode: wait for bytes in `read`
            progress.wait()      // wait for a merge to make room
        }
    }

    private func decode(_ piece: Piece, with reader: SpanStreamReader) {
        let segment = reader.decodeSegment(UnsafePointer(piece.base), count: piece.count)
        queue.withLock { _ in
            piece.result = segment
            piece.decoded = true
        }
        mergeReady()
    }

    /// Merges the decoded pieces at the front of the queue, in order, and publishes each.
    private func mergeReady() {
        mergeLock.withLock { _ in
            while let piece = queue.withLock({ queue -> Piece? in
                guard let first = queue.inFlight.first, first.decoded else { return nil }
                queue.inFlight.removeFirst()
                return first
            }) {
                let batch = main.merge(UnsafeRawBufferPointer(start: piece.base, count: piece.count), decoded: piece.result)
                piece.result = nil
                if let buffer = piece.releases { queue.withLock { $0.freeBuffers.append(ChunkBuffer(base: buffer)) } }
                publish(batch)
            }
        }
        progress.signal()
    }

    private static func readable(_ fd: Int32) -> Bool {
        var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        return poll(&p, 1, 0) > 0 && p.revents & Int16(POLLIN) != 0
    }
}
