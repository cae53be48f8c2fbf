/// A value that was skipped, with where it started.
public struct ReadProblem: Hashable, Sendable {
    /// The input's name as the user gave it (`-` for standard input).
    public var source: String
    /// Byte offset of the value's first byte in the input.
    public var offset: Int64
    /// 1-based line of the value's first byte.
    public var line: Int
    /// What was wrong, and where exactly.
    public var reason: String

    public init(source: String, offset: Int64, line: Int, reason: String) {
        self.source = source
        self.offset = offset
        self.line = line
        self.reason = reason
    }

    /// `file:line: offset N: reason`, the form compilers use, so editors can jump to it.
    public var message: String { "\(source):\(line): byte \(offset): \(reason)" }
}
