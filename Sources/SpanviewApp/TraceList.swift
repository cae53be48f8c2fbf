import SpanModel
import SpanStore
import SpanWidgets

/// How the trace list is ordered; `s` cycles through them.
public enum TraceSort: CaseIterable, Sendable {
    case start, duration, errors, spans

    public var label: String {
        switch self {
        case .start: "start"
        case .duration: "duration"
        case .errors: "errors"
        case .spans: "spans"
        }
    }

    /// The order a sort starts in: oldest first by start, largest first otherwise.
    public var startsAscending: Bool { self == .start }

    var column: TraceListWidget.SortColumn {
        switch self {
        case .start: .start
        case .duration: .duration
        case .errors: .errors
        case .spans: .spans
        }
    }

    var next: TraceSort {
        let all = Self.allCases
        return all[(all.firstIndex(of: self)! + 1) % all.count]
    }
}

/// The trace list's rows, order and cursor.
public struct TraceList: Sendable {
    /// One row per stored trace: `entries[i]` is trace `firstTrace + i`.
    public private(set) var entries: [TraceListEntry] = []
    /// The trace index of `entries[0]` (traces before it were evicted).
    public private(set) var firstTrace = 0
    /// Indices into `entries`, sorted, and filtered by a search when `filter` is set.
    public private(set) var order: [Int] = []
    public private(set) var sort = TraceSort.start
    /// The sort turned the other way (`S`): newest first by start, smallest first otherwise.
    public private(set) var reversed = false
    /// Whether the rows run from smallest to largest in the sort's column.
    public var ascending: Bool { sort.startsAscending != reversed }
    /// What the list is sorted by, in words, with its direction.
    public var sortLabel: String {
        switch (sort, ascending) {
        case (.start, true): "start, oldest first"
        case (.start, false): "start, newest first"
        case (_, true): "\(sort.label), smallest first"
        case (_, false): "\(sort.label), largest first"
        }
    }
    /// Trace indices a search matched; nil shows every trace.
    public private(set) var filter: [Int]?
    public var selected = 0
    public var top = 0

    public init(store: TraceStore) {
        firstTrace = store.traces.startIndex
        entries = store.traces.indices.map { Self.entry(store, $0) }
        reorder()
    }

    static func entry(_ store: TraceStore, _ index: Int) -> TraceListEntry {
        let record = store.traces[index]
        let head = record.headSpan
        return TraceListEntry(
            traceIndex: index, traceID: record.traceID, startTime: record.startTime, duration: record.duration,
            spanCount: record.spanCount, errorCount: record.errorCount,
            rootName: head?.name ?? "", rootService: head?.serviceName ?? "", rootMissing: record.rootIndex == nil)
    }

    public var count: Int { order.count }

    /// Updates the rows of traces that changed or are new, drops the rows of evicted ones,
    /// and re-sorts.
    public mutating func refresh(store: TraceStore, changed: Set<Int>) {
        let gone = min(entries.count, store.traces.startIndex - firstTrace)
        if gone > 0 {
            entries.removeFirst(gone)
            firstTrace += gone
            if let filter { self.filter = filter.filter(store.contains) }
        }
        firstTrace = store.traces.startIndex
        for index in changed.sorted() where store.contains(index) {
            let i = index - firstTrace
            if i < entries.count {
                entries[i] = Self.entry(store, index)
            } else {
                while entries.count < i { entries.append(Self.entry(store, firstTrace + entries.count)) }
                entries.append(Self.entry(store, index))
            }
        }
        reorder()
    }

    /// The trace index of the selected row.
    public var selectedTrace: Int? {
        selected >= 0 && selected < order.count ? entries[order[selected]].traceIndex : nil
    }

    /// The next sort column, in its natural direction, with the cursor on the first row.
    public mutating func cycleSort() {
        sort = sort.next
        reversed = false
        reorder()
        selected = 0
        top = 0
    }

    /// The same column the other way round, with the cursor on the first row.
    public mutating func reverseSort() {
        reversed.toggle()
        reorder()
        selected = 0
        top = 0
    }

    public mutating func setFilter(_ traces: [Int]?) {
        filter = traces
        reorder()
        selected = 0
        top = 0
    }

    public mutating func select(trace: Int?) {
        guard let trace, let row = order.firstIndex(where: { entries[$0].traceIndex == trace }) else { return }
        selected = row
    }

    mutating func reorder() {
        var indices: [Int]
        if let filter {
            let wanted = Set(filter)
            indices = entries.indices.filter { wanted.contains(entries[$0].traceIndex) }
        } else {
            indices = Array(entries.indices)
        }
        let e = entries
        func startBefore(_ a: Int, _ b: Int) -> Bool {
            let sa = e[a].startTime, sb = e[b].startTime
            if sa == sb { return a < b }
            if sa == Timestamp.unknown { return false }
            if sb == Timestamp.unknown { return true }
            return sa < sb
        }
        switch sort {
        case .start:
            indices.sort(by: startBefore)
        case .duration:
            indices.sort { (e[$0].duration ?? -1, -$0) > (e[$1].duration ?? -1, -$1) }
        case .errors:
            indices.sort { e[$0].errorCount != e[$1].errorCount ? e[$0].errorCount > e[$1].errorCount : startBefore($0, $1) }
        case .spans:
            indices.sort { e[$0].spanCount != e[$1].spanCount ? e[$0].spanCount > e[$1].spanCount : startBefore($0, $1) }
        }
        if reversed { indices.reverse() }
        order = indices
        selected = min(selected, max(0, order.count - 1))
    }
}
