#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SpanModel

/// Turns a byte stream (a file or a pipe, in chunks of any size) into spans.
///
/// - Values may be concatenated, one per line or pretty-printed, split across chunks at any byte.
/// - Text between values (an application's log lines on the same stdout) is counted and skipped.
///   A value starts where a line's first non-blank byte is `{` followed by `"` or `}`, or `[`
///   followed by `{`, `[` or `]`, or right after another value.
/// - A bad value (truncated, garbage, invalid UTF-8) is reported with its line and byte offset,
///   and reading resumes at the next line that starts a value at the same indentation or less.
///   Spans around it are kept.
/// - Values are parsed straight from the buffer. One that is cut by the end of the buffered
///   bytes is finished by a cheap bracket scan as more bytes come, then parsed once.
public final class SpanStreamReader {
    public let source: String
    public let decoder: SpanDecoder
    public private(set) var stats = ReadStats()
    public let chunkSize: Int

    private var buffer: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    /// Unconsumed bytes are `buffer[start..<count]`.
    private var start = 0
    private var count = 0
    /// Absolute input offset of `buffer[0]`.
    private var baseOffset: Int64 = 0
    /// 1-based line number at `start`.
    private var line = 1
    /// Absolute offset where the current line began.
    private var lineStartOffset: Int64 = 0
    private var lineHasText = false
    /// A value may begin here: at a line's first non-blank byte, or right after a value.
    private var valueMayStart = true
    private var finished = false
    private var state = State.between
    /// The log line being read (text between values), and the line it started on.
    private var pendingLog: [UInt8] = []
    private var logLine = 0
    /// Log lines finished since the last batch.
    private var logs: [LogLine] = []
    /// Longest log line kept, in bytes; longer ones are cut (and say so).
    public static let maxLogLineBytes = 4_096

    private enum State {
        case between
        case inTextLine
        /// Skipping the rest of a bad value, up to a line that starts a value at `indent` or less.
        case resyncing(indent: Int)
        /// A value starting at `start` is incomplete; `scan` looks for its end.
        case awaitingEnd(BracketScan)
    }

    public init(source: String, decoder: SpanDecoder = SpanDecoder(), chunkSize: Int = 1 << 20) {
        self.source = source
        self.decoder = decoder
        self.chunkSize = chunkSize
        capacity = chunkSize * 2
        buffer = .allocate(capacity: capacity)
    }

    deinit { buffer.deallocate() }

    // MARK: - Input

    /// Appends bytes and decodes what they complete.
    public func feed(_ bytes: UnsafeRawBufferPointer) -> ReadBatch {
        guard bytes.count > 0 else { return ReadBatch() }
        reserve(bytes.count)
        memcpy(buffer + count, bytes.baseAddress!, bytes.count)
        count += bytes.count
        return process()
    }

    public func feed(_ bytes: [UInt8]) -> ReadBatch {
        bytes.withUnsafeBytes { feed($0) }
    }

    /// Reads up to one chunk from a file descriptor straight into the buffer, then decodes.
    /// Returns nil at end of input; throws the errno of a failed read.
    public func read(from fd: Int32) throws(ReadError) -> ReadBatch? {
        reserve(chunkSize)
        while true {
            let n = systemRead(fd, buffer + count, capacity - count)
            if n > 0 {
                count += n
                return process()
            }
            if n == 0 { return nil }
            if errno == EINTR { continue }
            throw ReadError(errno: errno)
        }
    }

