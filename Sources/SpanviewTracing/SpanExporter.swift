import SpanModel
import Synchronization

/// Sends finished spans somewhere: a file, standard output, a collector, the viewer.
/// Called by one processor at a time, never concurrently.
public protocol SpanExporter: Sendable {
    /// Exports a batch; false if it could not (the processor counts the spans as lost).
    func export(_ spans: [SpanModel.Span]) -> Bool
    /// Writes out anything buffered.
    func forceFlush()
    /// No more exports will come.
    func shutdown()
}

extension SpanExporter {
    public func forceFlush() {}
    public func shutdown() {}
}

/// Keeps finished spans in memory (tests; and the viewer's own spans, taken from here).
public final class InMemorySpanExporter: SpanExporter {
    private let state = Mutex<[SpanModel.Span]>([])
    /// Most spans kept; older ones go first (0: no bound).
    public let limit: Int

    public init(limit: Int = 0) { self.limit = limit }

    public func export(_ spans: [SpanModel.Span]) -> Bool {
        state.withLock { kept in
            kept += spans
            if limit > 0 && kept.count > limit { kept.removeFirst(kept.count - limit) }
        }
        return true
    }

    /// The spans exported so far.
    public var spans: [SpanModel.Span] { state.withLock { $0 } }

    /// Takes the spans exported so far.
    public func take() -> [SpanModel.Span] {
        state.withLock { kept in
            defer { kept = [] }
            return kept
        }
    }
}

/// Hands every batch to several exporters (a file and the viewer, say).
public final class MultiSpanExporter: SpanExporter {
    public let exporters: [any SpanExporter]

    public init(_ exporters: [any SpanExporter]) { self.exporters = exporters }

    /// True if every exporter took the batch.
    public func export(_ spans: [SpanModel.Span]) -> Bool {
        exporters.reduce(true) { ok, exporter in exporter.export(spans) && ok }
    }

    public func forceFlush() { for e in exporters { e.forceFlush() } }
    public func shutdown() { for e in exporters { e.shutdown() } }
}
