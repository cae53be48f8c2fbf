import SpanIngest
import ArgumentParser
import SpanviewKit

struct SummaryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "summary",
        abstract: "Per input its format and counts, per trace its figures, then every problem skipped."
    )

    @Argument(help: "Trace files to read; - for standard input.")
    var files: [String] = ["-"]

    @Flag(name: .long, help: "Print JSON (schema in docs/summary-json.md).")
    var json = false

    func run() throws {
        let inputs = try CommandSupport.load(files)
        let report = SummaryReport(inputs)
        let out = StandardOutput()
        if json {
            out.write(report.json + "\n")
        } else {
            out.write(report.text())
        }
        out.flush()
        CommandSupport.exitForEmptyInputs(inputs.inputs)
    }
}