    /// Reads a whole regular file through a memory mapping: no copy into the buffer, and
    /// pages behind the cursor are dropped as it goes, so resident memory stays one chunk.
    /// Calls `body` with each chunk's batch (and the final one). Returns false if the file
    /// cannot be mapped (the caller then reads it with `read(from:)`).
    public func readMapped(fd: Int32, size: Int, body: (inout ReadBatch) -> Void) -> Bool {
        guard size > 0, start == 0, count == 0, baseOffset == 0,
              let mapping = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), mapping != MAP_FAILED
        else { return false }
        defer { munmap(mapping, size) }
        _ = madvise(mapping, size, MADV_SEQUENTIAL)
        let owned = buffer, ownedCapacity = capacity
        buffer = mapping.assumingMemoryBound(to: UInt8.self)
        capacity = size
        defer {
            buffer = owned
            capacity = ownedCapacity
            baseOffset += Int64(start)
            count = 0
            start = 0
        }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        var dropped = 0
        while count < size {
            count = min(size, count + chunkSize)
            var batch = process()
            body(&batch)
            // Pages wholly before the cursor are done with; let them go.
            let done = (start / page) * page
            if done > dropped {
                _ = madvise(mapping + dropped, done - dropped, MADV_DONTNEED)
                dropped = done
            }
        }
        var last = finish()
        body(&last)
        return true
    }

    /// The input has ended: a value still open is reported as truncated.
    public func finish() -> ReadBatch {
        finished = true
        let batch = process()
        if lineHasText {
            stats.nonJSONLines += 1
            lineHasText = false
        }
        // `line` is one more than the newlines passed; a last line without one counts too.
        stats.lines = line - 1 + (atLineStart ? 0 : 1)
        stats.bytes = baseOffset + Int64(count)
        return batch
    }

    private var atLineStart: Bool { baseOffset + Int64(start) == lineStartOffset }

    /// Makes room for `extra` more bytes after `count`.
    private func reserve(_ extra: Int) {
        if count + extra <= capacity { return }
        if start > 0 {
            let live = count - start
            memmove(buffer, buffer + start, live)
            if case .awaitingEnd(var scan) = state {
                scan.shift(by: start)
                state = .awaitingEnd(scan)
            }
            baseOffset += Int64(start)
            count = live
            start = 0
        }
        if count + extra > capacity {
            var newCapacity = capacity
            while count + extra > newCapacity { newCapacity *= 2 }
            let newBuffer = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
            newBuffer.update(from: buffer, count: count)
            buffer.deallocate()
            buffer = newBuffer
            capacity = newCapacity
        }
    }

    // MARK: - The state machine

    private func process() -> ReadBatch {
        var batch = ReadBatch()
        var p = start
        loop: while true {
            switch state {
            case .between:
                while p < count {
                    let b = buffer[p]
                    if b == 0x0A {
                        endLine(at: p)
                        p += 1
                    } else if b == 0x20 || b == 0x09 || b == 0x0D {
                        p += 1
                    } else {
                        break
                    }
                }
                guard p < count else { break loop }
                if valueMayStart && (buffer[p] == UInt8(ascii: "{") || buffer[p] == UInt8(ascii: "[")) {
                    switch looksLikeValue(at: p) {
                    case .some(true):
                        if !parseValue(at: &p, into: &batch) { break loop }
                        continue loop
                    case .none where !finished:
                        break loop   // wait for the bytes that tell
                    default:
                        break
                    }
                }
                if !lineHasText { logLine = line }
                lineHasText = true
                valueMayStart = false
                state = .inTextLine

            case .inTextLine:
                guard let newline = findNewline(from: p) else {
                    captureLog(from: p, to: count)
                    p = count
                    break loop
                }
                captureLog(from: p, to: newline)
                p = newline
                state = .between

            case .resyncing(let indent):
                // p is inside a bad value's line; go to each next line start and test it.
                guard let newline = findNewline(from: p) else {
                    p = count
                    break loop
                }
                line += 1
                p = newline + 1
                lineStartOffset = baseOffset + Int64(p)
                var q = p
                while q < count && (buffer[q] == 0x20 || buffer[q] == 0x09) { q += 1 }
                guard q < count else {
                    if finished { break loop }
                    p = newline   // re-test this line when more bytes come
                    line -= 1
                    break loop
                }
                let c = buffer[q]
                if q - p <= indent && (c == UInt8(ascii: "{") || c == UInt8(ascii: "[")) {
                    switch looksLikeValue(at: q) {
                    case .some(true):
                        state = .between
                        valueMayStart = true
                        lineHasText = false
                    case .none where !finished:
                        p = newline
                        line -= 1
                        break loop
                    default:
                        p = q
                    }
                } else {
                    p = q
                }

            case .awaitingEnd(var scan):
                let ended = scan.advance(buffer, count: count, finished: finished)
                state = .awaitingEnd(scan)
                guard ended else { break loop }
                if !parseValue(at: &p, into: &batch) { break loop }
            }
        }
        start = p
        stats.bytes = baseOffset + Int64(start)
        if finished && !pendingLog.isEmpty { emitLog() }
        if !logs.isEmpty {
            batch.logLines = logs
            logs.removeAll()
        }
        return batch
    }

    private func endLine(at newlineIndex: Int) {
        if lineHasText {
            stats.nonJSONLines += 1
            if !pendingLog.isEmpty { emitLog() }
        }
        lineHasText = false
        valueMayStart = true
        line += 1
        lineStartOffset = baseOffset + Int64(newlineIndex + 1)
    }

    private func captureLog(from a: Int, to b: Int) {
        guard b > a, pendingLog.count < Self.maxLogLineBytes else { return }
        let n = min(b - a, Self.maxLogLineBytes - pendingLog.count)
        pendingLog.append(contentsOf: UnsafeBufferPointer(start: buffer + a, count: n))
    }

    private func emitLog() {
        var bytes = Self.plainLogText(pendingLog)
        while let last = bytes.last, last == 0x0D || last == 0x20 || last == 0x09 { bytes.removeLast() }
        var text = String(decoding: bytes, as: UTF8.self)
        if pendingLog.count >= Self.maxLogLineBytes { text += " …" }
        logs.append(LogLine(source: source, line: logLine, text: text))
        pendingLog.removeAll(keepingCapacity: true)
    }

    /// Log text as a person reads it: colour codes (`ESC [ … m` and other CSI sequences, as
    /// coloured loggers write) removed and tabs expanded. Any other control character stays,
    /// to be shown escaped like all text from the input.
    static func plainLogText(_ bytes: [UInt8]) -> [UInt8] {
        guard bytes.contains(where: { $0 == 0x1B || $0 == 0x09 }) else { return bytes }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            if b == 0x1B, i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: "[") {
                var j = i + 2
                while j < bytes.count, (0x20...0x3F).contains(bytes[j]) { j += 1 }   // parameters, intermediates
                if j < bytes.count, (0x40...0x7E).contains(bytes[j]) { i = j + 1; continue }   // final byte
            }
            if b == 0x09 {
                out.append(contentsOf: [0x20, 0x20, 0x20, 0x20])
            } else {
                out.append(b)
            }
            i += 1
        }
        return out
    }

    private func findNewline(from p: Int) -> Int? {
        guard p < count, let hit = memchr(buffer + p, 0x0A, count - p) else { return nil }
        return buffer.distance(to: hit.assumingMemoryBound(to: UInt8.self))
    }

    /// `{` must be followed by `"` or `}`; `[` by `{`, `[` or `]` (whitespace between is fine),
    /// so log lines such as `{not json}` or `[GIN-debug] ...` stay text. nil: not enough bytes yet.
    private func looksLikeValue(at p: Int) -> Bool? {
        let open = buffer[p]
        var q = p + 1
        while q < count {
            let b = buffer[q]
            if b == 0x20 || b == 0x09 || b == 0x0D || b == 0x0A { q += 1; continue }
            if open == UInt8(ascii: "{") { return b == UInt8(ascii: "\"") || b == UInt8(ascii: "}") }
            return b == UInt8(ascii: "{") || b == UInt8(ascii: "[") || b == UInt8(ascii: "]")
        }
        return nil
    }

    /// Parses the value at `p`. Returns false when it must wait for more bytes (p unchanged).
    private func parseValue(at p: inout Int, into batch: inout ReadBatch) -> Bool {
        var scanner = JSONScanner(base: buffer, count: count, position: p)
        let spansBefore = batch.spans.count
        let column = Int(baseOffset + Int64(p) - lineStartOffset)
        do {
            let isSpan = try decoder.decodeTopLevel(&scanner, into: &batch.spans)
            stats.spans += batch.spans.count - spansBefore
            if !isSpan {
                stats.otherValues += 1
                stats.nonJSONLines += scanner.newlines
                if lineHasText || pendingLog.isEmpty { logLine = line }
                captureLog(from: p, to: scanner.position)
                lineHasText = true
            } else {
                lineHasText = false
            }
            line += scanner.newlines
            if scanner.lastNewlineEnd >= 0 { lineStartOffset = baseOffset + Int64(scanner.lastNewlineEnd) }
            p = scanner.position
            valueMayStart = true
            state = .between
            return true
        } catch .incomplete where !finished {
            batch.spans.removeSubrange(spansBefore...)   // they come again with the whole value
            if case .awaitingEnd(var scan) = state {
                scan.parseFailedAt = count
                state = .awaitingEnd(scan)
            } else {
                var scan = BracketScan(valueStart: p, column: column)
                scan.parseFailedAt = count
                state = .awaitingEnd(scan)
            }
            return false
        } catch {
            // Keep the whole spans that came before the failure (elements of a batch array).
            stats.spans += batch.spans.count - spansBefore
            let reason: String
            switch error {
            case .incomplete:
                reason = "truncated: the input ends inside this value"
            case .malformed(let message, let offset):
                let errorLine = line + scanner.newlines
                reason = "invalid JSON at line \(errorLine), byte \(baseOffset + Int64(offset)): \(message)"
            }
            stats.skipped += 1
            batch.problems.append(ReadProblem(source: source, offset: baseOffset + Int64(p), line: line, reason: reason))
            state = .resyncing(indent: column)
            lineHasText = false
            return true
        }
    }
}

@inline(__always)
private func systemRead(_ fd: Int32, _ p: UnsafeMutablePointer<UInt8>, _ n: Int) -> Int {
    #if canImport(Glibc)
    Glibc.read(fd, p, n)
    #else
    Darwin.read(fd, p, n)
    #endif
}

/// An I/O error while reading input.
public struct ReadError: Error, CustomStringConvertible, Sendable {
    public let errno: Int32
    public var description: String { String(cString: strerror(errno)) }
}
