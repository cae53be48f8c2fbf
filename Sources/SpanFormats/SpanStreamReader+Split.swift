#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Dispatch

// Decoding one big chunk on two threads.
//
// The chunk's middle, from one line start to another, goes to a second reader (its own
// decoder and caches) while this reader decodes from its cursor up to the middle's start.
// Both ends are then checked: this reader must have stopped exactly at the middle's start,
// between values at a line start, and the helper must have ended exactly at the middle's end
// in the same state, with no bad value. Where both hold, a single reader would have been in
// that same state at both points (the state machine decides nothing there from later bytes),
// so the helper's spans, log lines and counts are taken, shifted to this reader's line
// numbers, and reading goes on after the middle. Where either fails, the middle is simply
// decoded again here: a split can cost time but never change what is read.
extension SpanStreamReader {
    /// Buffered bytes below this are decoded on one thread (256 KiB for 1 MiB chunks).
    var splitThreshold: Int { chunkSize / 4 }
    /// The helper's part is at least this big (64 KiB for 1 MiB chunks).
    var minimumSegment: Int { chunkSize / 16 }
    /// This reader's share of a split chunk, in percent. 40, 50 and 58 measured the same in
    /// `spanview-bench live` (within this VM's noise); a little over half leaves the
    /// helper's core room for the writer and the UI thread.
    static let ownShare = 58

    /// Decodes the buffered bytes, on two threads when there are enough of them.
    func process() -> ReadBatch {
        // A value longer than a chunk that waits for its end keeps its bytes buffered: a
        // split would hand the helper the same middle again with every read, never taken.
        if case .awaitingEnd(let scan) = state, scan.position - scan.valueStart > chunkSize { return processBuffered() }
        guard let helper, !finished, count - start >= splitThreshold, let (s, t) = splitPoints() else {
            return processBuffered()
        }
        let job = helper.submit(UnsafePointer(buffer + s), count: t - s)
        let end = count
        count = s
        var batch = processBuffered()
        count = end
        let segment = job.wait()
        splitChunks += 1
        if let segment, start == s, isCleanLineStart {
            absorb(segment, endingAt: t, into: &batch)
        } else {
            redoneSplits += 1
        }
        batch.append(processBuffered())
        return batch
    }

    /// Between values at the start of a line, with nothing pending.
    var isCleanLineStart: Bool {
        guard case .between = state else { return false }
        return !lineHasText && pendingLog.isEmpty && valueMayStart && atLineStart
    }

    /// The helper's part: from a line start near the middle of the buffered bytes (see
    /// `ownShare`) to the last line start, both lines beginning with `{` or `[` (so likely
    /// to start values).
    func splitPoints() -> (Int, Int)? {
        // The last line start is looked for only in the last `minimumSegment` bytes (a span
        // is a few KB): without one there, as inside one huge value, this chunk is decoded on
        // one thread at the cost of that short scan.
        guard let t = ValueLineStarts.last(in: buffer, before: count, after: max(start + minimumSegment * 2, count - minimumSegment)),
              let s = ValueLineStarts.first(in: buffer, from: start + (t - start) * Self.ownShare / 100, below: t - minimumSegment),
              s > start
        else { return nil }
        return (s, t)
    }

    /// Takes the helper's result as if this reader had decoded `start..<t` itself.
    private func absorb(_ segment: Segment, endingAt t: Int, into batch: inout ReadBatch) {
        batch.append(taking(segment))
        start = t
        lineStartOffset = baseOffset + Int64(t)
        stats.bytes = lineStartOffset
    }

    /// The segment's counts added to this reader's, its log lines renumbered; `line` moves on.
    func taking(_ segment: Segment) -> ReadBatch {
        var batch = segment.batch
        let shift = line - 1
        for i in batch.logLines.indices { batch.logLines[i].line += shift }
        stats.spans += segment.batch.stats.spans
        stats.nonJSONLines += segment.batch.stats.nonJSONLines
        stats.otherValues += segment.batch.stats.otherValues
        line += segment.newlines
        noteFormats(segment.batch.formats)
        return batch
    }

    /// Decodes `base[0..<n]` (which ends just after a newline) as a fresh part of an input,
    /// reading it in place. Nil unless it ends cleanly between values with no bad value.
    package func decodeSegment(_ base: UnsafePointer<UInt8>, count n: Int) -> Segment? {
        let owned = buffer, ownedCapacity = capacity
        buffer = UnsafeMutablePointer(mutating: base)
        capacity = n
        count = n
        start = 0
        baseOffset = 0
        line = 1
        lineStartOffset = 0
        state = .between
        valueMayStart = true
        lineHasText = false
        pendingLog.removeAll(keepingCapacity: true)
        logs.removeAll()
        stats = ReadStats()
        listedProblems = 0
        defer {
            buffer = owned
            capacity = ownedCapacity
            count = 0
            start = 0
        }
        let batch = processBuffered()
        guard start == n, isCleanLineStart, stats.skipped == 0 else { return nil }
        return Segment(batch: stamped(batch), newlines: line - 1)
    }
}

extension ReadBatch {
    /// Adds another part's spans, problems and log lines (not its totals).
    mutating func append(_ other: ReadBatch) {
        spans.append(contentsOf: other.spans)
        problems.append(contentsOf: other.problems)
        logLines.append(contentsOf: other.logLines)
    }
}
