import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import SpanFormats
import SpanIngest
import SpanModel

/// An OTLP/HTTP trace receiver (`POST /v1/traces`, protobuf or JSON, gzip or not) as one more
/// source of spans: each accepted request's spans become one batch, read by `read(deliver:)`
/// on the inbox's thread for the source.
///
/// Back-pressure without blocking: the event loops never wait for the inbox. Accepted
/// requests wait in a small hand-off queue (`queueCapacity` spans) that the source's thread
/// empties into the inbox; while that queue is full (the viewer, or the file `record` writes,
/// has fallen behind) a request is answered 429 with `Retry-After: 1`, which OTLP exporters
/// retry. So nothing that was answered 200 is dropped, and nothing is held without bound.
public final class OTLPReceiver: SpanSource, @unchecked Sendable {
    public struct Configuration: Sendable {
        /// Where to listen; loopback unless said otherwise.
        public var host: String
        /// 0 for any free port (`port` tells which after `start`).
        public var port: Int
        /// The most a request body may be, compressed and decompressed (413 over it).
        public var maxBodyBytes: Int
        /// Connections open at once; more are closed on accepting.
        public var maxConnections: Int
        /// The most a request's header fields may be, together and each, and how many there
        /// may be (431 Request Header Fields Too Large over either, and the connection closed).
        public var maxHeaderBytes = 64 << 10
        public var maxHeaderFields = 100
        /// How long a request head may take from its first byte to its end (the connection is
        /// closed after it: slowloris).
        public var headTimeout: Duration = .seconds(10)
        /// The longest gap allowed between the reads of a request body (408, and the connection
        /// closed, after it).
        public var bodyTimeout: Duration = .seconds(30)
        /// How long a connection may stay open with no request in it, just after connecting or
        /// between kept-alive requests (closed after it).
        public var idleTimeout: Duration = .seconds(60)
        /// When set, requests must carry `Authorization: Bearer <token>` (401 otherwise).
        public var token: String?
        /// Requests a second over which requests get 429 with `Retry-After: 1` before their
        /// bodies are decoded (a bucket of one second's requests, refilled as time passes), so
        /// a runaway client cannot keep the decoders and the viewer busy; nil for no limit.
        public var maxRequestsPerSecond: Int? = Configuration.defaultMaxRequestsPerSecond
        /// Spans accepted but not yet taken by the reader before requests get 429.
        public var queueCapacity: Int
        /// Event-loop threads.
        public var threads: Int
        /// Bodies this big or bigger (as received) are decoded on a thread of their own, so
        /// that one big request does not hold up the other connections on its event loop.
        public var decodeElsewhereFromBytes = 1 << 20

        public static let defaultPort = 4318
        public static let defaultMaxBodyBytes = 64 << 20
        /// Some ten times what an SDK's batch exporter sends at full speed (about 1,500
        /// requests of 512 spans a second here: docs/benchmarks.md).
        public static let defaultMaxRequestsPerSecond = 10_000

        public init(host: String = "127.0.0.1", port: Int = Configuration.defaultPort,
                    maxBodyBytes: Int = Configuration.defaultMaxBodyBytes, maxConnections: Int = 256,
                    token: String? = nil, queueCapacity: Int = 100_000,
                    threads: Int = min(2, max(1, ProcessInfo.processInfo.activeProcessorCount))) {
            self.host = host
            self.port = port
            self.maxBodyBytes = maxBodyBytes
            self.maxConnections = maxConnections
            self.token = token
            self.queueCapacity = queueCapacity
            self.threads = threads
        }
    }

    /// What the receiver has done so far.
    public struct Counts: Sendable, Hashable {
        /// Requests answered 200 (with or without a partial success).
        public var acceptedRequests = 0
        /// Spans in them.
        public var acceptedSpans = 0
        /// Spans that could not be read in accepted requests (the partial successes' `rejected_spans`).
        public var rejectedSpans = 0
        /// Requests answered 4xx (bad bodies, wrong paths, types, sizes, tokens).
        public var failedRequests = 0
        /// Requests answered 429 because the queue was full.
        public var throttledRequests = 0
        /// Requests answered 429 because they came faster than `maxRequestsPerSecond`.
        public var rateLimitedRequests = 0
        /// Body bytes received (before decompression).
        public var bytes: Int64 = 0
        /// Connections closed on accepting because `maxConnections` were open.
        public var refusedConnections = 0
        /// Connections closed for being idle too long or too slow with a request.
        public var timedOutConnections = 0
    }

