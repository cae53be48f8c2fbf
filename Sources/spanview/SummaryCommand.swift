import SpanIngest
import ArgumentParser
import SpanQuery
import SpanStore
import SpanviewKit
import Tracing

struct SummaryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "summary",
        abstract: "Per input its format and counts, per trace its figures, then every problem skipped."
    )

    @Argument(help: "Trace files to read; - for standard input; http(s):// URLs; trace IDs, fetched from --tempo or --jaeger.")
    var files: [String] = ["-"]

    @Flag(name: .long, help: "Print JSON (schema in docs/summary-json.md).")
    var json = false

    @Option(name: .long, help: FilterOption.help)
    var filter: String?

    func validate() throws {
        if let filter { _ = try FilterOption.parse(filter) }
    }

    @OptionGroup(title: "Backends and URLs") var backend: BackendOptions

    @OptionGroup var selfTrace: SelfTraceOptions

    func run() throws {
        try selfTrace.traced("spanview summary", inputs: files.count) { try summarize() }
    }

    func summarize() throws {
        var inputs = try CommandSupport.load(files, backend: backend)
        if let filter {
            // The report of the matching traces only (per-input counts stay whole-input).
            let parsed = try FilterOption.parse(filter)
            inputs.store = TraceStore(parsed.traces(in: inputs.store).lazy.flatMap { inputs.store.traces[$0].spans })
        }
        let report = withSpan("build trees and figures") { span in
            span.attributes["traces"] = inputs.store.traceCount
            return SummaryReport(inputs)
        }
        let out = StandardOutput()
        if json {
            out.write(report.json + "\n")
        } else {
            out.write(report.text())
        }
        out.flush()
        CommandSupport.reportNotices(inputs)
        CommandSupport.exitForEmptyInputs(inputs.inputs)
    }
}
