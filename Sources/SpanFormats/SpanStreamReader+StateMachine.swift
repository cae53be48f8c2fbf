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
                if count - scan.valueStart > maxValueBytes {
                    // Bounded memory: a value this long (or one that never ends) is skipped.
                    stats.skipped += 1
                    report(ReadProblem(source: source, offset: baseOffset + Int64(p), line: line,
                                                      reason: "longer than \(maxValueBytes >> 20) MiB without ending: skipped"), into: &batch)
                    lineHasText = false
                    state = .resyncing(indent: scan.column)
                    continue loop
                }
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
            if scanner.newlines > 0, case .found(let cut) = valueLine(after: p, before: scanner.position, column: column) {
                // Whole, but with a line inside that starts another value like it: cut off
                // there, as it would be were its end not here yet.
                batch.spans.removeSubrange(spansBefore...)
                _ = rejectValue(at: &p, .malformed("a new value starts before its end", offset: cut), column: column,
                                spansBefore: spansBefore, newlines: scanner.newlines, into: &batch)
                return true
            }
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
            // A line that starts a value came before this one's end: it was cut off there.
            switch valueLine(after: p, before: count, column: column) {
            case .found(let cut):
                if rejectValue(at: &p, .malformed("a new value starts before its end", offset: cut), column: column,
                               spansBefore: spansBefore, newlines: scanner.newlines, into: &batch) {
                    return true
                }
                batch.spans.removeSubrange(spansBefore...)   // undecided: they come again
            case .none, .undecided:
                break
            }
            awaitEnd(of: p, column: column)
            return false
        } catch {
            if rejectValue(at: &p, error, column: column, spansBefore: spansBefore, newlines: scanner.newlines, into: &batch) {
                return true
            }
            // Undecided until more bytes come: parse again then.
            batch.spans.removeSubrange(spansBefore...)
            awaitEnd(of: p, column: column)
            return false
        }
    }

    /// The value at `p` needs more bytes: follow its brackets as they come, and parse it
    /// again when they may have ended it.
    private func awaitEnd(of p: Int, column: Int) {
        var scan: BracketScan
        if case .awaitingEnd(let current) = state { scan = current } else { scan = BracketScan(valueStart: p, column: column) }
        scan.attemptFailed(count: count)
        state = .awaitingEnd(scan)
    }

    /// Reports the bad value at `p` and moves on: to a value that starts inside it (a writer
    /// died mid-value and another wrote on), else to resynchronising at the next line that
    /// starts a value. The whole spans decoded before the failure (elements of a batch
    /// array) are kept. Returns false, changing nothing, when that cannot be decided before
    /// more bytes come (so that the result does not depend on where reads end).
    private func rejectValue(at p: inout Int, _ error: ScanError, column: Int, spansBefore: Int, newlines: Int,
                             into batch: inout ReadBatch) -> Bool {
        var failure = count
        var reason: String
        switch error {
        case .incomplete:
            reason = "truncated: the input ends inside this value"
        case .malformed(let message, let offset):
            failure = offset
            reason = "invalid JSON at line \(line + newlines), byte \(baseOffset + Int64(offset)): \(message)"
        }
        // A line that starts a value at this one's indentation or less, before the failure,
        // means this one was cut off there.
        switch valueLine(after: p, before: min(failure + 1, count), column: column) {
        case .found(let cut):
            failure = cut
            reason = "cut off: a new value starts on a line inside it, at byte \(baseOffset + Int64(cut))"
            // Keep the whole spans that end before the cut, however far the bytes go.
            batch.spans.removeSubrange(spansBefore...)
            var scanner = JSONScanner(base: buffer, count: cut, position: p)
            _ = try? decoder.decodeTopLevel(&scanner, into: &batch.spans)
        case .undecided:
            return false
        case .none:
            break
        }
        let resume: Int?
        switch valueStart(inside: p, before: failure, column: column, kept: batch.spans[spansBefore...]) {
        case .found(let at): resume = at
        case .undecided: return false
        case .none: resume = nil
        }
        stats.spans += batch.spans.count - spansBefore
        stats.skipped += 1
        lineHasText = false
        if let resume {
            report(ReadProblem(source: source, offset: baseOffset + Int64(p), line: line,
                                              reason: "cut off: another value starts inside it at byte \(baseOffset + Int64(resume))"), into: &batch)
            passLines(from: p, to: resume)
            p = resume
            state = .between
            valueMayStart = true
            return true
        }
        report(ReadProblem(source: source, offset: baseOffset + Int64(p), line: line, reason: reason), into: &batch)
        state = .resyncing(indent: column)
        return true
    }

    /// Lists a bad value, up to `maxListedProblems` of them (all are counted in
    /// `stats.skipped`): a megabyte of broken lines must not make half a million reports.
    private func report(_ problem: ReadProblem, into batch: inout ReadBatch) {
        guard listedProblems < Self.maxListedProblems else { return }
        listedProblems += 1
        batch.problems.append(problem)
    }

    /// A place found in the buffer, none, or not known until more bytes come.
    enum Search {
        case found(Int)
        case none
        case undecided
    }

    /// The first line after `p` and before `end` that starts a value at `column` or less.
    /// The first line after `p` and before `end` that starts, at `column` or less, a value
    /// like the one at `p` (its first key, the writer's signature) that holds spans: the
    /// value at `p` was cut off there. A JSON log line, a piece of an oddly laid out value or
    /// a nested object is not one.
    private func valueLine(after p: Int, before end: Int, column: Int) -> Search {
        let signature = firstKeySearch(at: p, before: count)
        guard let key = signature.range else { return signature.ranOut && !finished ? .undecided : .none }
        let open = buffer[p]
        let limit = min(end, count)
        var decodes = 0
        // Each `{` (or `[`) that is the first non-blank byte of its line, within `column`:
        // found by memchr on the bracket, since most lines of a pretty value do not start
        // with one (a line-by-line walk cost a third of the time of reading pretty output).
        func next(from i: Int) -> Int? {
            guard i < limit else { return nil }
            return memchr(buffer + i, Int32(open), limit - i).map { buffer.distance(to: $0.assumingMemoryBound(to: UInt8.self)) }
        }
        var i = p + 1
        while decodes < Self.maxRestartDecodes, let q = next(from: i) {
            i = q + 1
            var b = q - 1
            while b > p && (buffer[b] == 0x20 || buffer[b] == 0x09) { b -= 1 }
            guard b > p, buffer[b] == 0x0A, q - b - 1 <= column else { continue }
            let other = firstKeySearch(at: q, before: count)
            if other.ranOut && !finished { return .undecided }
            guard let range = other.range, range.count == key.count,
                  memcmp(buffer + range.lowerBound, buffer + key.lowerBound, key.count) == 0 else { continue }
            switch looksLikeValue(at: q) {
            case .some(true):
                decodes += 1
                var scanner = JSONScanner(base: buffer, count: count, position: q)
                var spans: [Span] = []
                do {
                    if try decoder.decodeTopLevel(&scanner, into: &spans) { return .found(q) }
                } catch .incomplete where !finished {
                    return .undecided
                } catch {}
            case .none where !finished:
                return .undecided
            default:
                break
            }
        }
        // A last line that is still all blanks may yet start such a value.
        if limit == count && !finished && decodes < Self.maxRestartDecodes {
            var b = count - 1
            while b > p && (buffer[b] == 0x20 || buffer[b] == 0x09) { b -= 1 }
            if b > p && buffer[b] == 0x0A && count - b - 1 <= column { return .undecided }
        }
        return .none
    }

    /// The first key of the value at `i` (of its first element, for a list), as a range
    /// of the buffer: the writer's signature, the same in every value it writes.
    private func firstKey(at i: Int, before limit: Int) -> Range<Int>? {
        firstKeySearch(at: i, before: limit).range
    }

    /// The first key's range, and whether the bytes ended before it did.
    private func firstKeySearch(at i: Int, before limit: Int) -> (range: Range<Int>?, ranOut: Bool) {
        var q = i + 1
        func skipBlanks() {
            while q < limit && (buffer[q] == 0x20 || buffer[q] == 0x09 || buffer[q] == 0x0D || buffer[q] == 0x0A) { q += 1 }
        }
        if buffer[i] == UInt8(ascii: "[") {
            skipBlanks()
            guard q < limit else { return (nil, true) }
            guard buffer[q] == UInt8(ascii: "{") else { return (nil, false) }
            q += 1
        }
        skipBlanks()
        guard q < limit else { return (nil, true) }
        guard buffer[q] == UInt8(ascii: "\"") else { return (nil, false) }
        let start = q + 1
        q = start
        while q < limit && q - start < 64 {
            if buffer[q] == UInt8(ascii: "\"") { return (start..<q, false) }
            if buffer[q] == UInt8(ascii: "\\") { return (nil, false) }
            q += 1
        }
        return (nil, q == limit)
    }

    /// Most values decoded, and most format guesses made, when looking for a value that
    /// starts inside a bad one: bounds the work one bad value can cost.
    static let maxRestartDecodes = 16
    static let maxRestartGuesses = 64

    /// Where a new top-level value starts inside the bad value at `p` whose parse failed at
    /// `failure`: the nearest `{` or `[` before the failure that opens a value with the
    /// bad value's first key (its format, when the cut came before that key) and holds
    /// spans not already kept from the bad value, or may (its end has not come yet). A
    /// line start that the resync finds anyway is left to it. nil: none.
    private func valueStart(inside p: Int, before failure: Int, column: Int, kept: ArraySlice<Span>) -> Search {
        guard failure > p, failure <= count else { return .none }
        // By the first key; failing that (the cut may have come inside that key), by format.
        if let key = firstKey(at: p, before: failure) {
            let found = valueStart(inside: p, before: failure, column: column, kept: kept, key: key)
            if case .none = found {} else { return found }
        }
        return valueStart(inside: p, before: failure, column: column, kept: kept, key: nil)
    }

    private func valueStart(inside p: Int, before failure: Int, column: Int, kept: ArraySlice<Span>, key: Range<Int>?) -> Search {
        // From the bytes before the failure only: the same however far the bytes go.
        let format = key == nil ? try? decoder.classify(JSONScanner(base: buffer, count: failure, position: p)) : nil
        var c = min(failure, count - 1)
        var decodes = 0, guesses = 0
        while c > p && decodes < Self.maxRestartDecodes && guesses < Self.maxRestartGuesses {
            defer { c -= 1 }
            let b = buffer[c]
            guard b == buffer[p] || (key == nil && (b == UInt8(ascii: "{") || b == UInt8(ascii: "["))) else { continue }
            if let key {
                let other = firstKeySearch(at: c, before: count)
                if other.ranOut && !finished { return .undecided }
                guard let range = other.range, range.count == key.count,
                      memcmp(buffer + range.lowerBound, buffer + key.lowerBound, key.count) == 0 else { continue }
            } else {
                switch looksLikeValue(at: c) {
                case .some(false): continue
                case .none where !finished: return .undecided
                default: break
                }
            }
            // The first non-blank byte of a line at the bad value's indentation or less: the
            // resync finds it.
            var q = c - 1
            while q >= 0 && (buffer[q] == 0x20 || buffer[q] == 0x09) { q -= 1 }
            if (q < 0 || buffer[q] == 0x0A) && c - q - 1 <= column { continue }
            var scanner = JSONScanner(base: buffer, count: count, position: c)
            var spans: [Span] = []
            do {
                if key == nil {
                    guesses += 1
                    if let format, try decoder.classify(scanner) != format { continue }
                }
                decodes += 1
                guard try decoder.decodeTopLevel(&scanner, into: &spans), let first = spans.first,
                      !kept.contains(where: { $0.spanID == first.spanID && $0.traceID == first.traceID })
                else { continue }
                return .found(c)
            } catch .incomplete where !finished {
                return .undecided   // its end has not come yet
            } catch {
                continue
            }
        }
        return .none
    }

    /// Counts the lines passed between two buffer indices.
    private func passLines(from a: Int, to b: Int) {
        var i = a
        while i < b, let hit = memchr(buffer + i, 0x0A, b - i) {
            let at = buffer.distance(to: hit.assumingMemoryBound(to: UInt8.self))
            line += 1
            lineStartOffset = baseOffset + Int64(at + 1)
            i = at + 1
        }
    }
}
