import SpanModel

/// What one `feed` produced: whole spans and the problems met on the way.
public struct ReadBatch: Sendable {
    public var spans: [Span] = []
    public var problems: [ReadProblem] = []

    public init() {}

    public var isEmpty: Bool { spans.isEmpty && problems.isEmpty }
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
