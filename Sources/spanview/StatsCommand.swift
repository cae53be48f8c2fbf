import ArgumentParser
import SpanAnalysis
import SpanQuery
import SpanStore
import SpanviewKit
import Tracing

/// `spanview stats FILE... [--trace ID-PREFIX] [--by operation|service|KEY] [--sort COLUMN] [--json]`.
struct StatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Where the time went: count, durations and self time per operation, service or attribute value; with --trace, also the critical path.",
        discussion: "Columns to sort by: \(StatsColumn.allCases.map(\.rawValue).joined(separator: ", ")); add :asc or :desc. Definitions and the JSON schema: docs/analysis.md."
    )

    @Argument(help: "Trace files to read; - for standard input; http(s):// URLs; trace IDs, fetched from --tempo or --jaeger.")
    var files: [String] = ["-"]

    @Option(name: .long, help: "Only the trace whose ID starts with this hex prefix (it must match exactly one); adds its critical path.")
    var trace: String?

    @Option(name: .long, help: "Group by operation (service and span name), service, or an attribute key.")
    var by = "operation"

    @Option(name: .long, help: "Column to sort by, largest first for numbers (default: self), e.g. total, count:asc, name.")
    var sort = "self"

    @Flag(name: .long, help: "Print JSON (schema in docs/analysis.md).")
    var json = false

    @OptionGroup(title: "Backends and URLs") var backend: BackendOptions

    @OptionGroup var selfTrace: SelfTraceOptions

    /// `COLUMN`, `COLUMN:asc` or `COLUMN:desc`.
    static func sortOrder(_ text: String) -> (column: StatsColumn, ascending: Bool?)? {
        let parts = text.split(separator: ":", maxSplits: 1).map(String.init)
        guard let first = parts.first, let column = StatsColumn(rawValue: first.lowercased()) else { return nil }
        guard parts.count == 2 else { return (column, nil) }
        switch parts[1].lowercased() {
        case "asc": return (column, true)
        case "desc": return (column, false)
        default: return nil
        }
    }

    func validate() throws {
        if let trace, (try? TraceIDInput(parsing: trace)) == nil && TraceIDPrefix(trace) == nil { throw ValidationError("--trace must be hex digits (up to 32), got '\(trace)'") }
        if by.isEmpty { throw ValidationError("--by needs operation, service or an attribute key") }
        if Self.sortOrder(sort) == nil {
            throw ValidationError("--sort must be one of \(StatsColumn.allCases.map(\.rawValue).joined(separator: ", ")), optionally with :asc or :desc; got '\(sort)'")
        }
    }

    func run() throws {
        try selfTrace.traced("spanview stats", inputs: files.count) { try report() }
    }

    func report() throws {
        let inputs = try CommandSupport.load(files, backend: backend)
        let store = inputs.store
        if store.spanCount == 0 {
            // Nothing to tabulate: the inputs' problems, and why none gave a span.
            CommandSupport.reportProblems(inputs)
            CommandSupport.exitForEmptyInputs(inputs.inputs)
        }
        let indices: [Int]
        // IDs as pasted (0x, dashes, trace_id=, a traceparent); an empty prefix matches every trace.
        if let trace, let prefix = (try? TraceIDInput(parsing: trace).prefix) ?? TraceIDPrefix(trace) {
            indices = store.traces(matching: prefix)
            let read = "\(store.traceCount) trace\(store.traceCount == 1 ? "" : "s") read"
            if indices.isEmpty {
                CommandSupport.exitForEmptyInputs(inputs.inputs)
                CommandSupport.fail("no trace ID starts with '\(prefix.text)' (\(read))")
            }
            if indices.count > 1 {
                let ids = indices.prefix(5).map { store.traces[$0].traceID.hex }.joined(separator: ", ")
                CommandSupport.fail("\(indices.count) trace IDs start with '\(prefix.text)' (\(ids)\(indices.count > 5 ? ", …" : "")); give more digits")
            }
        } else {
            indices = Array(store.traces.indices)
        }
        let order = Self.sortOrder(sort)!
        let report = withSpan("analyse") { span in
            span.attributes["traces"] = indices.count
            return StatsReport(store, traces: indices, by: StatsGrouping(by), sort: order.column,
                               ascending: order.ascending, single: trace != nil)
        }
        let out = StandardOutput()
        out.write(json ? report.json + "\n" : report.text())
        out.flush()
        CommandSupport.reportProblems(inputs)
        CommandSupport.exitForEmptyInputs(inputs.inputs)
    }
}
