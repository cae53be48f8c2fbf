#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import SpanFormats
import Tracing

/// Where every source's batches meet on their way to the viewer: a bounded queue with a
/// wake-up descriptor.
///
/// Sources publish from their own threads; the viewer polls `wakeFileDescriptor` beside
/// the terminal and takes everything with `drain()`, one delivery per source. The queue
/// is bounded in spans: when the viewer falls behind, `publish` waits, so a source stops
/// reading (a pipe's writer then blocks, as it would on any slow reader) and nothing is
/// dropped or held without bound.
public final class Inbox: @unchecked Sendable {
    /// One source's batches since the last drain, in order. They are kept apart, not merged:
    /// merging would copy every span (six reference counts each) on the way.
    public struct Delivery: Sendable {
        /// The number `start(_:)` gave the source.
        public let source: Int
        public var batches: [ReadBatch]

        public init(source: Int, batches: [ReadBatch]) {
            self.source = source
            self.batches = batches
        }

        /// The batches as one (`ReadBatch.absorb`): their spans copied into one array.
        public var batch: ReadBatch {
            var all = ReadBatch()
            for b in batches { all.absorb(b) }
            return all
        }
    }

    // Guarded by `condition`.
    private let condition = NSCondition()
    private var pending: [Int: [ReadBatch]] = [:]
    private var pendingSpans = 0
    private var closed = false
    private var sources: [any SpanSource] = []

    /// Spans held before publishers wait.
    public let capacity: Int
    private let wakeRead: Int32
    private let wakeWrite: Int32

    /// The descriptor to poll: readable when a batch is waiting.
    public var wakeFileDescriptor: Int32 { wakeRead }

    /// `capacity`: spans held before a publisher waits (at about 1 KB a span in memory,
    /// 200,000 is some 200 MB at most, and about a second of the viewer's inserting).
    public init(capacity: Int = 200_000) {
        self.capacity = max(1, capacity)
        var fds: [Int32] = [0, 0]
        _ = pipe(&fds)
        for fd in fds {
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        }
        (wakeRead, wakeWrite) = (fds[0], fds[1])
    }

    deinit {
        Glibc.close(wakeRead)
        Glibc.close(wakeWrite)
    }

    /// Starts reading `source` on a thread of its own, publishing here. Returns its number
    /// (0, 1, … in the order started), which its deliveries carry.
    ///
    /// `traced: false` makes no spans for this source's reading (the viewer's own spans: a
    /// span for reading them would be one more of them, and so on).
    @discardableResult
    public func start(_ source: any SpanSource, traced: Bool = true) -> Int {
        let id = condition.withLock {
            sources.append(source)
            return sources.count - 1
        }
        // The context does not follow the thread by itself: it is handed over (self-tracing).
        let parent = InstrumentationContext.current ?? .topLevel
        let thread = Thread { [self] in
            Self.yieldToTheViewer()
            var spans = traced ? SourceSpans(source, parent: parent) : nil
            source.read { batch in
                spans?.took(batch)
                return publish(batch, from: id)
            }
            spans?.end()
        }
        thread.name = "spanview-source-\(id)"
        thread.stackSize = 1 << 20
        thread.start()
        return id
    }

    /// Reading is background work: a source's thread (and the decoding threads it starts)
    /// runs at a lower priority than the viewer's, so that on a machine whose cores are all
    /// decoding, keys and frames still come first (Linux: a thread's own nice value).
    static func yieldToTheViewer() {
        #if os(Linux)
        _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, 5)
        #endif
    }

    /// The sources started, by number.
    public var startedSources: [any SpanSource] { condition.withLock { sources } }

    /// Adds a batch from `source`. Waits while the inbox holds `capacity` spans or more.
    /// Returns false once the inbox is closed: the source should stop reading.
    @discardableResult
    public func publish(_ batch: ReadBatch, from source: Int) -> Bool {
        let spans = batch.spans.count
        if batch.isEmpty && batch.end == nil && batch.progress == nil {
            // Nothing to show (a followed file at its end): no wake-up, just whether to go on.
            return condition.withLock { !closed }
        }
        let taken: Bool? = condition.withLock {
            while !closed && pendingSpans >= capacity { condition.wait() }
            guard !closed else { return nil }
            let wasEmpty = pending.isEmpty
            pending[source, default: []].append(batch)
            pendingSpans += spans
            return wasEmpty
        }
        guard let wasEmpty = taken else { return false }
        if wasEmpty {
            var byte: UInt8 = 1
            _ = write(wakeWrite, &byte, 1)
        }
        return true
    }

    /// Takes everything waiting: one delivery per source that published, in source order.
    public func drain() -> [Delivery] {
        var sink = [UInt8](repeating: 0, count: 64)
        while read(wakeRead, &sink, sink.count) > 0 {}
        let taken: [Int: [ReadBatch]] = condition.withLock {
            let taken = pending
            pending = [:]
            pendingSpans = 0
            condition.broadcast()
            return taken
        }
        return taken.keys.sorted().map { Delivery(source: $0, batches: taken[$0]!) }
    }

    /// Whether a batch is waiting.
    public var hasPending: Bool { condition.withLock { !pending.isEmpty } }

    /// Waits up to `seconds` for a batch to be waiting; true if one is.
    public func waitForPending(seconds: Double) -> Bool {
        var p = pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0)
        _ = poll(&p, 1, Int32(max(0, seconds * 1000)))
        return hasPending
    }

    /// Stops taking batches: waiting publishers return false, and so do later ones.
    public func close() {
        condition.withLock {
            closed = true
            condition.broadcast()
        }
    }
}
