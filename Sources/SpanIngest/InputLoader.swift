import SpanFormats
import SpanModel
import SpanStore
import Tracing

/// Where one input stands: what has been read from it so far and whether it has ended.
/// Built up from its batches (`take(_:)`), the same way by the headless commands and the viewer.
public struct InputStatus: Sendable {
    /// The input's name (`-` for standard input).
    public var name: String
    /// More may come (a pipe, a followed file).
    public var isLive: Bool
    /// What it delivers exists only in this process (a pipe): quitting loses it.
    public var isEphemeral: Bool
    public var formats: [SpanFormat] = []
    public var stats = ReadStats()
    public var problems: [ReadProblem] = []
    /// What the input told the user (a followed file replaced, a partial trace), the last
    /// `maxListedProblems` of them.
    public var notices: [String] = []
    public var progress: ByteProgress?
    public var end: InputEnd?

    public init(name: String, isLive: Bool = false, isEphemeral: Bool? = nil, formats: [SpanFormat] = [], stats: ReadStats = ReadStats(), problems: [ReadProblem] = []) {
        self.name = name
        self.isLive = isLive
        self.isEphemeral = isEphemeral ?? isLive
        self.formats = formats
        self.stats = stats
        self.problems = problems
    }

    /// `go-stdouttrace`, `go-stdouttrace+otlp-json`, or `unknown` when no span was found.
    public var formatLabel: String { SpanFormat.label(formats) }
    /// The name as a status line shows it: `stdin`, or the file's last path component.
    /// The name as the status line shows it: a file's or URL's last component, `stdin`; the
    /// receiver's name (`OTLP/HTTP 127.0.0.1:4318`) is not a path and is kept whole.
    public var shortName: String {
        if name == "-" { return "stdin" }
        if name.hasPrefix("OTLP/HTTP ") { return name }
        return name.split(separator: "/").last.map(String.init) ?? name
    }
    /// The name in a sentence: `standard input`, or the path in quotes.
    public var quotedName: String { name == "-" ? "standard input" : "'\(name)'" }

    /// Most problems listed per input; more are only counted (`stats.skipped`), so a followed
    /// file rotated again and again cannot grow the list without bound.
    public static let maxListedProblems = SpanStreamReader.maxListedProblems

    /// Takes a batch's totals, formats, problems, notices, progress and end (not its spans or log lines).
    public mutating func take(_ batch: borrowing ReadBatch) {
        stats = batch.stats
        if !batch.formats.isEmpty { formats = batch.formats }
        problems += batch.problems.prefix(max(0, Self.maxListedProblems - problems.count))
        if !batch.notices.isEmpty {
            notices += batch.notices
            if notices.count > Self.maxListedProblems { notices.removeFirst(notices.count - Self.maxListedProblems) }
        }
        if let p = batch.progress { progress = p }
        if let e = batch.end { end = e }
    }

    /// Why an input that was read holds nothing to show, or nil if it has spans.
    public var emptinessReason: String? {
        guard stats.spans == 0 else { return nil }
        if stats.bytes == 0 { return "is empty" }
        var parts: [String] = []
        if stats.nonJSONLines > 0 { parts.append("\(stats.nonJSONLines) line\(stats.nonJSONLines == 1 ? "" : "s") of other text") }
        if stats.skipped > 0 { parts.append("\(stats.skipped) bad value\(stats.skipped == 1 ? "" : "s")") }
        return "holds no spans" + (parts.isEmpty ? "" : " (" + parts.joined(separator: ", ") + ")")
    }
}

/// The last log lines of the inputs (an application's own output between its spans).
public struct LogLines: Sendable {
    /// Lines kept, the newest last.
    public private(set) var lines: [LogLine] = []
    /// The most kept; older lines go.
    public static let maxKept = 10_000

    public init() {}

    /// Adds lines; returns how many old ones went to stay under `maxKept`.
    @discardableResult
    public mutating func append(_ more: [LogLine]) -> Int {
        lines += more
        let excess = lines.count - Self.maxKept
        guard excess > 0 else { return 0 }
        lines.removeFirst(excess)
        return excess
    }
}

