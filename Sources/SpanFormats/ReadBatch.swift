import SpanModel

/// What one `feed` produced: whole spans and the problems met on the way.
public struct ReadBatch: Sendable {
    public var spans: [Span] = []
    public var problems: [ReadProblem] = []
    /// The input's other lines (an application's log output), in order.
    public var logLines: [LogLine] = []

    public init() {}

    public var isEmpty: Bool { spans.isEmpty && problems.isEmpty && logLines.isEmpty }
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
