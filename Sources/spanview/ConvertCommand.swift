import ArgumentParser
import CellGrid
import SpanFormats
import SpanIngest
import SpanQuery
import SpanStore
import SpanviewApp
import SpanviewKit
import Tracing
#if canImport(Glibc)
import Glibc
#endif

extension SpanWriterFormat: ExpressibleByArgument {}

/// `spanview convert trace.jsonl --to jaeger -o trace.jaeger.json`.
struct ConvertCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert",
        abstract: "Write spans in another format: OTLP/JSON, Go stdouttrace, Jaeger JSON or Zipkin v2.",
        discussion: """
        OTLP, stdouttrace and Zipkin are written as the input is read, in bounded memory \
        (Zipkin's one list closed at the end); Jaeger, one document grouped by trace, is \
        written once everything is read. Output ending in .gz is gzip. What the \
        target cannot hold (Zipkin has no links, Jaeger no scope...) is said once on standard \
        error (docs/formats.md, "Writing").
        """
    )

    @Argument(help: "Trace files to read; - for standard input; http(s):// URLs; trace IDs, fetched from --tempo or --jaeger.")
    var files: [String] = ["-"]

    @Option(name: .long, help: ArgumentHelp("The format to write: \(SpanWriterFormat.allCases.map(\.rawValue).joined(separator: ", ")); by default the one -o's name asks for (x.otlp.jsonl, x.stdouttrace.jsonl, x.jaeger.json, x.zipkin.json).", valueName: "format"))
    var to: SpanWriterFormat?

    @Option(name: [.short, .customLong("output")], help: ArgumentHelp("Where to write; - for standard output; gzip when it ends in .gz.", valueName: "file"))
    var output = "-"

    @Option(name: .long, help: "Only traces whose ID starts with this (hex, as pasted); may be given more than once.")
    var trace: [String] = []

    @OptionGroup(title: "Backends and URLs") var backend: BackendOptions

    @OptionGroup var selfTrace: SelfTraceOptions

    func validate() throws {
        if to == nil && SpanWriterFormat.named(byFile: output) == nil {
            throw ValidationError("say the format: --to \(SpanWriterFormat.allCases.map(\.rawValue).joined(separator: "|")) (or name the output x.otlp.jsonl, x.jaeger.json, ...)")
        }
        for prefix in trace where (try? TraceIDInput(parsing: prefix)) == nil {
            throw ValidationError("--trace must be hex digits (up to 32), got '\(prefix)'")
        }
        if output != "-", files.contains(output) { throw ValidationError("-o '\(output)' is also an input") }
    }

    func run() throws {
        try selfTrace.traced("spanview convert", inputs: files.count) { try convert() }
    }

    func convert() throws {
        guard let format = to ?? SpanWriterFormat.named(byFile: output) else { return }
        let prefixes = trace.compactMap { try? TraceIDInput(parsing: $0).prefix }
        let resolver = InputArguments(backend)
        let (sources, unusable) = resolver.sources(for: files)
        let err = StandardError()
        for failure in unusable { err.write("spanview: \(TerminalText.escaped(failure.description))\n") }
        if sources.isEmpty { throw ExitCode(1) }
        let out: OutputFile
        do throws(InputError) {
            out = try OutputFile(path: output)
        } catch {
            CommandSupport.fail(error.description)
        }
        let report: SpanConverter.Report
        do throws(InputError) {
            report = try SpanConverter(to: format, traces: prefixes).convert(sources, into: out)
            try out.finish()
        } catch {
            CommandSupport.fail(error.description)
        }
        for input in report.inputs {
            if let failure = input.end?.failure { err.write("spanview: \(TerminalText.escaped(input.quotedName + ": " + failure))\n") }
            for notice in input.notices { err.write("spanview: \(TerminalText.escaped(input.shortName + ": " + notice))\n") }
        }
        let problems = report.inputs.flatMap(\.problems)
        if !problems.isEmpty {
            err.write("spanview: skipped \(problems.count) bad value\(problems.count == 1 ? "" : "s") (spanview summary lists them)\n")
        }
        for loss in report.losses { err.write("spanview: \(format.rawValue) cannot hold everything: \(TerminalText.escaped(loss))\n") }
        if report.spansWritten == 0 {
            let why = prefixes.isEmpty ? "no span was read" : "no trace ID starts with \(prefixes.map(\.text).joined(separator: " or "))"
            err.write("spanview: nothing written: \(why)\n")
            throw ExitCode(1)
        }
        if output != "-" || isatty(2) != 0 {
            let gzip = out.isGzip ? ", \(App.byteText(out.bytesIn)) before gzip" : ""
            err.write("spanview: wrote \(App.countText(report.spansWritten)) span\(report.spansWritten == 1 ? "" : "s") of \(App.countText(report.tracesWritten)) trace\(report.tracesWritten == 1 ? "" : "s") as \(format.rawValue) to \(output == "-" ? "standard output" : "'\(output)'"): \(App.byteText(out.bytesOut))\(gzip)\n")
        }
        if report.inputs.contains(where: { $0.end?.failure != nil }) { throw ExitCode(1) }
    }
}
