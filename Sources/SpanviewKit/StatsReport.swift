import CellGrid
import SpanAnalysis
import SpanModel
import SpanStore

/// `spanview stats`: where the time of one trace or of all traces went, per service,
/// operation or attribute value; for one trace also its critical path. As an aligned table
/// for people, or as JSON (docs/analysis.md).
public struct StatsReport: Sendable {
    /// The rows, sorted as asked.
    public let statistics: TraceStatistics
    /// The one trace asked for (`--trace`), with its critical path; nil over all traces.
    public let trace: TraceAnalysis?

    /// Statistics of the traces at `indices` of `store`; `single` makes the one trace's
    /// critical path part of the report.
    public init(_ store: TraceStore, traces indices: [Int], by grouping: StatsGrouping,
                sort column: StatsColumn = .selfTotal, ascending: Bool? = nil, single: Bool = false) {
        let analyses = indices.map { TraceAnalysis(TraceTree(store.traces[$0])) }
        var statistics = TraceAnalysis.statistics(analyses, by: grouping)
        statistics.sort(by: column, ascending: ascending)
        self.statistics = statistics
        trace = single ? analyses.first : nil
    }

    /// The critical path with adjacent pieces of a span joined, as (span index, ns).
    public var criticalPath: [(span: Int, ns: Int64)] {
        trace?.criticalPath.mergedSegments.map { ($0.span, $0.duration) } ?? []
    }

    // MARK: - JSON

    /// One line of JSON (schema in docs/analysis.md).
    public var json: String {
        let grouping = statistics.grouping
        let rows = statistics.rows.map { row in
            var members: [(String, String)] = []
            if let service = row.service { members.append(("service", JSONText.quoted(service))) }
            if grouping != .service { members.append(("name", row.name.map(JSONText.quoted) ?? "null")) }
            members += [
                ("count", String(row.count)),
                ("errors", String(row.errors)),
                ("totalNs", String(row.totalNs)),
                ("selfNs", String(row.selfNs)),
                ("minNs", String(row.minNs)),
                ("maxNs", String(row.maxNs)),
            ]
            return JSONText.object(members)
        }
        var members: [(String, String)] = [("groupBy", JSONText.quoted(grouping.description))]
        if let trace { members.append(("traceId", JSONText.quoted(trace.tree.traceID.hex))) }
        members += [
            ("traces", String(statistics.traceCount)),
            ("spans", String(statistics.spanCount)),
            ("errors", String(statistics.errorCount)),
            ("totalNs", String(statistics.traceTotalNs)),
            ("selfNs", String(statistics.selfTotalNs)),
            ("rows", JSONText.array(rows)),
        ]
        if let trace {
            let tree = trace.tree
            let path = criticalPath.map { piece in
                JSONText.object([
                    ("spanId", JSONText.quoted(tree.spans[piece.span].spanID.hex)),
                    ("service", JSONText.quoted(tree.spans[piece.span].serviceName ?? "")),
                    ("name", JSONText.quoted(tree.spans[piece.span].name)),
                    ("ns", String(piece.ns)),
                ])
            }
            members.append(("criticalPath", JSONText.array(path)))
        }
        return JSONText.object(members)
    }

    // MARK: - Text

    /// A line of totals, the aligned table, and with one trace its critical path.
    public func text(escape: (String) -> String = TerminalText.escaped) -> String {
        let s = statistics
        let grouping = s.grouping
        var out = ""
        if let trace {
            out += "trace \(trace.tree.traceID.hex): "
        } else {
            out += "\(plural(s.traceCount, "trace")): "
        }
        out += "\(plural(s.spanCount, "span")), \(plural(s.errorCount, "error")), "
        out += "duration \(DurationText.format(s.traceTotalNs)), self time \(DurationText.format(s.selfTotalNs)); by \(escape(grouping.description))\n\n"

        var header: [String] = []
        switch grouping {
        case .service: header = ["SERVICE"]
        case .operation: header = ["SERVICE", "NAME"]
        case .attribute(let key): header = [escape(key)]
        }
        let leading = header.count
        header += ["COUNT", "ERRORS", "TOTAL", "AVG", "MIN", "MAX", "SELF", "SELF AVG", "SELF MIN", "SELF MAX", "SELF %"]
        var rows = [header]
        for row in s.rows {
            var cells: [String] = []
            switch grouping {
            case .service: cells = [escape(Self.serviceText(row.service))]
            case .operation: cells = [escape(Self.serviceText(row.service)), escape(row.name ?? "")]
            case .attribute: cells = [row.name.map(escape) ?? "(no value)"]
            }
            let timed = row.timedCount > 0
            func d(_ ns: Int64) -> String { timed ? DurationText.format(ns) : "?" }
            cells += [
                String(row.count), String(row.errors),
                d(row.totalNs), d(row.avgNs), d(row.minNs), d(row.maxNs),
                d(row.selfNs), d(row.selfAvgNs), d(row.selfMinNs), d(row.selfMaxNs),
                Self.percent(row.selfPercent),
            ]
            rows.append(cells)
        }
        out += TextTable.render(rows, rightAligned: Set(leading..<(leading + 11)))

        if let trace {
            let tree = trace.tree
            let path = criticalPath
            let total = path.reduce(Int64(0)) { $0 + $1.ns }
            out += "\ncritical path: \(DurationText.format(total)) in \(plural(path.count, "piece"))\n\n"
            var lines = [["SPAN ID", "SERVICE", "NAME", "TIME", "%"]]
            for piece in path {
                let span = tree.spans[piece.span]
                lines.append([span.spanID.hex, escape(Self.serviceText(span.serviceName)), escape(span.name),
                              DurationText.format(piece.ns),
                              Self.percent(total > 0 ? Double(piece.ns) * 100 / Double(total) : 0)])
            }
            out += TextTable.render(lines, rightAligned: [3, 4])
        }
        return out
    }

    static func serviceText(_ service: String?) -> String {
        guard let service, !service.isEmpty else { return "(no service)" }
        return service
    }

    /// `42.1%`, `0.3%`, `100%`.
    static func percent(_ value: Double) -> String {
        let tenths = Int64((value * 10).rounded())
        if tenths % 10 == 0 { return "\(tenths / 10)%" }
        return "\(tenths / 10).\(abs(tenths % 10))%"
    }
}
