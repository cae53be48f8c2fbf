#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SpanModel

// The reader's state machine: values, log lines between them, and resynchronising after a
// bad value.
extension SpanStreamReader {

    func processBuffered() -> ReadBatch {
        var batch = ReadBatch()
        // Room for the spans these bytes likely hold (a span takes 1 to 3 KB as JSON), so
        // the array is not regrown, and its spans copied, as it fills.
        batch.spans.reserveCapacity(min((count - start) >> 10, 2_048))
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
