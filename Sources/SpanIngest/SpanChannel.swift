import Foundation
import SpanFormats
import SpanModel

/// A source fed by code rather than bytes: spans pushed from any thread (the tracing SDK's
/// exporter, for the viewer's own spans) are delivered as batches. Bounded: when the reader
/// does not keep up, the oldest pushed spans go and are counted as skipped.
public final class SpanChannel: SpanSource, @unchecked Sendable {
    public let name: String
    public var isLive: Bool { true }
    /// Nothing to save: the spans are made here again as the program runs.
    public var isEphemeral: Bool { false }
    /// Most spans waiting.
    public let capacity: Int

    private let condition = NSCondition()
    private var pending: [Span] = []
    private var dropped = 0
    private var delivered = 0
    private var closed = false

    public init(name: String, capacity: Int = 100_000) {
        self.name = name
        self.capacity = max(1, capacity)
    }

    /// Adds spans to deliver.
    public func push(_ spans: [Span]) {
        condition.withLock {
            guard !closed else { return }
            pending += spans
            if pending.count > capacity {
                dropped += pending.count - capacity
                pending.removeFirst(pending.count - capacity)
            }
            condition.signal()
        }
    }

    /// No more spans: the reader delivers what waits, then ends.
    public func close() {
        condition.withLock {
            closed = true
            condition.signal()
        }
    }

    public func read(deliver: (ReadBatch) -> Bool) {
        while true {
            condition.lock()
            while pending.isEmpty && !closed {
                // Wake now and then to learn whether the reader has gone (deliver says so).
                if !condition.wait(until: Date(timeIntervalSinceNow: 0.5)) { break }
            }
            var batch = ReadBatch()
            swap(&batch.spans, &pending)
            delivered += batch.spans.count
            batch.stats.spans = delivered
            batch.stats.skipped = dropped
            let ended = closed
            condition.unlock()
            if ended { batch.end = .complete }
            if batch.spans.isEmpty && !ended {
                guard deliver(ReadBatch()) else { return }   // nothing new; still wanted?
                continue
            }
            guard deliver(batch), !ended else { return }
        }
    }
}
