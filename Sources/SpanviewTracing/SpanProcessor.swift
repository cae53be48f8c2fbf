import Foundation
import SpanModel
import Synchronization

/// Receives each sampled span as it ends and hands it to an exporter.
public protocol SpanProcessor: Sendable {
    func onEnd(_ span: SpanModel.Span)
    /// Exports everything ended so far, and returns when it is done.
    func forceFlush()
    /// Flushes, then stops; later spans are ignored.
    func shutdown()
}

/// Exports each span as it ends, on the thread that ended it (tests, and short programs).
public final class SimpleSpanProcessor: SpanProcessor {
    private let exporter: any SpanExporter
    private let lock = Mutex(false)   // shut down

    public init(exporter: any SpanExporter) { self.exporter = exporter }

    public func onEnd(_ span: SpanModel.Span) {
        lock.withLock { shutDown in
            guard !shutDown else { return }
            _ = exporter.export([span])
        }
    }

    public func forceFlush() { lock.withLock { _ in exporter.forceFlush() } }

    public func shutdown() {
        lock.withLock { shutDown in
            guard !shutDown else { return }
            shutDown = true
            exporter.forceFlush()
            exporter.shutdown()
        }
    }
}

/// Queues ended spans and exports them in batches from a thread of its own, so instrumented
/// code never waits for an export: when the queue is full a span is dropped and counted
/// (`droppedSpans`), never waited for.
public final class BatchSpanProcessor: SpanProcessor, @unchecked Sendable {
    /// As the OpenTelemetry specification's `OTEL_BSP_*` defaults.
    public struct Configuration: Sendable {
        /// Spans queued at most (`OTEL_BSP_MAX_QUEUE_SIZE`).
        public var maxQueueSize = 2048
        /// Longest wait between exports (`OTEL_BSP_SCHEDULE_DELAY`, 5 s).
        public var scheduledDelay = 5.0
        /// Most spans per export (`OTEL_BSP_MAX_EXPORT_BATCH_SIZE`).
        public var maxExportBatchSize = 512

        public init(maxQueueSize: Int = 2048, scheduledDelay: Double = 5.0, maxExportBatchSize: Int = 512) {
            self.maxQueueSize = max(1, maxQueueSize)
            self.scheduledDelay = max(0.001, scheduledDelay)
            self.maxExportBatchSize = max(1, min(maxExportBatchSize, self.maxQueueSize))
        }
    }

    public let configuration: Configuration
    private let exporter: any SpanExporter
    // Guarded by `condition`.
    private let condition = NSCondition()
    private var queue: [SpanModel.Span] = []
    private var dropped = 0
    private var exported = 0
    private var failed = 0
    private var flushRequested = 0
    private var flushDone = 0
    private var stopping = false
    private var stopped = false

    public init(exporter: any SpanExporter, configuration: Configuration = Configuration()) {
        self.exporter = exporter
        self.configuration = configuration
        queue.reserveCapacity(configuration.maxQueueSize)
        let thread = Thread { [self] in work() }
        thread.name = "spanview-tracing-batch"
        thread.start()
    }

    /// Spans dropped because the queue was full.
    public var droppedSpans: Int { condition.withLock { dropped } }
    /// Spans handed to the exporter, and those it could not export.
    public var exportedSpans: Int { condition.withLock { exported } }
    public var failedSpans: Int { condition.withLock { failed } }

    public func onEnd(_ span: SpanModel.Span) {
        condition.lock()
        defer { condition.unlock() }
        guard !stopping else { return }
        guard queue.count < configuration.maxQueueSize else {
            dropped += 1
            return
        }
        queue.append(span)
        if queue.count == configuration.maxExportBatchSize { condition.signal() }
    }

    public func forceFlush() {
        condition.lock()
        flushRequested += 1
        let ticket = flushRequested
        condition.broadcast()
        while flushDone < ticket && !stopped { condition.wait() }
        condition.unlock()
        exporter.forceFlush()
    }

    public func shutdown() {
        condition.lock()
        if stopping {
            while !stopped { condition.wait() }
            condition.unlock()
            return
        }
        stopping = true
        condition.broadcast()
        while !stopped { condition.wait() }
        condition.unlock()
        exporter.forceFlush()
        exporter.shutdown()
    }

    private func work() {
        condition.lock()
        while true {
            let deadline = Date(timeIntervalSinceNow: configuration.scheduledDelay)
            while queue.count < configuration.maxExportBatchSize && flushDone == flushRequested && !stopping {
                if !condition.wait(until: deadline) { break }
            }
            // Export all that is queued now, a batch at a time; a flush or a stop waits for it.
            let ticket = flushRequested
            while !queue.isEmpty {
                let batch = Array(queue.prefix(configuration.maxExportBatchSize))
                queue.removeFirst(batch.count)
                condition.unlock()
                let ok = exporter.export(batch)
                condition.lock()
                if ok { exported += batch.count } else { failed += batch.count }
                if queue.count < configuration.maxExportBatchSize && ticket == flushDone && !stopping { break }
            }
            if queue.isEmpty && flushDone < ticket {
                flushDone = ticket
                condition.broadcast()
            }
            if stopping && queue.isEmpty {
                stopped = true
                flushDone = flushRequested
                condition.broadcast()
                condition.unlock()
                return
            }
        }
    }
}
