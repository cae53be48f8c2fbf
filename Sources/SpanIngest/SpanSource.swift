import SpanFormats

/// An input of spans: a file, a pipe, a followed file, and later the receiver, a backend
/// query or the tracing SDK's own spans. A source reads on whatever thread calls `read`
/// (the inbox gives each its own) and hands over batches in input order.
public protocol SpanSource: AnyObject, Sendable {
    /// How the input is named in the status line, the inputs list and problem reports
    /// (`-` for standard input).
    var name: String { get }
    /// Whether more may come after what is there now (a pipe, a followed file): such input
    /// can be lost on quitting, and is what `--max-spans` bounds.
    var isLive: Bool { get }
    /// Whether what it delivers exists only in this process (a pipe's bytes, once read, are
    /// nowhere else): quitting loses it, so the viewer asks first and offers to save it.
    var isEphemeral: Bool { get }
    /// Reads the input, calling `deliver` with each batch in input order; the last batch has
    /// `end` set. Stops early, without a last batch, when `deliver` returns false.
    func read(deliver: (ReadBatch) -> Bool)
}

extension SpanSource {
    public var isEphemeral: Bool { isLive }
}

/// A reason an input could not be used at all.
public struct InputError: Error, CustomStringConvertible, Sendable {
    public let path: String
    public let reason: String

    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    public var description: String { "\(path == "-" ? "standard input" : "'\(path)'"): \(reason)" }
}

/// An I/O error while reading input.
public struct ReadError: Error, CustomStringConvertible, Sendable {
    public let errno: Int32

    public init(errno: Int32) { self.errno = errno }

    public var description: String { String(cString: strerror(errno)) }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
