import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif
import SpanIngest
import SpanModel
import SpanStore
import SpanviewApp
import SpanviewKit
import TerminalInput
import Foundation

/// `spanview-bench frames --spans 100000 --trace-size 100000`: the work each key costs in the
/// viewer (handling the key and drawing the frame into a grid), on a big trace and a big file.
/// The terminal's own output is not included; it sends only the cells that changed.
struct FrameBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "frames",
        abstract: "Measure the work per key in the viewer (handle + render), in milliseconds."
    )

    @Option(help: "Spans to generate.")
    var spans = 100_000

    @Option(help: "Make every trace this many spans (default: 20 to 2000).")
    var traceSize: Int?

    @Option(help: "Read this file instead of generating one.")
    var input: String?

    @Option(help: "Terminal size, WxH.")
    var size = "200x60"

    @Flag(help: "Instead: one trace whose spans carry 1 MB and 4 MB attribute values (text, blob, Unicode); keys move between them, scroll the detail pane and switch tabs.")
    var bigValues = false

    func run() throws {
        if bigValues { return try runBigValues() }
        let path = input ?? "/tmp/spanview-frames-\(getpid()).jsonl"
        if input == nil {
            let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            _ = SyntheticTraces(spanCount: spans, traceSize: traceSize).write(to: fd)
            close(fd)
        }
        defer { if input == nil { unlink(path) } }
        let dims = size.split(separator: "x").compactMap { Int($0) }
        let (width, height) = dims.count == 2 ? (dims[0], dims[1]) : (200, 60)

        let t0 = now()
        let inputs = try InputLoader.load([path])
        let loadTime = now() - t0
        let biggest = inputs.store.traces.indices.max { inputs.store.traces[$0].spanCount < inputs.store.traces[$1].spanCount } ?? 0
        let t1 = now()
        var app = App(inputs: inputs, width: width, height: height)
        let startTime = now() - t1
        print("loaded \(inputs.store.spanCount) spans in \(inputs.store.traceCount) traces in \(seconds(loadTime)) s; app ready in \(ms(startTime)) ms; biggest trace \(inputs.store.traces[biggest].spanCount) spans; \(width)x\(height)")

        // Open the biggest trace through the search, as a user would.
        let id = inputs.store.traces[biggest].traceID.hex
        var script: [(String, Key)] = []
        script.append(("/ (prompt)", .character("/")))
        for c in id { script.append(("type", .character(c))) }
        script.append(("Enter: open \(inputs.store.traces[biggest].spanCount)-span trace", .enter))
        script += [("j", .character("j")), ("j", .character("j")), ("PgDn", .pageDown), ("PgDn", .pageDown),
                   ("G (last span)", .character("G")), ("g (first span)", .character("g")),
                   ("e (next error)", .character("e")), ("E", .character("E")),
                   ("Tab", .tab), ("4", .character("4")), ("1", .character("1")),
                   ("+ (zoom)", .character("+")), ("-", .character("-")), ("0", .character("0")),
                   ("Space (collapse root)", .character(" ")), ("Space (expand)", .character(" ")),
                   ("[ (collapse all)", .character("[")), ("] (expand all)", .character("]")),
                   ("< (one level less)", .character("<")), ("> (one level more)", .character(">")),
                   ("z (zoom to span)", .character("z")), (", (pan)", .character(",")), (". (pan)", .character(".")), ("0", .character("0")),
                   ("c (critical path)", .character("c")), (") (along the path)", .character(")")), (")", .character(")")),
                   ("/ (span search prompt)", .character("/"))]
        for c in "SELECT" { script.append(("type", .character(c))) }
        script += [("Enter: search the trace's spans for SELECT", .enter), ("n (next match)", .character("n")),
                   ("N", .character("N")), ("f (only matches)", .character("f")), ("f (all)", .character("f")),
                   ("Esc (clear search)", .escape), ("c (path off)", .character("c")),
                   ("d (hide details)", .character("d")), ("d", .character("d")),
                   ("S (statistics by operation)", .character("S")), ("o (sort by next column)", .character("o")),
                   ("b (by service)", .character("b")), ("j", .character("j")), ("Enter (mark the row's spans)", .enter),
                   ("Esc (clear)", .escape), ("F (flame graph)", .character("F")), ("j (child)", .character("j")),
                   ("Enter (zoom)", .enter), ("- (zoom out)", .character("-")), ("Esc", .escape),
                   ("t (spans table)", .character("t")), ("o (by duration)", .character("o")), ("r (reverse)", .character("r")),
                   ("Enter (to the span)", .enter),
                   ("resize", .resize(width: width - 40, height: height - 10)), ("resize back", .resize(width: width, height: height)),
                   ("Esc (to list)", .escape), ("s (sort by duration)", .character("s")), ("s", .character("s")),
                   ("S (reverse)", .character("S")), ("f (filter prompt)", .character("f"))]
        for c in "duration>100ms errors" { script.append(("type", .character(c))) }
        script += [("Enter: filter duration>100ms errors", .enter), ("Esc (all traces)", .escape), ("f", .character("f"))]
        for c in "http.status_code>=500" { script.append(("type", .character(c))) }
        script += [("Enter: filter http.status_code>=500 (spans)", .enter), ("j (while it runs)", .character("j")),
                   ("G (last trace)", .character("G")), ("? (help)", .character("?")), ("Esc", .escape)]
        let timings = timeKeys(script, on: &app)
        if app.hasBackgroundWork {
            let t = now()
            app.finishBackgroundWork()
            print("work on its own thread (a big search or filter) finished \(ms(now() - t)) ms after the last key")
        }
        let typing = timings.filter { $0.0 == "type" }.map(\.1)
        let others = timings.filter { $0.0 != "type" }
        print("typing the trace ID: max \(ms(typing.max() ?? 0)) ms per key")
        for (label, t) in others { print(String(format1(t * 1000)).leftPadded(8) + " ms  " + label) }
        let all = timings.map(\.1).sorted()
        print("every key: median \(ms(all[all.count / 2])) ms, max \(ms(all.last ?? 0)) ms (\(all.count) keys)")
    }
}

