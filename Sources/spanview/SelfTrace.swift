import ArgumentParser
import CellGrid
import Foundation
import Dispatch
import SpanIngest
import SpanModel
import Synchronization
import TerminalBackend
import SpanviewKit
import SpanviewTracing
import Tracing
#if canImport(Glibc)
import Glibc
#endif

/// `--self-trace FILE` and `--self-trace-otlp URL`: spanview's own work as spans, in a file
/// (stdouttrace layout, to open with spanview) or sent to a collector (OTLP/HTTP), so that
/// one sees where spanview spent its time. The standard `OTEL_*` variables configure the
/// service name, sampler, batching and headers; `OTEL_TRACES_EXPORTER=otlp` with
/// `OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT` sends them without the option.
struct SelfTraceOptions: ParsableArguments {
    @Option(name: .customLong("self-trace"), help: ArgumentHelp("Write spanview's own spans to this file (Go stdouttrace layout), to open with spanview.", valueName: "file"))
    var file: String?

    @Option(name: .customLong("self-trace-otlp"), help: ArgumentHelp("Send spanview's own spans to this OTLP/HTTP traces endpoint (http://host:4318/v1/traces).", valueName: "url"))
    var url: String?

    /// A file or collector was named (or `OTEL_TRACES_EXPORTER=otlp`).
    var isRequested: Bool {
        file != nil || url != nil || ProcessInfo.processInfo.environment["OTEL_TRACES_EXPORTER"]?.lowercased() == "otlp"
    }

    /// Runs a one-shot command's work (`print`, `summary`, `stats`, `convert`) under its root
    /// span, `name`, with the number of inputs, tracing started and flushed around it when
    /// asked (a signal flushes too).
    func traced(_ name: String, inputs: Int, _ work: () throws -> Void) throws {
        let tracer = start(flushOnSignals: true)
        defer { tracer?.shutdown() }
        try withSpan(name) { span in
            span.attributes["inputs"] = inputs
            try work()
        }
    }

    /// Starts tracing if asked: bootstraps the SDK, and makes sure the spans are written
    /// however the process ends normally (return or `exit`). `quiet`: a collector that cannot
    /// be reached is not reported on standard error (the viewer's screen is there).
    ///
    /// `alsoTo`: an exporter that gets the spans too (the viewer's own-spans input); with it,
    /// tracing starts even when no file or collector was named.
    func start(quiet: Bool = false, flushOnSignals: Bool = false, alsoTo extra: (any SpanExporter)? = nil) -> SpanviewTracer? {
        var configuration = TracingConfiguration.fromEnvironment(serviceName: "spanview")
        let environmentOTLP = ProcessInfo.processInfo.environment["OTEL_TRACES_EXPORTER"]?.lowercased() == "otlp"
            ? configuration.otlpEndpoint : nil
        guard file != nil || url != nil || environmentOTLP != nil || extra != nil else { return nil }
        if extra != nil && ProcessInfo.processInfo.environment["OTEL_BSP_SCHEDULE_DELAY"] == nil {
            // The viewer shows its own spans live: exported twice a second, not every 5 s.
            configuration.batch.scheduledDelay = 0.5
        }
        var exporter: any SpanExporter
        if file == nil && url == nil && environmentOTLP == nil, let extra {
            exporter = extra
        } else if let file {
            do {
                exporter = try StreamSpanExporter(path: file)
            } catch {
                CommandSupport.fail("--self-trace: \(error)")
            }
        } else {
            let text = url ?? environmentOTLP ?? ""
            guard let endpoint = URL(string: text), endpoint.scheme == "http" || endpoint.scheme == "https", endpoint.host != nil else {
                CommandSupport.fail("--self-trace-otlp: '\(text)' is not an http:// or https:// URL")
            }
            exporter = OTLPHTTPExporter(endpoint: endpoint, headers: configuration.otlpHeaders, encoding: configuration.otlpEncoding,
                                        timeout: configuration.otlpTimeout, onFailure: { report in
                if !quiet { StandardError().write("spanview: self-trace: \(TerminalText.escaped(report))\n") }
            })
        }
        if let extra, !(exporter as AnyObject === extra as AnyObject) { exporter = MultiSpanExporter([exporter, extra]) }
        guard let tracer = configuration.makeTracer(
            processor: BatchSpanProcessor(exporter: exporter, configuration: configuration.batch),
            scope: InstrumentationScope(name: "spanview", version: SpanviewVersion.current)) else { return nil }
        if flushOnSignals {
            SelfTrace.flushOnTermination()
        } else {
            // The viewer: its terminal guard hands the signal over once the screen is back.
            Terminal.whenAskedToEnd { _ in SelfTrace.shutdown(within: SelfTrace.flushBound) }
        }
        InstrumentationSystem.bootstrap(tracer)
        SelfTrace.tracer = tracer
        atexit { SelfTrace.tracer?.shutdown() }
        return tracer
    }
}

/// The viewer's own spans, exported into a `SpanChannel` once `T` asks for them.
final class OwnSpansExporter: SpanExporter, @unchecked Sendable {
    let channel = SpanChannel(name: "spanview (own spans)")
    private let enabled = Atomic(false)

    func enable() { enabled.store(true, ordering: .relaxed) }

    func export(_ spans: [SpanModel.Span]) -> Bool {
        if enabled.load(ordering: .relaxed) { channel.push(spans) }
        return true
    }

    func shutdown() { channel.close() }
}

/// The tracer the `atexit` hook and the signal thread flush.
enum SelfTrace {
    nonisolated(unsafe) static var tracer: SpanviewTracer?

    /// How long a signal waits for the spans to be written before the process ends anyway
    /// (a collector that is down would otherwise hold it for the exporter's retries).
    static let flushBound: Double = 3

    /// Shuts the tracer down (writing what it holds) on a thread of its own, waiting at
    /// most `seconds` for it.
    static func shutdown(within seconds: Double) {
        guard let tracer else { return }
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            tracer.shutdown()
            done.signal()
        }
        thread.start()
        _ = done.wait(timeout: .now() + seconds)
    }

    /// SIGTERM, SIGINT and SIGHUP end a headless command as before, but the spans ended so
    /// far are written first: the signals are blocked in every thread (those started later
    /// inherit the mask) and taken by one thread that flushes, then dies of the signal with
    /// its default action, waiting at most `flushBound` for them. (The viewer's signals are
    /// its terminal guard's, which hands them to `Terminal.whenAskedToEnd`.)
    static func flushOnTermination() {
        var set = sigset_t()
        sigemptyset(&set)
        for signo in [SIGTERM, SIGINT, SIGHUP] { sigaddset(&set, signo) }
        pthread_sigmask(SIG_BLOCK, &set, nil)
        let waiting = set
        let thread = Thread {
            var set = waiting
            var signo: Int32 = 0
            guard sigwait(&set, &signo) == 0 else { return }
            SelfTrace.shutdown(within: SelfTrace.flushBound)
            signal(signo, SIG_DFL)
            pthread_sigmask(SIG_UNBLOCK, &set, nil)
            raise(signo)
        }
        thread.name = "spanview-self-trace-signals"
        thread.start()
    }
}