/// Inputs read to their end into one store (what `summary` and `print` work on).
public struct LoadedInputs: Sendable {
    public var inputs: [InputStatus] = []
    public var store = TraceStore()
    public var logs = LogLines()

    public init() {}

    /// Every input's problems, input by input.
    public var problems: [ReadProblem] { inputs.flatMap(\.problems) }

    /// Takes one batch of input `index`: spans into the store, the rest into its status.
    public mutating func take(_ batch: consuming ReadBatch, input index: Int) {
        inputs[index].take(batch)
        store.insert(moving: &batch.spans)
        logs.append(batch.logLines)
    }
}

/// Reads inputs to their end on the calling thread, each through its source, into one store.
public enum InputLoader {
    /// Reads every path (`-` is standard input). Throws for a path that cannot be read at
    /// all or whose reading failed; bad values inside a readable input are reported in its
    /// `problems` instead. `progress` is called after each batch (for a progress line).
    public static func load(_ paths: [String], chunkSize: Int = 1 << 20, threads: Int = InputSource.decodingThreads,
                            progress: ((LoadedInputs) -> Void)? = nil) throws(InputError) -> LoadedInputs {
        let sources: [InputSource]
        do {
            sources = try paths.map { (path: String) throws(InputError) -> InputSource in
                try InputSource(path: path, chunkSize: chunkSize, threads: threads)
            }
        }
        return try load(sources, progress: progress)
    }

    /// Reads every path that can be read, and says which could not: a path that cannot be
    /// opened is left out, and one whose reading failed keeps what was read before the failure
    /// (`spanview print` prints the others).
    public static func loadReadable(_ paths: [String], chunkSize: Int = 1 << 20, threads: Int = InputSource.decodingThreads,
                                    progress: ((LoadedInputs) -> Void)? = nil) -> (inputs: LoadedInputs, failures: [InputError]) {
        var sources: [InputSource] = []
        var failures: [InputError] = []
        for path in paths {
            do throws(InputError) {
                sources.append(try InputSource(path: path, chunkSize: chunkSize, threads: threads))
            } catch {
                failures.append(error)
            }
        }
        let (loaded, failed) = loadReadable(sources, progress: progress)
        return (loaded, failures + failed)
    }

    /// Reads every source, and says which failed: one whose reading failed keeps what was
    /// read before the failure.
    public static func loadReadable(_ sources: [any SpanSource], progress: ((LoadedInputs) -> Void)? = nil) -> (inputs: LoadedInputs, failures: [InputError]) {
        var loaded = LoadedInputs()
        var failures: [InputError] = []
        do throws(InputError) {
            loaded = try load(sources, stopOnFailure: false, progress: progress)
        } catch {
            failures.append(error)   // not reached: failures are collected below
        }
        for input in loaded.inputs {
            if let failure = input.end?.failure { failures.append(InputError(path: input.name, reason: failure)) }
        }
        return (loaded, failures)
    }

    /// Reads sources one after another.
    public static func load(_ sources: [any SpanSource], progress: ((LoadedInputs) -> Void)? = nil) throws(InputError) -> LoadedInputs {
        try load(sources, stopOnFailure: true, progress: progress)
    }

    /// Reads sources one after another; with `stopOnFailure`, throws at the first that fails.
    static func load(_ sources: [any SpanSource], stopOnFailure: Bool, progress: ((LoadedInputs) -> Void)?) throws(InputError) -> LoadedInputs {
        var loaded = LoadedInputs()
        let parent = InstrumentationContext.current ?? .topLevel
        let reading = InstrumentationSystem.tracer.startSpan("read inputs", context: parent, ofKind: .internal)
        defer { reading.end() }
        for (index, source) in sources.enumerated() {
            loaded.inputs.append(InputStatus(name: source.name, isLive: source.isLive, isEphemeral: source.isEphemeral))
            var spans = SourceSpans(source, parent: reading.context)
            source.read { batch in
                spans.took(batch)
                loaded.take(batch, input: index)
                progress?(loaded)
                return true
            }
            spans.end()
            if stopOnFailure, let failure = loaded.inputs[index].end?.failure { throw InputError(path: source.name, reason: failure) }
        }
        return loaded
    }
}
