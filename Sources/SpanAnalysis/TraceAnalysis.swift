import Synchronization
import SpanModel
import SpanStore

/// Everything about where a trace's time went, computed from its tree when first asked for
/// and kept: self times, the critical path, the flame graph; statistics on demand. Safe to
/// share between threads.
public final class TraceAnalysis: Sendable {
    /// The trace analysed.
    public let tree: TraceTree

    private struct Cache {
        var selfTimes: [Int64]?
        var criticalPath: CriticalPath?
        var flameGraph: FlameGraph?
    }
    private let cache = Mutex(Cache())

    /// Nothing is computed until asked for.
    public init(_ tree: TraceTree) {
        self.tree = tree
    }

    /// Per span, its self time in nanoseconds (`SelfTime.compute`), indexed like `tree.spans`.
    public var selfTimes: [Int64] {
        cache.withLock { cache in
            if let known = cache.selfTimes { return known }
            let computed = SelfTime.compute(tree)
            cache.selfTimes = computed
            return computed
        }
    }

    /// The critical path under the longest top-level span (`CriticalPath.compute`).
    public var criticalPath: CriticalPath {
        if let known = cache.withLock({ $0.criticalPath }) { return known }
        let computed = CriticalPath.compute(tree)
        cache.withLock { $0.criticalPath = computed }
        return computed
    }

    /// The merged icicle graph, siblings by total time.
    public var flameGraph: FlameGraph {
        if let known = cache.withLock({ $0.flameGraph }) { return known }
        let computed = FlameGraph(tree, selfTimes: selfTimes)
        cache.withLock { $0.flameGraph = computed }
        return computed
    }

    /// This trace's statistics, rows by self time, largest first.
    public func statistics(by grouping: StatsGrouping) -> TraceStatistics {
        TraceStatistics(tree, selfTimes: selfTimes, by: grouping)
    }

    /// Statistics of several traces together.
    public static func statistics(_ analyses: [TraceAnalysis], by grouping: StatsGrouping) -> TraceStatistics {
        TraceStatistics(analyses.map { ($0.tree, $0.selfTimes) }, by: grouping)
    }
}
