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

    func run() throws {
        print("operation                         " + sizes.map { pad("\($0) spans", 14) }.joined())
        var columns: [[(String, Double)]] = []
        for size in sizes {
            let tree = try Self.trace(spans: size)
            precondition(tree.count == size, "expected one trace of \(size) spans, got \(tree.count)")
            let graph = FlameGraph(tree, selfTimes: SelfTime.compute(tree))
            print("\(size) spans: depth \(tree.depthCount), \(graph.nodes.count) flame nodes, \(graph.layout(width: 200).count) laid out in 200 cells, critical path \(CriticalPath.compute(tree).segments.count) pieces, \(tree.roots.count) roots, \(Set(tree.spans.map(\.name)).count) names, top nodes \(graph.nodes.sorted { $0.count > $1.count }.prefix(5).map { "\($0.depth) \($0.name) \($0.count)" })")
            columns.append(measure(tree))
        }
        for row in columns[0].indices {
            let label = columns[0][row].0
            print(label.padding(toLength: 34, withPad: " ", startingAt: 0)
                  + columns.map { pad(format2($0[row].1) + " ms", 14) }.joined())
        }
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
