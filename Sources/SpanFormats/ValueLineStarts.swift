#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where an input may be cut for decoding on another thread: a line start holding `{` or
/// `[`, which most likely starts a value (the cut is checked afterwards either way).
package enum ValueLineStarts {
    /// The last index `j` with `floor < j < end` that follows a newline and holds `{` or `[`.
    package static func last(in buffer: UnsafePointer<UInt8>, before end: Int, after floor: Int) -> Int? {
        var i = end - 2   // the newline before `j`
        while i >= floor {
            if buffer[i] == 0x0A && (buffer[i + 1] == UInt8(ascii: "{") || buffer[i + 1] == UInt8(ascii: "[")) { return i + 1 }
            i -= 1
        }
        return nil
    }

    /// The first index in `from..<limit` that follows a newline (at or after `from`) and
    /// holds `{` or `[`.
    package static func first(in buffer: UnsafePointer<UInt8>, from: Int, below limit: Int) -> Int? {
        var p = from
        while p < limit {
            guard let hit = memchr(buffer + p, 0x0A, limit - p) else { return nil }
            let i = buffer.distance(to: hit.assumingMemoryBound(to: UInt8.self))
            if i + 1 < limit && (buffer[i + 1] == UInt8(ascii: "{") || buffer[i + 1] == UInt8(ascii: "[")) { return i + 1 }
            p = i + 1
        }
        return nil
    }
}