    public let configuration: Configuration
    /// Where the viewer's `w` saves what was received from: each accepted request's spans as
    /// one OTLP/JSON line, written by the reader. Set before the inbox starts the receiver.
    public var spool: Spool?
    public var isLive: Bool { true }
    /// What was received is only in this process until written somewhere.
    public var isEphemeral: Bool { true }

    private let lock = NSCondition()
    private var queue: [ReadBatch] = []
    private var queuedSpans = 0
    private var stopped = false
    private var counts = Counts()
    private var connections = 0
    private var boundPort: Int?
    /// The request-rate bucket: requests that may come now, and when it was last filled.
    private var requestTokens: Double
    private var tokensFilledAt = DispatchTime.now().uptimeNanoseconds
    /// The last failure's status and reason, and how many refusals the reader has told of.
    private var lastRefusal = ""
    private var reportedRefusals = 0

    private var group: MultiThreadedEventLoopGroup?
    private var serverChannel: (any Channel)?
    /// Where big bodies are decoded.
    let decodingPool = NIOThreadPool(numberOfThreads: 1)

    public init(_ configuration: Configuration = Configuration()) {
        self.configuration = configuration
        self.requestTokens = Double(configuration.maxRequestsPerSecond ?? 0)
    }

    /// The port listened on, once started.
    public var port: Int? { lock.withLock { boundPort } }

    /// `OTLP/HTTP host:port`, as the inputs list shows it.
    public var name: String {
        let host = configuration.host.contains(":") ? "[\(configuration.host)]" : configuration.host
        return "OTLP/HTTP \(host):\(port ?? configuration.port)"
    }

    public var currentCounts: Counts { lock.withLock { counts } }

    /// Binds and starts listening; returns the bound port.
    @discardableResult
    public func start() throws -> Int {
        decodingPool.start()
        let group = MultiThreadedEventLoopGroup(numberOfThreads: max(1, configuration.threads))
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(.maxMessagesPerRead, value: 16)
            .childChannelInitializer { [self] channel in
                guard admit() else {
                    return channel.eventLoop.makeFailedFuture(ReceiverError.tooManyConnections)
                }
                channel.closeFuture.whenComplete { [self] _ in release() }
                return channel.eventLoop.makeCompletedFuture {
                    var limits = NIOHTTPDecoderLimitConfiguration()
                    limits.maxHeaderFieldSize = configuration.maxHeaderBytes
                    limits.maxHeaderListSize = configuration.maxHeaderBytes
                    limits.maxHeaderFieldCount = configuration.maxHeaderFields
                    let pipeline = channel.pipeline.syncOperations
                    try pipeline.configureHTTPServerPipeline(
                        withErrorHandling: false, withEncoderConfiguration: .init(), withDecoderLimitConfiguration: limits)
                    try pipeline.addHandler(ByteArrivalNotifier(), position: .first)
                    try pipeline.addHandlers([
                        OTLPProtocolErrorHandler(receiver: self),
                        ConnectionDeadlineHandler(receiver: self),
                        OTLPHTTPHandler(receiver: self),
                    ])
                }
            }
        do {
            let channel = try bootstrap.bind(host: configuration.host, port: configuration.port).wait()
            let port = channel.localAddress?.port ?? configuration.port
            lock.withLock {
                self.group = group
                self.serverChannel = channel
                self.boundPort = port
            }
            return port
        } catch {
            try? group.syncShutdownGracefully()
            try? decodingPool.syncShutdownGracefully()
            throw error
        }
    }

    /// Stops listening and closes every connection; the reader delivers what was accepted,
    /// then ends.
    public func stop() {
        let (channel, group) = lock.withLock {
            let taken = (serverChannel, self.group)
            serverChannel = nil
            self.group = nil
            return taken
        }
        try? channel?.close().wait()
        try? group?.syncShutdownGracefully()
        if group != nil { try? decodingPool.syncShutdownGracefully() }
        lock.withLock {
            stopped = true
            lock.broadcast()
        }
    }

    enum ReceiverError: Error { case tooManyConnections }

    private func admit() -> Bool {
        lock.withLock {
            guard connections < configuration.maxConnections else {
                counts.refusedConnections += 1
                return false
            }
            connections += 1
            return true
        }
    }

    private func release() { lock.withLock { connections -= 1 } }

    /// Connections open now.
    public var openConnections: Int { lock.withLock { connections } }

    /// Why a request is not taken now.
    enum Refusal { case queueFull, overRate(Int) }

