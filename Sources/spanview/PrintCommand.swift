import SpanIngest
import ArgumentParser
import SpanQuery
import SpanStore
import SpanviewKit
import Tracing

struct PrintCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "print",
        abstract: "Print each trace as a text waterfall (no terminal needed).",
        discussion: "An input that cannot be read, or holds no span, is named on standard error and the others are printed; the exit status is 1 only when no input gave a span."
    )

    @Argument(help: "Trace files to read; - for standard input; http(s):// URLs; trace IDs, fetched from --tempo or --jaeger.")
    var files: [String] = ["-"]

    @Option(name: .long, help: "Only traces whose ID starts with this hex prefix (0x, dashes, case, quotes, trace_id= and a whole traceparent accepted).")
    var trace: String?

    @Option(name: .long, help: FilterOption.help)
    var filter: String?

    @Option(name: .long, help: "Output width in columns, 40 to 1000 (default: the terminal's, else COLUMNS, else 120).")
    var width: Int?

    @Option(name: .long, help: "Colour: auto (when writing to a terminal and NO_COLOR is unset), always or never.")
    var color: ColorChoice = .auto

    @Flag(name: .long, help: "Mark each trace's critical path on its bars (in colour, or drawn ━ without).")
    var criticalPath = false

    @Flag(name: .long, help: "Draw with ASCII characters only.")
    var ascii = false

    func validate() throws {
        let widths = WaterfallPrinter.widths
        if let width, !widths.contains(width) {
            throw ValidationError("--width must be from \(widths.lowerBound) to \(widths.upperBound), got \(width)")
        }
        if let trace, (try? TraceIDInput(parsing: trace)) == nil { throw ValidationError("--trace must be hex digits (up to 32), got '\(trace)'") }
        if let filter { _ = try FilterOption.parse(filter) }
    }

    @OptionGroup(title: "Backends and URLs") var backend: BackendOptions

    @OptionGroup var selfTrace: SelfTraceOptions

    func run() throws {
        try selfTrace.traced("spanview print", inputs: files.count) { try printTraces() }
    }

    func printTraces() throws {
        // What can be read is printed; each input that cannot is named on standard error.
        let inputs = CommandSupport.loadReadable(files, backend: backend)
        if inputs.store.spanCount == 0 {
            CommandSupport.reportProblems(inputs)
            CommandSupport.reportEmptyInputs(inputs)
        }
        var indices: [Int]
        if let trace, let prefix = try? TraceIDInput(parsing: trace).prefix {
            indices = inputs.store.traces(matching: prefix)
            if indices.isEmpty {
                CommandSupport.fail("no trace ID starts with '\(prefix.text)' (\(inputs.store.traceCount) trace\(inputs.store.traceCount == 1 ? "" : "s") read)")
            }
        } else {
            indices = Array(inputs.store.traces.indices)
        }
        if let filter {
            let parsed = try FilterOption.parse(filter)
            indices = FilterOption.apply(parsed, to: indices, in: inputs.store)
            if indices.isEmpty {
                CommandSupport.fail("no trace matches '\(parsed)' (\(inputs.store.traceCount) trace\(inputs.store.traceCount == 1 ? "" : "s") read)")
            }
        }
        let out = StandardOutput()
        let useColor = color.resolved(isTerminal: out.isTerminal)
        var printer = WaterfallPrinter(
            width: WaterfallPrinter.outputWidth(option: width, terminal: out.terminalWidth,
                                                columnsVariable: TerminalEnvironment.variable("COLUMNS")),
            color: useColor,
            palette: TerminalEnvironment.palette(), glyphs: ascii ? .ascii : .unicode)
        printer.criticalPath = criticalPath
        withSpan("draw waterfalls") { span in
            span.attributes["traces"] = indices.count
            printer.print(inputs.store, traces: indices) { out.write($0) }
        }
        out.flush()
        CommandSupport.reportProblems(inputs)
        CommandSupport.reportEmptyInputs(inputs)
    }
}

enum ColorChoice: String, ExpressibleByArgument, CaseIterable {
    case auto, always, never

    func resolved(isTerminal: Bool) -> Bool {
        switch self {
        case .always: return true
        case .never: return false
        case .auto: return isTerminal && !TerminalEnvironment.noColor
        }
    }
}
