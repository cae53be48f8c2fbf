import ArgumentParser
import CMallocInfo
#if canImport(Glibc)
import Glibc
#endif
import SpanFormats
import SpanIngest
import SpanModel
import SpanStore

/// `swift run -c release spanview-bench`: the benchmarks behind docs/benchmarks.md.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "spanview-bench",
        abstract: "Benchmarks on synthetic stdouttrace output (docs/benchmarks.md).",
        subcommands: [ParseBench.self, FrameBench.self, LiveBench.self, OpenBench.self, EndlessBench.self, LiveMemoryBench.self, TracingBench.self,
                      WriteBench.self, AnalysisBench.self, QueryBench.self, ReceiveBench.self],
        defaultSubcommand: ParseBench.self
    )
}

/// `spanview-bench parse --spans 100000`: parse-and-tree throughput and memory.
struct ParseBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "parse",
        abstract: "Measure parsing and tree building (MB/s, spans/s, retained bytes per span, peak RSS)."
    )

    @Option(help: "Spans to generate.")
    var spans = 100_000

    @Option(help: "Read this file instead of generating one.")
    var input: String?

    @Option(help: "Where to write the generated input (default: a temporary file, removed afterwards).")
    var keep: String?

    @Flag(help: "Generate pretty-printed (tab-indented) objects, as WithPrettyPrint() writes.")
    var pretty = false

    @Option(help: "Make every trace this many spans (default: 20 to 2000).")
    var traceSize: Int?

    @Flag(help: "Read with read(2) into a buffer, as pipes are read, instead of mapping the file.")
    var useRead = false

    @Option(help: "Chunk size for reads, in KiB.")
    var chunkKiB = 1024

    @Option(help: "Threads that decode (1 or 2; spanview uses 2 where there are two cores).")
    var threads = 1

    @Flag(help: "Also time a bare tokenizing pass (skipValue over every value) for comparison.")
    var baseline = false

    func run() throws {
        let path: String
        var generated = false
        if let input {
            path = input
        } else {
            path = keep ?? "/tmp/spanview-bench-\(getpid()).jsonl"
            let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            guard fd >= 0 else { throw ValidationError("cannot write \(path)") }
            let t0 = now()
            let bytes = SyntheticTraces(spanCount: spans, pretty: pretty, traceSize: traceSize).write(to: fd)
            close(fd)
            print("generated \(spans) spans\(pretty ? " (pretty)" : ""), \(mb(bytes)) MB (\(bytes / max(1, spans)) bytes/span) in \(seconds(now() - t0)) s -> \(path)")
            generated = keep == nil
        }
        defer { if generated { unlink(path) } }

        if baseline { try tokenizeBaseline(path) }

        let heapBefore = heapInUse()

        // Parse and insert, through the source the viewer and `summary` use for files, or
        // read(2) into one reader as pipes were read before `PipeDecoder`.
        let t0 = now()
        var store = TraceStore()
        var problems = 0
        var stats = ReadStats()
        let mapped = !useRead
        if mapped {
            let source = try InputSource(path: path, chunkSize: chunkKiB << 10, threads: threads)
            source.read { batch in
                var batch = batch
                store.insert(moving: &batch.spans)
                problems += batch.problems.count
                stats = batch.stats
                return true
            }
        } else {
            let fd = open(path, O_RDONLY)
            guard fd >= 0 else { throw ValidationError("cannot read \(path)") }
            let reader = SpanStreamReader(source: path, chunkSize: chunkKiB << 10, threads: threads)
            reading: while true {
                switch reader.read(from: fd) {
                case .decoded(var batch):
                    store.insert(moving: &batch.spans)
                    problems += batch.problems.count
                case .end, .failed: break reading
                }
            }
            var last = reader.finish()
            store.insert(moving: &last.spans)
            problems += last.problems.count
            stats = last.stats
            close(fd)
        }
        let parseTime = now() - t0

        // Trees and per-trace figures for every trace.
        let t1 = now()
        var depthSum = 0
        for record in store.traces {
            let tree = TraceTree(record)
            depthSum += tree.depthCount
        }
        let treeTime = now() - t1

        let retained = heapInUse() - heapBefore
        let bytes = stats.bytes
        let total = parseTime + treeTime
        print("""
        reading        \(mapped ? "memory-mapped (as spanview reads files)" : "read(2) in \(chunkKiB) KiB chunks (as spanview reads pipes)")
        input          \(mb(Int(bytes))) MB, \(stats.spans) spans, \(store.traceCount) traces, \(problems) problems
        parse+insert   \(seconds(parseTime)) s  \(Int(Double(bytes) / 1e6 / parseTime)) MB/s  \(Int(Double(stats.spans) / parseTime)) spans/s
        trees          \(seconds(treeTime)) s  (\(store.traceCount) trees, mean depth \(String(format1(Double(depthSum) / Double(max(1, store.traceCount))))))
        total          \(seconds(total)) s  \(Int(Double(bytes) / 1e6 / total)) MB/s  \(Int(Double(stats.spans) / total)) spans/s
        retained       \(retained / max(1, store.spanCount)) bytes/span  (\(mb(retained)) MB heap for \(store.spanCount) spans)
        peak RSS       \(mb(peakRSS())) MB
        """)
        withExtendedLifetime(store) {}
    }
}

func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

func seconds(_ s: Double) -> String { format3(s) }
func format3(_ v: Double) -> String { String(Double(Int((v * 1000).rounded())) / 1000) }
func format1(_ v: Double) -> String { String(Double(Int((v * 10).rounded())) / 10) }
func mb(_ bytes: Int) -> String { format1(Double(bytes) / 1_048_576) }

/// Bytes the allocator has handed out (small blocks plus mmapped ones).
func heapInUse() -> Int {
    Int(spanview_heap_in_use())
}

/// Peak resident set size in bytes.
func peakRSS() -> Int {
    var usage = rusage()
    getrusage(Int32(RUSAGE_SELF.rawValue), &usage)
    return usage.ru_maxrss * 1024
}

/// Reads the whole file and runs the scanner's grammar-checking skip over every line's value:
/// the cost of tokenising alone, without decoding or storing anything.
func tokenizeBaseline(_ path: String) throws {
    let fd = open(path, O_RDONLY)
    defer { close(fd) }
    var info = stat()
    fstat(fd, &info)
    let size = Int(info.st_size)
    let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: size)
    defer { buffer.deallocate() }
    var got = 0
    while got < size {
        let n = read(fd, buffer + got, size - got)
        if n <= 0 { break }
        got += n
    }
    let t0 = now()
    var scanner = JSONScanner(base: buffer, count: got)
    var values = 0
    while true {
        scanner.skipWhitespace()
        if scanner.atEnd { break }
        try scanner.skipValue()
        values += 1
    }
    let t = now() - t0
    print("tokenize only  \(seconds(t)) s  \(Int(Double(got) / 1e6 / t)) MB/s  (\(values) values, in memory)")
}
