import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif
import SpanAnalysis
import SpanIngest
import SpanModel
import SpanStore

/// `spanview-bench analysis`: self time, critical path, statistics (three groupings) and
/// the flame graph of one synthetic trace of 100,000 spans and one of 50,000.
struct AnalysisBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "analysis",
        abstract: "Time SpanAnalysis on single big synthetic traces (best of several runs, ms)."
    )

    @Option(help: "Trace sizes to measure, in spans.")
    var sizes: [Int] = [100_000, 50_000]

    @Option(help: "Runs of each measurement; the best is reported.")
    var runs = 7

    @Flag(help: "Also measure a chain 100,000 spans deep (built in memory).")
    var chain = false

    func run() throws {
        var traces: [(String, TraceTree)] = []
        for size in sizes {
            let tree = try Self.trace(spans: size)
            precondition(tree.count == size, "expected one trace of \(size) spans, got \(tree.count)")
            traces.append(("\(size) spans", tree))
        }
        if chain { traces.append(("100000 deep", Self.chain(spans: 100_000))) }
        for (label, tree) in traces {
            let graph = FlameGraph(tree, selfTimes: SelfTime.compute(tree))
            print("\(label): depth \(tree.depthCount), \(graph.nodes.count) flame nodes, critical path in \(CriticalPath.compute(tree).segments.count) pieces")
        }
        print("")
        print("operation (best of \(runs), ms)".padding(toLength: 34, withPad: " ", startingAt: 0) + traces.map { pad($0.0, 14) }.joined())
        let columns = traces.map { measure($0.1) }
        for row in columns[0].indices {
            print(columns[0][row].0.padding(toLength: 34, withPad: " ", startingAt: 0)
                  + columns.map { pad(format2($0[row].1), 14) }.joined())
        }
    }

    /// A chain: each span the only child of the one before, each starting 1 µs later and
    /// ending 1 µs earlier than its parent.
    static func chain(spans n: Int) -> TraceTree {
        let trace = TraceID(high: 1, low: 2)
        let resource = Resource(attributes: [Attribute("service.name", .string("chain"))])
        var record = TraceRecord(traceID: trace, arrival: 0)
        for i in 0..<n {
            record.insert(Span(traceID: trace, spanID: SpanID(UInt64(i + 1)), parentSpanID: SpanID(UInt64(i)),
                               name: "level", startTime: 1_000_000_000 + Int64(i) * 1_000,
                               endTime: 1_000_000_000 + Int64(2 * n - i) * 1_000,
                               attributes: [Attribute("http.route", .string("/r\(i % 10)"))], resource: resource))
        }
        return TraceTree(record)
    }

    /// One trace of `spans` spans from `SyntheticTraces`, read as spanview reads a file.
    static func trace(spans: Int) throws -> TraceTree {
        let path = "/tmp/spanview-bench-analysis-\(getpid())-\(spans).jsonl"
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw ValidationError("cannot write \(path)") }
        _ = SyntheticTraces(spanCount: spans, traceSize: spans).write(to: fd)
        close(fd)
        defer { unlink(path) }
        let inputs = try InputLoader.load([path])
        guard let record = inputs.store.traces.max(by: { $0.spans.count < $1.spans.count }) else {
            throw ValidationError("no trace read")
        }
        return TraceTree(record)
    }

    func measure(_ tree: TraceTree) -> [(String, Double)] {
        func best(_ body: () -> Int) -> Double {
            var fastest = Double.infinity
            var sink = 0
            for _ in 0..<max(1, runs) {
                let t0 = now()
                sink &+= body()
                fastest = min(fastest, now() - t0)
            }
            blackHole(sink)
            return fastest * 1000
        }
        let selfTimes = SelfTime.compute(tree)
        var results: [(String, Double)] = []
        results.append(("self time", best { SelfTime.compute(tree).count }))
        results.append(("critical path", best { CriticalPath.compute(tree).segments.count }))
        for (label, grouping) in [("statistics by service", StatsGrouping.service),
                                  ("statistics by operation", .operation),
                                  ("statistics by http.route", .attribute("http.route"))] {
            results.append((label, best { TraceStatistics(tree, selfTimes: selfTimes, by: grouping).rows.count }))
        }
        results.append(("flame graph merge", best { FlameGraph(tree, selfTimes: selfTimes).nodes.count }))
        let graph = FlameGraph(tree, selfTimes: selfTimes)
        results.append(("flame layout (200 cells)", best { graph.layout(width: 200).count }))
        results.append(("all (TraceAnalysis, 3 stats)", best {
            let a = TraceAnalysis(tree)
            var n = a.criticalPath.segments.count + a.flameGraph.nodes.count
            for g in [StatsGrouping.service, .operation, .attribute("http.route")] { n += a.statistics(by: g).rows.count }
            return n
        }))
        return results
    }
}

@inline(never) func blackHole(_ x: Int) { if x == .min { print("") } }

private func pad(_ s: String, _ width: Int) -> String {
    String(repeating: " ", count: max(0, width - s.count)) + s
}

private func format2(_ v: Double) -> String {
    let hundredths = Int((v * 100).rounded())
    let frac = hundredths % 100
    return "\(hundredths / 100).\(frac < 10 ? "0" : "")\(frac)"
}