extension FrameBench {
    /// The big-values scenario: every key's work (handle + render) on a trace whose spans
    /// carry 1 MB and 4 MB values. The trace is the only one, so the viewer opens on it.
    func runBigValues() throws {
        let path = "/tmp/spanview-bigvalues-\(getpid()).jsonl"
        let trace = BigValueTrace()
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        trace.write(to: fd)
        close(fd)
        defer { unlink(path) }
        let dims = size.split(separator: "x").compactMap { Int($0) }
        let (width, height) = dims.count == 2 ? (dims[0], dims[1]) : (200, 60)
        let t0 = now()
        let inputs = try InputLoader.load([path])
        let loadTime = now() - t0
        let t1 = now()
        var app = App(inputs: inputs, width: width, height: height)
        let startTime = now() - t1
        print("loaded \(inputs.store.spanCount) spans (values: \(trace.values.map(BigValueTrace.label).joined(separator: ", "))) in \(seconds(loadTime)) s; app ready in \(ms(startTime)) ms; \(width)x\(height)")

        var script: [(String, Key)] = []
        for value in trace.values {
            let name = BigValueTrace.label(value)
            script.append(("j: next span, \(name)", .character("j")))
            script.append(("J: scroll detail (\(name))", .character("J")))
            script.append(("J", .character("J")))
            script.append(("K", .character("K")))
            script.append(("Tab: Events", .tab))
            script.append(("1: Attributes", .character("1")))
            script.append(("J", .character("J")))
            script.append(("}: detail end", .character("}")))
            script.append(("{: detail start", .character("{")))
        }
        script.append(("resize", .resize(width: width - 40, height: height - 10)))
        script.append(("resize back", .resize(width: width, height: height)))
        script.append(("k: previous span", .character("k")))
        script.append(("g: first span", .character("g")))
        let timings = timeKeys(script, on: &app)
        for (label, t) in timings { print(String(format1(t * 1000)).leftPadded(9) + " ms  " + label) }
        let all = timings.map(\.1).sorted()
        print("every key: median \(ms(all[all.count / 2])) ms, max \(ms(all.last ?? 0)) ms (\(all.count) keys)")
    }
}

func ms(_ s: Double) -> String { format1(s * 1000) }

/// Seconds each key of `script` took, handled and drawn into the grid (with
/// SPANVIEW_FRAME_DETAIL set, each split into handling and drawing).
func timeKeys(_ script: [(String, Key)], on app: inout App) -> [(String, Double)] {
    var timings: [(String, Double)] = []
    var render = app.render()
    let detail = ProcessInfo.processInfo.environment["SPANVIEW_FRAME_DETAIL"] != nil
    for (label, key) in script {
        let t = now()
        app.handle(key)
        let handled = now()
        render = app.render()
        timings.append((label, now() - t))
        if detail { print("  \(label): handle \(ms(handled - t)) ms, render \(ms(now() - handled)) ms") }
    }
    withExtendedLifetime(render) {}
    return timings
}

extension String {
    func leftPadded(_ n: Int) -> String { count >= n ? self : String(repeating: " ", count: n - count) + self }
}
