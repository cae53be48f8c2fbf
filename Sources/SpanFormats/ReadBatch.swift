import SpanModel

/// What reading an input produced since the last batch, and where the input stands: the one
/// shape spans travel in from a decoder, through a source and the inbox, to the viewer.
public struct ReadBatch: Sendable {
    /// Whole spans, in input order.
    public var spans: [Span] = []
    /// Bad values skipped, with their positions.
    public var problems: [ReadProblem] = []
    /// The input's other lines (an application's log output), in order.
    public var logLines: [LogLine] = []
    /// The input's totals after this batch.
    public var stats = ReadStats()
    /// Formats that produced spans so far, in the order first met.
    public var formats: [SpanFormat] = []
    /// Bytes read of the input's size, when the size is known (a file; for gzip, compressed bytes).
    public var progress: ByteProgress?
    /// Set on an input's last batch.
    public var end: InputEnd?
    /// Things to tell the user (a followed file was truncated or replaced).
    public var notices: [String] = []

    public init() {}

    /// No spans, problems, log lines or notices (totals and progress may still have moved).
    public var isEmpty: Bool { spans.isEmpty && problems.isEmpty && logLines.isEmpty && notices.isEmpty }

    /// Adds a later batch of the same input: its contents after these, its totals, formats,
    /// progress and end instead of these.
    public mutating func absorb(_ later: consuming ReadBatch) {
        if spans.isEmpty {
            swap(&spans, &later.spans)   // moved, not copied
        } else {
            spans.append(contentsOf: later.spans)
        }
        problems.append(contentsOf: later.problems)
        logLines.append(contentsOf: later.logLines)
        notices.append(contentsOf: later.notices)
        stats = later.stats
        if !later.formats.isEmpty { formats = later.formats }
        if let p = later.progress { progress = p }
        if let e = later.end { end = e }
    }
}

/// How far through an input reading is, in bytes.
public struct ByteProgress: Hashable, Sendable {
    public var done: Int64
    public var total: Int64

    public init(done: Int64, total: Int64) {
        self.done = done
        self.total = total
    }

    /// 0...1.
    public var fraction: Double { total > 0 ? min(1, max(0, Double(done) / Double(total))) : 1 }
}

/// How an input ended.
public enum InputEnd: Hashable, Sendable {
    /// Read to its end.
    case complete
    /// Reading stopped: the reason, in words.
    case failed(String)

    public var failure: String? {
        if case .failed(let reason) = self { return reason }
        return nil
    }
}

/// A line of an input that was not a span: usually the application's own log output.
public struct LogLine: Hashable, Sendable {
    public var source: String
    /// 1-based line number in the input.
    public var line: Int
    public var text: String

    public init(source: String, line: Int, text: String) {
        self.source = source
        self.line = line
        self.text = text
    }

    /// The first trace ID the line mentions: a run of exactly 32 hex digits.
    public var traceID: TraceID? {
        var run = 0
        var start = text.utf8.startIndex
        var index = text.utf8.startIndex
        let utf8 = text.utf8
        func candidate(_ end: String.Index) -> TraceID? {
            run == 32 ? TraceID(hexBytes: utf8[start..<end]) : nil
        }
        while index < utf8.endIndex {
            if HexDigits.value(of: utf8[index]) != nil {
                if run == 0 { start = index }
                run += 1
            } else {
                if let id = candidate(index) { return id }
                run = 0
            }
            index = utf8.index(after: index)
        }
        return candidate(index)
    }
}

/// Running totals of a reader.
public struct ReadStats: Hashable, Sendable {
    /// Bytes consumed so far.
    public var bytes: Int64 = 0
    /// Spans decoded (before any deduplication).
    public var spans = 0
    /// Lines outside span values: an application's log text, and JSON values that are not
    /// spans (JSON log lines, stdoutlog or stdoutmetric records).
    public var nonJSONLines = 0
    /// JSON values that were well formed but not spans.
    public var otherValues = 0
    /// Values skipped as bad.
    public var skipped = 0
    /// Lines seen (newlines + 1 if the input does not end with one).
    public var lines = 0

    public init() {}
}
