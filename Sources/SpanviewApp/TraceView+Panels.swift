import SpanAnalysis
import SpanModel
import SpanStore
import SpanWidgets

/// The other ways to look at an open trace than its waterfall: statistics by service,
/// operation or attribute (`S`), the flame graph (`F`) and the table of all spans (`t`).
/// What each shows is computed when it is first opened and kept until new spans arrive.
extension TraceView {
    /// What the trace screen shows below its header.
    public enum Panel: Sendable, Equatable {
        case waterfall, statistics, flameGraph, spans

        public var title: String {
            switch self {
            case .waterfall: "waterfall"
            case .statistics: "statistics"
            case .flameGraph: "flame graph"
            case .spans: "spans"
            }
        }
    }

    /// The statistics for the current grouping (computed on first use).
    public mutating func currentStatistics() -> TraceStatistics {
        if let statistics, statistics.grouping == statsGrouping { return statistics }
        let computed = analysis.statistics(by: statsGrouping)
        statistics = computed
        return computed
    }

    /// The merged flame graph and where the user is in it.
    public mutating func currentFlame() -> (graph: FlameGraph, state: FlameGraphWidget.State) {
        if let flame { return flame }
        let graph = analysis.flameGraph
        let made = (graph, FlameGraphWidget.State(graph: graph))
        flame = made
        return made
    }

    /// The spans table's row order for its sort.
    public mutating func currentSpansOrder() -> [Int32] {
        if let spansOrder { return spansOrder }
        let order = SpansTableWidget.order(tree, selfTimes: analysis.selfTimes, by: spansState.sortKey, ascending: spansState.ascending)
        spansOrder = order
        return order
    }

    /// The spans a statistics row stands for (its service, operation or attribute value).
    public func spans(of row: StatsRow) -> [Int32] {
        var out: [Int32] = []
        let spans = tree.spans
        switch statsGrouping {
        case .service:
            for i in spans.indices where (spans[i].serviceName ?? "") == (row.service ?? "") { out.append(Int32(i)) }
        case .operation:
            for i in spans.indices where (spans[i].serviceName ?? "") == (row.service ?? "") && spans[i].name == (row.name ?? "") {
                out.append(Int32(i))
            }
        case .attribute(let key):
            var lookup = AttributeKeyLookup(key)
            for i in spans.indices {
                let value = spans[i].details.attributeValue(&lookup)
                    ?? spans[i].resource.attributes.first(where: { $0.key == key })?.value
                let text = value.map(AttributeText.text)
                if text == row.name { out.append(Int32(i)) }
            }
        }
        return out
    }
}
