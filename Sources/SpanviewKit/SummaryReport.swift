import CellGrid
import SpanFormats
import SpanIngest
import SpanModel
import SpanStore
import SpanWidgets

/// `spanview summary`: per input its format and counts, per trace its figures, then
/// every problem skipped. As text for people, or as JSON (docs/summary-json.md).
public struct SummaryReport: Sendable {
    public let files: [InputStatus]
    public let spanCount: Int
    public let duplicateCount: Int
    /// Traces by start time (unknown times last, then by arrival).
    public let traces: [TraceSummary]
    /// Spans per flag of each trace, in the order of `traces`.
    public let flags: [FlagCounts]

    public init(_ inputs: LoadedInputs) {
        files = inputs.inputs
        spanCount = inputs.store.spanCount
        duplicateCount = inputs.store.duplicateCount
        let figures = inputs.store.traces.map { record in
            let tree = TraceTree(record)
            return (TraceSummary(tree), FlagCounts(tree))
        }.sorted { SummaryReport.byStart($0.0, $1.0) }
        traces = figures.map(\.0)
        flags = figures.map(\.1)
    }

    static func byStart(_ a: TraceSummary, _ b: TraceSummary) -> Bool {
        let unknownA = a.startTime == Timestamp.unknown, unknownB = b.startTime == Timestamp.unknown
        if unknownA != unknownB { return unknownB }
        return a.startTime < b.startTime
    }

    // MARK: - JSON

    public var json: String {
        let files = self.files.map { file in
            JSONText.object([
                ("path", JSONText.quoted(file.name)),
                ("format", JSONText.quoted(file.formatLabel)),
                ("spans", String(file.stats.spans)),
                ("nonJSONLines", String(file.stats.nonJSONLines)),
                ("skippedCount", String(file.stats.skipped)),
                ("skipped", JSONText.array(file.problems.map { problem in
                    JSONText.object([
                        ("offset", String(problem.offset)),
                        ("line", String(problem.line)),
                        ("reason", JSONText.quoted(problem.reason)),
                    ])
                })),
            ])
        }
        let traces = zip(self.traces, flags).map { t, flags in
            JSONText.object([
                ("traceId", JSONText.quoted(t.traceID.hex)),
                ("spans", String(t.spanCount)),
                ("depth", String(t.depth)),
                ("errors", String(t.errorCount)),
                ("durationNs", t.duration.map { String($0) } ?? "null"),
                ("services", JSONText.array(t.services.map(JSONText.quoted))),
                ("roots", JSONText.array(t.rootNames.map(JSONText.quoted))),
                ("orphans", JSONText.array(t.orphanNames.map(JSONText.quoted))),
                // Spans per flag, every key always there (SpanFlagText's table).
                ("flags", JSONText.object(zip(SpanFlagText.table, flags.counts).map { ($0.jsonKey, String($1)) })),
            ])
        }
        return JSONText.object([
            ("files", JSONText.array(files)),
            ("spans", String(spanCount)),
            ("duplicates", String(duplicateCount)),
            ("traces", JSONText.array(traces)),
        ])
    }

    // MARK: - Text

    public func text(escape: (String) -> String = TerminalText.escaped) -> String {
        var out = ""
        for file in files {
            out += "\(escape(file.name)): \(file.formatLabel), \(plural(file.stats.spans, "span")), "
                + "\(plural(file.stats.nonJSONLines, "non-JSON line")), \(file.stats.skipped) skipped\n"
        }
        out += "\(plural(traces.count, "trace")), \(plural(spanCount, "distinct span"))"
        out += duplicateCount > 0 ? ", \(plural(duplicateCount, "duplicate")) dropped\n" : "\n"
        if !traces.isEmpty {
            out += "\n"
            let header = ["TRACE ID", "START (UTC)", "DURATION", "SPANS", "DEPTH", "ERRORS", "SERVICES", "ROOT"]
            var rows: [[String]] = [header]
            for t in traces {
                var root = t.rootNames.first ?? (t.orphanNames.first.map { "(orphan) " + $0 } ?? "")
                if t.rootNames.count > 1 { root += " (+\(t.rootNames.count - 1) roots)" }
                if !t.orphanNames.isEmpty && !t.rootNames.isEmpty { root += " (+\(plural(t.orphanNames.count, "orphan")))" }
                rows.append([
                    t.traceID.hex, TimeText.wallClock(t.startTime), DurationText.format(t.duration),
                    String(t.spanCount), String(t.depth), String(t.errorCount),
                    escape(t.services.joined(separator: ",")), escape(root),
                ])
            }
            out += TextTable.render(rows, rightAligned: [2, 3, 4, 5])
            // Flagged spans (clock problems, missing parents, ...), in the words the viewer uses.
            let flagged = zip(traces, flags).filter { !$1.isEmpty }
            if !flagged.isEmpty {
                out += "\nFlagged spans:\n"
                for (t, counts) in flagged { out += "  \(t.traceID.hex): " + counts.texts.joined(separator: ", ") + "\n" }
            }
        }
        let problems = files.flatMap(\.problems)
        if !problems.isEmpty {
            out += "\nSkipped:\n"
            for p in problems { out += "  " + escape(p.message) + "\n" }
            for file in files where file.stats.skipped > file.problems.count {
                out += "  \(escape(file.name)): \(file.stats.skipped - file.problems.count) more not listed\n"
            }
        }
        return out
    }
}

func plural(_ n: Int, _ word: String) -> String { "\(n) \(word)\(n == 1 ? "" : "s")" }

/// Column-aligned plain text (cells already escaped).
enum TextTable {
    static func render(_ rows: [[String]], rightAligned: Set<Int> = []) -> String {
        guard let columns = rows.map(\.count).max() else { return "" }
        var widths = [Int](repeating: 0, count: columns)
        // Widths in terminal cells (an emoji or CJK character takes two), not characters.
        let cellWidths = rows.map { $0.map { DisplayWidth.of($0) } }
        for row in cellWidths { for (i, w) in row.enumerated() { widths[i] = max(widths[i], w) } }
        return rows.enumerated().map { r, row in
            row.enumerated().map { i, cell in
                let pad = String(repeating: " ", count: widths[i] - cellWidths[r][i])
                if i == row.count - 1 && !rightAligned.contains(i) { return cell }
                return rightAligned.contains(i) ? pad + cell : cell + pad
            }.joined(separator: "  ")
        }.joined(separator: "\n") + "\n"
    }
}
