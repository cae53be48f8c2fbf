import ArgumentParser
import CellGrid
import SpanIngest
import SpanNetwork
import SpanviewApp
import Tracing
import SpanviewKit
import SpanWidgets
import TerminalBackend
import TerminalInput
#if canImport(Glibc)
import Glibc
#endif

/// `spanview FILE...`: the interactive viewer.
struct ViewCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "view",
        abstract: "Open the interactive viewer (the default command).",
        discussion: "Keys come from the terminal (/dev/tty), so standard input can carry the spans: go run . | spanview. With --listen 4318, spans sent over OTLP/HTTP arrive live too."
    )

    @Argument(help: "Trace files to read; - for standard input (the default when it is not a terminal); http(s):// URLs; trace IDs, fetched from --tempo or --jaeger.")
    var files: [String] = []

    @Flag(name: .long, help: "Draw with ASCII characters only (no line drawing or block characters).")
    var ascii = false

    @Option(name: .long, help: "Colour: auto (the terminal's, none with NO_COLOR), always or never.")
    var color: ColorChoice = .auto

    @Option(name: .long, help: ArgumentHelp("Follow a file that grows, like tail -f (survives truncation and replacement); may be given more than once, beside other inputs.", valueName: "file"))
    var follow: [String] = []

    @Option(name: .long, help: "While reading live input, keep at most this many spans; the oldest whole traces go first.")
    var maxSpans = 1_000_000

    func validate() throws {
        if maxSpans < 1 { throw ValidationError("--max-spans must be at least 1") }
        if follow.contains("-") { throw ValidationError("--follow takes a file; standard input is read live anyway") }
    }

    @OptionGroup var selfTrace: SelfTraceOptions

    @OptionGroup var listen: ListenOptions

    @OptionGroup(title: "Backends and URLs") var backend: BackendOptions

    func run() throws {
        // With `--self-trace`, tracing starts now; otherwise only if `T` asks for the
        // viewer's own spans (no tracing thread, nothing extra on the stack, until then).
        let ownSpans = OwnSpansExporter()
        guard selfTrace.isRequested else { return view(ownSpans) }
        let tracer = selfTrace.start(quiet: true, alsoTo: ownSpans)
        defer { tracer?.shutdown() }
        withSpan("spanview view") { span in
            span.attributes["inputs"] = files.count + follow.count
            view(ownSpans)
        }
    }

    func view(_ ownSpans: OwnSpansExporter) {
        var paths = files
        if paths.isEmpty && follow.isEmpty {
            // With `--listen` alone, standard input is read too when it is a pipe.
            if isatty(0) == 0 {
                paths = ["-"]
            } else if listen.listen == nil && backend.backend == nil {
                CommandSupport.fail("no input: name a trace file, pipe spans in (go run . | spanview), receive them (spanview --listen 4318), or name a backend to fetch from (spanview --tempo URL TRACE-ID)")
            }
        }
        // Every input is a source publishing into one inbox; the viewer reads the inbox.
        // Paths that cannot be opened fail now, with the usual message.
        var sources: [any SpanSource] = []
        var spools: [Spool] = []
        let arguments = InputArguments(backend)
        do throws(InputError) {
            for path in paths {
                let source = try arguments.source(for: path)
                if let source = source as? InputSource, source.isEphemeral, let spool = Spool() {
                    source.spool = spool
                    spools.append(spool)
                }
                sources.append(source)
            }
            for path in follow {
                sources.append(try FollowSource(path: path))   // the file keeps what was read
            }
        } catch {
            CommandSupport.fail(error.description)
        }
        // `--listen`: the OTLP/HTTP receiver is one more live source.
        let receiver = listen.startReceiver()
        if let receiver {
            if let spool = Spool() {
                receiver.spool = spool   // `w` saves what was received, as OTLP/JSON lines
                spools.append(spool)
            }
            sources.append(receiver)
        }
        defer { receiver?.stop() }
        let inbox = Inbox()
        for source in sources { inbox.start(source) }

        // Small files are read in the first few milliseconds: they are taken before the
        // terminal opens, so an input that holds no span, or cannot be read, is said on the
        // normal screen as `summary` says it. Bigger ones are read with the viewer open.
        var app = App(reading: sources.map { InputStatus(name: $0.name, isLive: $0.isLive, isEphemeral: $0.isEphemeral) }, width: 80, height: 24,
                      glyphs: ascii ? .ascii : .unicode)
        let openBy = monotonicSeconds() + 0.025
        while app.inputs.contains(where: { !$0.isLive && $0.end == nil }) && monotonicSeconds() < openBy {
            if inbox.waitForPending(seconds: max(0, openBy - monotonicSeconds())) { app.ingest(inbox.drain(), now: monotonicSeconds()) }
        }
        if !app.inputs.contains(where: { $0.isLive || $0.end == nil }) {
            if let failed = app.inputs.first(where: { $0.end?.failure != nil }) {
                CommandSupport.fail("\(failed.quotedName): \(failed.end?.failure ?? "")")
            }
            CommandSupport.exitForEmptyInputs(app.inputs)
        }

        let depth: Palette.Depth? = switch color {
        case .never: Palette.Depth.none
        case .always: .full
        case .auto: nil
        }
        TerminalSizeVariables.dropUnusable()
        let terminal: Terminal
        do {
            terminal = try Terminal(colorDepth: depth)
        } catch {
            CommandSupport.fail("\(error); to print traces as text, use: spanview print \((paths + follow).joined(separator: " "))")
        }
        defer { terminal.restore() }

        let size = terminal.size
        app = app.reopened(width: size.width, height: size.height, useColor: terminal.palette.depth != .none)
        app.maxSpans = maxSpans
        if let receiver, let port = receiver.port {
            let host = receiver.configuration.host
            let shown = host == "0.0.0.0" || host == "::" ? "127.0.0.1" : (host.contains(":") ? "[\(host)]" : host)
            app.emptyListHints = [
                "Point an OpenTelemetry SDK or collector here: OTEL_EXPORTER_OTLP_ENDPOINT=http://\(shown):\(port)",
                "and OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf (or http/json): OTLP over HTTP, not gRPC\(receiver.configuration.token == nil ? "" : "; with the bearer token")",
            ]
        }
        if !spools.isEmpty {
            // Each piped input's bytes as they arrived: the first to the file named, any
            // others beside it (name.2, name.3, ...).
            let kept = spools
            app.saveInput = { path in
                Result { () throws(InputError) -> Int64 in
                    var total: Int64 = 0
                    for (i, spool) in kept.enumerated() { total += try spool.save(to: i == 0 ? path : "\(path).\(i + 1)") }
                    return total
                }
            }
        }
        // `T`: the viewer's own spans become one more input, read through the same inbox
        // (tracing starts then, unless `--self-trace` started it already).
        let options = selfTrace
        app.openOwnSpans = {
            let started = SelfTrace.tracer != nil || options.start(quiet: true, alsoTo: ownSpans) != nil
            guard started else { return nil }
            ownSpans.enable()
            return inbox.start(ownSpans.channel, traced: false)
        }
        // `/` with a whole trace ID that is not loaded asks the backend: one more input.
        if let remote = arguments.backend {
            let window = arguments.window ?? .init()
            let fetcher = arguments.fetcher
            app.useBackend(remote.description) { id in inbox.start(BackendTraceSource(id, from: remote, window: window, fetcher: fetcher)) }
            // `R`: the backend's search; its window is --since/--start/--end, else the last hour.
            let searchWindow = backend.window(defaultSince: 3_600_000_000_000) ?? .init()
            let search = TraceSearch(remote, fetcher: fetcher)
            let hint = remote.kind == .tempo
                ? "TraceQL: { status = error } { resource.service.name = \"shop\" && duration > 1s } · Enter · Esc"
                : "service op=\"GET /cart\" http.status_code=500 min=100ms · Enter · Esc"
            app.useBackendSearch(hint: hint) { text in
                switch TraceSearch.query(typed: text, for: remote.kind, window: searchWindow) {
                case .failure(let error): return .failure(BackendSearchFailure(error.description))
                case .success(let query):
                    return search.run(query).map(\.hits).mapError { BackendSearchFailure($0.description) }
                }
            }
        }
        var loop = ViewerLoop()
        loop.afterFirstFrame = { TestCrashHook.fireIfAsked() }   // the end-to-end tests' deliberate crashes
        loop.run(&app, terminal: terminal, inbox: inbox)
    }
}

extension Terminal: TerminalDevice {
    public var inputFileDescriptor: Int32 { ttyFileDescriptor }
}

/// ncurses takes the screen size from `COLUMNS` and `LINES` when they are set. A value that
/// is not a size a terminal could have (not a number, or outside 1...`App.maximumSize`) is
/// removed before the terminal is opened, so ncurses asks the terminal itself: with
/// `COLUMNS=2147483647` it would otherwise fail to start, and with a large value it would
/// allocate a screen of that size.
enum TerminalSizeVariables {
    static func dropUnusable() {
        for (name, limit) in [("COLUMNS", App.maximumSize.width), ("LINES", App.maximumSize.height)] {
            guard let value = getenv(name).map({ String(cString: $0) }) else { continue }
            if !isUsable(value, limit: limit) { unsetenv(name) }
        }
    }

    static func isUsable(_ value: String, limit: Int) -> Bool {
        guard let n = Int(value) else { return false }
        return n >= 1 && n <= limit
    }
}