    /// Whether a request may be decoded now: nil when it may (the queue has room and the
    /// request rate is under its limit, which takes one from the bucket), else why not,
    /// counted as throttled or rate-limited.
    func refusal() -> Refusal? {
        lock.withLock {
            guard !stopped, queue.isEmpty || queuedSpans < configuration.queueCapacity else {
                counts.throttledRequests += 1
                return .queueFull
            }
            if let rate = configuration.maxRequestsPerSecond {
                let now = DispatchTime.now().uptimeNanoseconds
                requestTokens = min(Double(rate), requestTokens + Double(now &- tokensFilledAt) * Double(rate) / 1e9)
                tokensFilledAt = now
                guard requestTokens >= 1 else {
                    counts.rateLimitedRequests += 1
                    lastRefusal = "429 Too Many Requests: over the limit of \(rate) requests a second"
                    return .overRate(rate)
                }
                requestTokens -= 1
            }
            return nil
        }
    }

    /// Queues an accepted request's batch; false when the queue is full (429) or stopped.
    func offer(_ batch: ReadBatch, rejected: Int) -> Bool {
        lock.withLock {
            guard !stopped, queue.isEmpty || queuedSpans < configuration.queueCapacity else {
                counts.throttledRequests += 1
                return false
            }
            queue.append(batch)
            queuedSpans += batch.spans.count
            counts.acceptedRequests += 1
            counts.acceptedSpans += batch.spans.count
            counts.rejectedSpans += rejected
            counts.bytes += batch.stats.bytes
            lock.signal()
            return true
        }
    }

    func countTimeout() { lock.withLock { counts.timedOutConnections += 1 } }

    /// Counts a request answered with a failure, and keeps the answer for the reader's next notice.
    func countFailure(bytes: Int, status: HTTPResponseStatus, reason: String) {
        lock.withLock {
            counts.failedRequests += 1
            counts.bytes += Int64(bytes)
            lastRefusal = "\(status.code) \(status.reasonPhrase)" + (reason.isEmpty ? "" : ": \(reason)")
        }
    }

    func countFailure(bytes: Int, _ response: OTLPResponse) {
        countFailure(bytes: bytes, status: response.status, reason: response.message)
    }

    /// A notice of the requests refused since the last one (answered 4xx, or over the rate
    /// limit), naming the last answer; nil when none were. At most one a wake of the reader,
    /// so a hostile client cannot flood the viewer's messages. Called under the lock.
    private func refusalNotice() -> String? {
        let refused = counts.failedRequests + counts.rateLimitedRequests
        guard refused > reportedRefusals else { return nil }
        defer { reportedRefusals = refused }
        let count = refused - reportedRefusals
        return "refused \(count) request\(count == 1 ? "" : "s") (the last: \(lastRefusal))"
    }

    /// Delivers each accepted request's spans as one batch, in the order accepted, until
    /// `stop()`; then what is left, and a last batch with `end` set.
    public func read(deliver: (ReadBatch) -> Bool) {
        var totals = ReadStats()
        var line: [UInt8] = []
        while true {
            lock.lock()
            while queue.isEmpty && !stopped {
                // Wake now and then to learn whether the reader has gone (deliver says so).
                if !lock.wait(until: Date(timeIntervalSinceNow: 0.5)) { break }
            }
            var taken = queue
            queue = []
            queuedSpans = 0   // room again: what is taken is the inbox's to bound now
            let ended = stopped
            let notice = refusalNotice()
            lock.unlock()
            if let notice = notice.map({ "\(name) \($0)" }) {
                if taken.isEmpty { taken.append(ReadBatch()) }
                taken[taken.count - 1].notices.append(notice)
            }
            if taken.isEmpty && !ended {
                guard deliver(ReadBatch()) else { return }
                continue
            }
            for var batch in taken {
                totals.bytes += batch.stats.bytes
                totals.spans += batch.stats.spans
                totals.skipped += batch.stats.skipped
                batch.stats = totals
                if let spool, !batch.spans.isEmpty {
                    line.removeAll(keepingCapacity: true)
                    OTLPJSONWriter.write(batch.spans, into: &line)
                    if line.last != UInt8(ascii: "\n") { line.append(UInt8(ascii: "\n")) }
                    line.withUnsafeBytes { spool.append($0) }
                }
                guard deliver(batch) else { return }
            }
            if ended {
                var last = ReadBatch()
                last.stats = totals
                last.end = .complete
                _ = deliver(last)
                return
            }
        }
    }
}
